import Testing
import UserBehavior

@Suite struct CSVLineTests {
    /// Splits with the code under test and returns the cells as strings.
    private func cells(_ line: String) -> Result<[String], CSVLineError> {
        var line = line
        return line.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var fields = CSVFields()
            if let error = CSVLine.split(raw, into: &fields) { return .failure(error) }
            return .success((0..<fields.count).map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[fields.range($0)]), as: UTF8.self) })
        }
    }

    @Test func plainCells() {
        #expect(cells("1,2,,浙江") == .success(["1", "2", "", "浙江"]))
    }

    @Test func paddingIsTrimmed() {
        #expect(cells(" 1 ,\t2\t,  浙江  ") == .success(["1", "2", "浙江"]))
    }

    @Test func quotedCellsMayHoldCommas() {
        #expect(cells(#""a,b", "浙江" ,3"#) == .success(["a,b", "浙江", "3"]))
    }

    @Test func doubledQuotesStayInTheCell() {
        #expect(cells(#""a""b",c"#) == .success([#"a""b"#, "c"]))
    }

    @Test func emptyLineIsOneEmptyCell() {
        #expect(cells("") == .success([""]))
        #expect(cells(",") == .success(["", ""]))
    }

    @Test func brokenQuotes() {
        #expect(cells(#""abc,1,2"#) == .failure(.unterminatedQuote))
        #expect(cells(#""abc"x,1"#) == .failure(.textAfterQuote))
    }

    @Test func moreCellsThanCapacityAreCounted() {
        let line = Array(repeating: "1", count: 40).joined(separator: ",")
        var text = line
        let count = text.withUTF8 { bytes -> Int in
            var fields = CSVFields()
            _ = CSVLine.split(UnsafeRawBufferPointer(bytes), into: &fields)
            return fields.count
        }
        #expect(count == 40)
    }
}
