import PropertyBased
import Testing
@testable import Analytics

@Suite struct SegmentCubeTests {
    /// A segment and whether the event was late, as plain numbers.
    struct Event: Hashable, Sendable {
        var action: UInt8, age: UInt8, gender: UInt8, province: UInt8, day: Int?, late: Bool

        var cell: SegmentCube.Cell {
            SegmentCube.Cell(action: action, ageRange: age, gender: gender, province: province, dayIndex: day)
        }
    }

    static let event = zip(
        Gen.uint8(in: 0...3), Gen.uint8(in: 0...8), Gen.uint8(in: 0...2), Gen.uint8(in: 0...33),
        Gen.int(in: -1...371), Gen.bool
    ).map { Event(action: $0, age: $1, gender: $2, province: $3, day: $4 < 0 ? nil : $4, late: $5) }

    @Test func cellsKeepEveryDimension() {
        for day in [nil, 0, 310, 371] as [Int?] {
            let cell = SegmentCube.Cell(action: 3, ageRange: 8, gender: 2, province: 33, dayIndex: day)
            #expect([cell.action, cell.ageRange, cell.gender, cell.province] == [3, 8, 2, 33])
            #expect(cell.dayIndex == day)
        }
    }

    @Test func countsEqualAStraightTally() async {
        await propertyCheck(input: Self.event.array(of: 0...600)) { events in
            var cube = SegmentCube()
            var oracle: [SegmentCube.Cell: (Int64, Int64)] = [:]
            for e in events {
                cube.add(e.cell, late: e.late)
                oracle[e.cell, default: (0, 0)].0 += 1
                if e.late { oracle[e.cell, default: (0, 0)].1 += 1 }
            }
            #expect(cube.cellCount == oracle.count)
            #expect(cube.total == Int64(events.count))
            for (cell, counts) in oracle { #expect(cube.counts(of: cell) == counts) }
        }
    }

    /// The monoid laws over the whole range of cells (every day, late or not): any cut in
    /// three merges to the whole in any order, and encoding round-trips.
    @Test func keepsTheMonoidLaws() async {
        await propertyCheck(input: Self.event.array(of: 0...600), Gen.int(in: 0...600), Gen.int(in: 0...600)) { events, a, b in
            let stream = events.map { e in
                AnalyticEvent(userID: 0, itemID: 0, catID: 0, merchantID: 0, brandID: nil, action: e.action, ageRange: e.age,
                              gender: e.gender, province: e.province, dayIndex: e.day, late: e.late)
            }
            MonoidLaws.check(SegmentCube(), stream, parts: 3) { MonoidLaws.cut($0, a, b) }
        }
    }

    @Test func damagedBytesThrow() throws {
        var cube = SegmentCube()
        cube.add(SegmentCube.Cell(action: 1, ageRange: 2, gender: 0, province: 10, dayIndex: 314), late: true)
        cube.add(SegmentCube.Cell(action: 0, ageRange: 2, gender: 1, province: 10, dayIndex: nil), late: false)
        var writer = BinaryWriter()
        cube.encode(into: &writer)
        let bytes = writer.bytes
        for end in 0..<bytes.count {
            var reader = BinaryReader(Array(bytes[..<end]))
            #expect(throws: SummaryDecodingError.self) { try SegmentCube(from: &reader) }
        }
        // late > events, a province past 33, an unknown version.
        for damaged in [[1, 1, 0, 1, 2], [1, 1, 0xff, 0xff, 0xff, 0x3f, 1, 0], [9, 0]] as [[UInt8]] {
            var reader = BinaryReader(damaged)
            #expect(throws: SummaryDecodingError.self) { try SegmentCube(from: &reader) }
        }
    }
}
