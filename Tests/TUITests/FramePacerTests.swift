import Testing
import TUI

/// The dashboard's frame pacing with a manual clock: news at once or a frame's time after
/// the last frame with news, the clock's frame holding nothing back.
@Suite struct FramePacerTests {
    /// A frame's time at the default 10 fps.
    let frameMs = FramePacer.frameMs(fps: 10)

    @Test func newsIsDrawnAtOnceThenAtMostOnceAFrame() {
        var pacer = FramePacer()
        #expect(pacer.isDue(now: 0))
        pacer.drew(now: 0, frameMs: frameMs)
        #expect(!pacer.isDue(now: 5))
        #expect(pacer.waitMs(now: 5, idleMs: 100) == 100)
        pacer.changed(news: true)
        pacer.drew(now: 5, frameMs: frameMs)
        pacer.changed(news: true)
        #expect(!pacer.isDue(now: 104))
        #expect(pacer.waitMs(now: 60, idleMs: 100) == 45)
        #expect(pacer.isDue(now: 105))
    }

    /// The clock's frame at a second's turn, then a snapshot 30 ms later: drawn at once,
    /// not 70 ms later.
    @Test func theClocksFrameHoldsNoSnapshotBack() {
        var pacer = FramePacer()
        pacer.changed(news: true)
        pacer.drew(now: 900, frameMs: frameMs)
        pacer.changed(news: false)
        #expect(pacer.isDue(now: 1_000))
        pacer.drew(now: 1_000, frameMs: frameMs)
        pacer.changed(news: true)
        #expect(pacer.isDue(now: 1_030))
        #expect(pacer.waitMs(now: 1_030, idleMs: 100) == 0)
    }

    /// The clock's frame waits for a frame's time after news like any frame.
    @Test func theClocksFrameWaitsAFrameAfterNews() {
        var pacer = FramePacer()
        pacer.changed(news: true)
        pacer.drew(now: 950, frameMs: frameMs)
        pacer.changed(news: false)
        #expect(!pacer.isDue(now: 1_000))
        #expect(pacer.isDue(now: 1_050))
    }

    /// Against a count made here: news every millisecond for 10 s and the clock each second
    /// draw a frame every frame's time: fps a second (one more where 1000 / fps ms is not whole).
    @Test(arguments: [1, 10, 30])
    func framesASecondAreBounded(fps: Int) {
        let frameMs = FramePacer.frameMs(fps: fps)
        var pacer = FramePacer()
        var frames: [Int64] = []
        for now in Int64(0)..<10_000 {
            pacer.changed(news: true)
            if now % 1000 == 0 { pacer.changed(news: false) }
            if pacer.isDue(now: now) {
                pacer.drew(now: now, frameMs: frameMs)
                frames.append(now)
            }
        }
        for second in Int64(0)..<10 {
            let inSecond = frames.filter { $0 / 1000 == second }.count
            #expect(inSecond >= fps && inSecond <= fps + 1, "\(inSecond) frames in second \(second) at \(fps) fps")
        }
        let gaps = zip(frames, frames.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 == Int64(1000 / fps) }, "news drawn every frame's time")
    }
}
