import Foundation
import Producer
import Testing
import TestSupport
import UserBehavior

@Suite struct CSVRowsTests {
    enum Outcome: Equatable {
        case event(user: Int64, province: String)
        case bad(line: Int, CSVRowError)
    }

    private func outcomes(_ text: String) throws -> [Outcome] {
        let dir = try TemporaryDirectory()
        let url = dir.file("rows.csv")
        try Data(text.utf8).write(to: url)
        let reader = try CSVFileReader(path: url.path)
        let rows = CSVRows(path: url.path)
        var result: [Outcome] = []
        try reader.forEachLine { line in
            switch try rows.parse(line) {
            case .event(let e): result.append(.event(user: e.userID, province: e.province.name))
            case .bad(let number, let error): result.append(.bad(line: number, error))
            case .none: break
            }
            return true
        }
        return result
    }

    @Test func headerInAnotherOrderIsReadByName() throws {
        let text = """
            province,gender,age_range,action,day,month,brand_id,merchant_id,cat_id,item_id,user_id,extra
            浙江,1,5,0,29,8,2661.0,2882,833,323294,328862,ignored
            """
        #expect(try outcomes(text) == [.event(user: 328862, province: "浙江")])
    }

    @Test func headerlessFileUsesTheDatasetOrder() throws {
        #expect(try outcomes("1,2,3,4,5,8,29,0,5,1,浙江\n") == [.event(user: 1, province: "浙江")])
    }

    @Test func incompleteHeaderStopsTheReplay() throws {
        #expect(throws: ProducerError.self) {
            _ = try outcomes("user_id,item_id,cat_id\n1,2,3\n")
        }
    }

    @Test func blankLinesAreNotRowsAndRepeatedHeadersAreBad() throws {
        let text = "\(EventField.header)\n\n   \n1,2,3,4,5,8,29,0,5,1,浙江\n\(EventField.header)\n2,2,3,4,5,8,29,0,5,1,上海\n"
        #expect(try outcomes(text) == [
            .event(user: 1, province: "浙江"), .bad(line: 5, .repeatedHeader), .event(user: 2, province: "上海市"),
        ])
    }

    @Test func quirksOfRealFiles() throws {
        let text = "\u{FEFF}\(EventField.header)\r\n" + " 7 , 8 ,9,10, 2661.0 ,11,11,1,8,2,\"北京市\"\r\n"
            + "\"9\",\"10\",\"11\",\"12\",\"\",\"13\",\"1\",\"2\",\"0\",\"0\",\"香港\"\r\n"
        #expect(try outcomes(text) == [.event(user: 7, province: "北京市"), .event(user: 9, province: "香港")])
    }

    @Test func badRowReportShowsTheFirstFewThenCounts() {
        var report = BadRowReport()
        var shown: [String] = []
        for line in 1...8 {
            if let text = report.record(path: "f.csv", line: line, line % 2 == 0 ? .repeatedHeader : .notUTF8) {
                shown.append(text)
            }
        }
        #expect(shown == [
            "f.csv:1: skipped: not valid UTF-8", "f.csv:2: skipped: a second header line",
            "f.csv:3: skipped: not valid UTF-8", "f.csv:4: skipped: a second header line",
            "f.csv:5: skipped: not valid UTF-8",
        ])
        #expect(report.remainder == "8 bad rows skipped in all (4 × not valid UTF-8; 4 × a second header line)")
    }

    @Test func pacerSpacesEventsEvenly() {
        var pacer = Pacer(eventsPerSecond: 100, startNanoseconds: 1_000)
        #expect(pacer.delay(now: 1_000) == 0)
        pacer.recordSent()
        #expect(pacer.delay(now: 1_000) == 10_000_000)
        #expect(pacer.delay(now: 5_001_000) == 5_000_000)
        #expect(pacer.delay(now: 11_000_000) == 0)
    }

    /// `produce --rate 1e-10` trapped after the first row: 1 / 1e-10 s in nanoseconds
    /// overflows Int64. The wait is capped at a day and asked for again.
    @Test func aTinyRateWaitsADayAtATimeInsteadOfOverflowing() {
        var pacer = Pacer(eventsPerSecond: 1e-300, startNanoseconds: 0)
        #expect(pacer.delay(now: 0) == 0)
        pacer.recordSent()
        #expect(pacer.delay(now: 0) == 86_400 * 1_000_000_000)
        #expect(pacer.delay(now: Int64.max / 2) == 86_400 * 1_000_000_000)
    }
}
