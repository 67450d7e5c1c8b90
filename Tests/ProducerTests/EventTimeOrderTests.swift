import Foundation
@testable import Producer
import Testing
import TestSupport
import UserBehavior

@Suite struct EventTimeOrderTests {
    @Test func dayBucketsGiveBackEachDayInTheOrderItCameIn() throws {
        let dir = try TemporaryDirectory()
        let buckets = DayBuckets(directory: dir.url.path)
        // Sizes from 0 to 319 bytes, so frames straddle the 32 KiB write buffer and the
        // 1 MiB read buffer; 8 slots (day 5 twice as often), one of them the undated slot.
        let slots = [300, 0, 5, DayBuckets.undated, 314, 150, 5, 200, 31]
        var expected: [Int: [(String, [UInt8])]] = [:]
        for i in 0..<40_000 {
            let slot = slots[i * 7 % slots.count]
            let key = "\(i)"
            let value = [UInt8](repeating: UInt8(i % 251), count: i % 320)
            expected[slot, default: []].append((key, value))
            try Array(key.utf8).withUnsafeBytes { k in try value.withUnsafeBytes { v in try buckets.append(slot: slot, key: k, value: v) } }
        }
        try buckets.finishWriting()
        #expect(buckets.datedSlots == Set(slots).filter { $0 != DayBuckets.undated }.sorted())
        for slot in slots {
            var actual: [(String, [UInt8])] = []
            #expect(try buckets.forEachMessage(in: slot) { key, value, _ in
                actual.append((String(decoding: key, as: UTF8.self), Array(value)))
                return true
            })
            #expect(buckets.counts[slot] == expected[slot]!.count)
            #expect(actual.map(\.0) == expected[slot]!.map(\.0), "slot \(slot)")
            #expect(actual.map(\.1) == expected[slot]!.map(\.1), "slot \(slot)")
        }
        // A second read gives the same (a loop's next pass); a body that stops, stops.
        var seen = 0
        #expect(try !buckets.forEachMessage(in: 5) { _, _, _ in
            seen += 1
            return seen < 10
        })
        #expect(seen == 10)
        // Nothing left in the directory: each file was unlinked when it was created.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test func aMissingDirectoryIsOneClearError() throws {
        let buckets = DayBuckets(directory: "/nonexistent/tbdash")
        #expect(throws: ProducerError.temporaryFiles(directory: "/nonexistent/tbdash", detail: "No such file or directory")) {
            try [UInt8(1)].withUnsafeBytes { try buckets.append(slot: 0, key: $0, value: $0) }
        }
    }

    @Test func scheduleSpreadsADayOverDaySeconds() throws {
        let schedule = EventTimeSchedule(nanosecondsPerEventMillisecond: EventTimeOrder.pace(daySeconds: 0.5)!,
                                         passStartNanoseconds: 1_000, firstEventMs: 1_000 * 86_400_000)
        let day = { (n: Int64) in (1_000 + n) * 86_400_000 }
        #expect(schedule.due(dayMs: day(0), row: 0, of: 4) == 1_000)
        #expect(schedule.due(dayMs: day(0), row: 2, of: 4) == 1_000 + 250_000_000)
        #expect(schedule.due(dayMs: day(2), row: 0, of: 1) == 1_000 + 1_000_000_000)
        // Six days of 0.5 s end 3 s after the start.
        #expect(schedule.end(ofDayAt: day(5)) == 1_000 + 3_000_000_000)
        #expect(EventTimeOrder.pace(daySeconds: 0) == nil)
        #expect(EventTimeOrder.pace(speedup: 86_400 * 2) * 86_400_000 == 500_000_000)
    }

    @Test func theSlowestSpeedupDoesNotOverflow() {
        let schedule = EventTimeSchedule(nanosecondsPerEventMillisecond: EventTimeOrder.pace(speedup: 0.001),
                                         passStartNanoseconds: 0, firstEventMs: 0)
        #expect(schedule.due(dayMs: 371 * 86_400_000, row: 9, of: 10) == 1_000_000_000_000_000_000)
    }
}
