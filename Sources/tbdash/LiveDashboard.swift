import LiveValues
import Runtime
import Source
import TUI
import Terminal

/// The dashboard's main loop, on the main thread (the only one that touches ncurses):
/// keys, snapshots from the pipeline (one process's or a changelog viewer's), and frames
/// only when something changed, as `FramePacer` says: news at most `fps` times a second,
/// plus the clock once a second. While snapshots keep coming, a new one is looked for every
/// `busyPollMs` between keys; an idle screen looks once a frame's time.
struct LiveDashboard {
    let pipeline: any LiveSource
    let screen: CursesScreen
    let dashboard: Dashboard
    /// Set by SIGINT/SIGTERM.
    let stop: StopFlag
    var model: DashboardModel
    /// Called with each new status (for --log).
    var onStatus: (SourceStatus) -> Void = { _ in }
    /// The generation of `model.snapshot`: a trace learns when each is drawn.
    var shownGeneration = -1
    /// The alarm rules (--alert): their states on screen, the bell on firing.
    let alerts: AlertMonitor?
    /// How often a new snapshot is looked for while they keep coming (one came within
    /// 250 ms): it adds at most this to an event's send → visible time. ncurses cannot
    /// wait for a key and a snapshot at once, and 100 wake-ups a second cost an idle
    /// dashboard ~0.5 % of a core (measured), so an idle one looks only once a frame's time.
    static let busyPollMs: Int64 = 5

    enum Ending: Equatable {
        case quit
        case stopped
        /// The pipeline gave up (e.g. a state file taken on another cluster): show why.
        case failed(String)
        /// `e`: start over from the beginning of every partition.
        case readFromBeginning
    }

    mutating func run() -> Ending {
        var lastGeneration = -1
        var lastSnapshotAt: Int64 = .min / 2
        var lastSecond: Int64 = -1
        var lastStatus = model.snapshot.status
        var pacer = FramePacer()
        var lists: [Panel: ListGeometry] = [:]
        var rungFor = alerts?.firings ?? 0
        while true {
            if stop.isRequested { return .stopped }
            if pipeline.waitUntilFinished(timeoutMs: 0) {
                if case .failed(let why) = pipeline.snapshot.status { return .failed(why) }
                return .stopped
            }
            let now = MonotonicClock.milliseconds()
            let wall = WallClock.milliseconds()
            let frameMs = FramePacer.frameMs(fps: model.fps)
            if pacer.isDue(now: now) {
                lists = draw(clock: wall)
                lastSecond = wall / 1000
                pacer.drew(now: now, frameMs: frameMs)
            }
            let untilFrame = pacer.waitMs(now: now, idleMs: now - lastSnapshotAt < 250 ? Self.busyPollMs : frameMs)
            let untilSecond = 1000 - wall % 1000
            var next = screen.readKey(timeoutMs: Int(max(1, min(untilFrame, untilSecond))))
            let keysStarted = MonotonicClock.milliseconds()
            var answer = KeyAction.none
            while let key = next {
                switch KeyAction.apply(key, to: &model, lists: lists) {
                case .quit: return .quit
                case .readFromBeginning: return .readFromBeginning
                case .query: answer = .query
                case .redraw where answer == .none: answer = .redraw
                case .redraw, .none: break
                }
                // A paste into the prompt arrives as thousands of keys at once: take all that
                // are waiting (for at most one frame's time), then draw once. Other keys move
                // within the lists of the frame drawn before them, so each is drawn.
                guard model.prompt != nil, MonotonicClock.milliseconds() - keysStarted < frameMs else { break }
                next = screen.readKey(timeoutMs: 0)
            }
            if answer == .query { pipeline.setQuery(model.query) }
            // Keys answer at once, not at the next frame.
            if answer != .none { lists = draw(clock: WallClock.milliseconds()) }
            let generation = pipeline.snapshotCount
            if generation != lastGeneration {
                lastGeneration = generation
                lastSnapshotAt = MonotonicClock.milliseconds()
                let snapshot = pipeline.snapshot
                // A changelog viewer learns the workers' calendar from their first state.
                model.calendar = pipeline.calendar
                model.owners = pipeline.owners
                if snapshot.status != lastStatus {
                    lastStatus = snapshot.status
                    onStatus(snapshot.status)
                }
                if model.paused {
                    model.newSincePause = max(0, snapshot.aggregate.counts.events - model.snapshot.aggregate.counts.events)
                } else {
                    model.snapshot = snapshot
                    shownGeneration = generation
                }
                pacer.changed(news: true)
            }
            if let alerts {
                let statuses = alerts.statuses
                let failure = alerts.actionFailure
                if statuses != model.alerts || failure != model.alertActionFailure {
                    model.alerts = statuses
                    model.alertActionFailure = failure
                    pacer.changed(news: true)
                }
                if alerts.bell, alerts.firings != rungFor {
                    rungFor = alerts.firings
                    screen.bell()
                }
            }
            if WallClock.milliseconds() / 1000 != lastSecond { pacer.changed(news: false) }
        }
    }

    /// Draws a frame; returns its lists, which the next key moves within.
    private mutating func draw(clock: Int64) -> [Panel: ListGeometry] {
        model.clock = clock
        model.processingNow = MonotonicClock.milliseconds()
        model.utcOffsetSeconds = MachineTimeZone.utcOffsetSeconds(atMilliseconds: clock)
        let (width, height) = screen.size
        let frame = dashboard.frame(model, width: width, height: height)
        screen.draw(frame.grid)
        pipeline.trace?.drawn(generation: shownGeneration, nowNs: WallClock.nanoseconds())
        return frame.lists
    }
}
