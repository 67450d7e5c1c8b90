import Foundation
import Testing
import UserBehavior

@Suite struct EventRecordTests {
    private func parse(_ line: String) -> Result<BehaviorEvent, CSVRowError> {
        var line = line
        return line.withUTF8 { bytes in
            var fields = CSVFields()
            var builder = EventBuilder()
            return CSVRecord.parse(UnsafeRawBufferPointer(bytes), columns: .dataset, fields: &fields, builder: &builder)
        }
    }

    @Test func aDatasetRow() throws {
        let event = try parse("328862,323294,833,2882,2661.0,8,29,0,5,1,浙江").get()
        #expect(event.userID == 328862)
        #expect(event.itemID == 323294)
        #expect(event.catID == 833)
        #expect(event.merchantID == 2882)
        #expect(event.brandID == 2661)
        #expect(event.month == 8 && event.day == 29)
        #expect(event.action == .click)
        #expect(event.ageRange.rawValue == 5)
        #expect(event.gender == .male)
        #expect(event.province.name == "浙江")
    }

    @Test func emptyBrandIsAbsent() throws {
        #expect(try parse("1,2,3,4,,8,29,0,5,1,浙江").get().brandID == nil)
        #expect(try parse("1,2,3,4,NaN,8,29,0,5,1,浙江").get().brandID == nil)
    }

    @Test func impossibleDateIsStillARecord() throws {
        let event = try parse("1,2,3,4,5,13,1,0,5,1,浙江").get()
        #expect(event.month == 13)
        #expect(try parse("1,2,3,4,5,2,30,0,5,1,浙江").get().day == 30)
    }

    @Test(arguments: [
        ("1,2,3,4,5,8,29,4,5,1,浙江", CSVRowError.record(.outOfRange(.action))),
        ("1,2,3,4,5,8,29,0,9,1,浙江", .record(.outOfRange(.ageRange))),
        ("1,2,3,4,5,8,29,0,5,3,浙江", .record(.outOfRange(.gender))),
        ("1,2,3,4,5,8,29,-1,5,1,浙江", .record(.outOfRange(.action))),
        ("x,2,3,4,5,8,29,0,5,1,浙江", .record(.wrongType(.userID))),
        ("1,2.5,3,4,5,8,29,0,5,1,浙江", .record(.wrongType(.itemID))),
        ("1,2,3,4,abc,8,29,0,5,1,浙江", .record(.wrongType(.brandID))),
        (",2,3,4,5,8,29,0,5,1,浙江", .record(.missing(.userID))),
        ("1,2,3,4,5,8,29,0,5,1,", .record(.missing(.province))),
        ("1,2,3,4,5,8,29,0,5,1,火星", .record(.unknownProvince)),
        ("1,2,3,4,5,99999999999,29,0,5,1,浙江", .record(.outOfRange(.month))),
        ("1,2,3", .columnCount(found: 3, expected: 11)),
        ("1,2,3,4,5,8,29,0,5,1,浙江,extra", .columnCount(found: 12, expected: 11)),
        (#"1,2,3,4,5,8,29,0,5,1,"浙江"#, .split(.unterminatedQuote)),
    ])
    func badRows(line: String, error: CSVRowError) {
        #expect(parse(line) == .failure(error))
    }

    @Test func notUTF8IsNamed() {
        // 浙江 in GBK.
        var bytes = Array("1,2,3,4,5,8,29,0,5,1,".utf8) + [0xD5, 0xE3, 0xBD, 0xAD]
        let result = bytes.withUnsafeMutableBytes { raw in
            var fields = CSVFields()
            var builder = EventBuilder()
            return CSVRecord.parse(UnsafeRawBufferPointer(raw), columns: .dataset, fields: &fields, builder: &builder)
        }
        #expect(result == .failure(.notUTF8))
    }

    @Test func messageJSONHasTheSpecFieldsAndTypes() throws {
        let event = try parse("328862,323294,833,2882,2661.0,8,29,2,5,1,内蒙古").get()
        var out: [UInt8] = []
        EventJSON.append(event, to: &out)
        // An independent parser reads what we wrote.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        #expect(Set(object.keys) == Set(EventField.allCases.map(\.name)))
        #expect(object["user_id"] as? Int == 328862)
        #expect(object["brand_id"] as? Int == 2661)
        #expect(object["month"] as? Int == 8)
        #expect(object["action"] as? Int == 2)
        #expect(object["province"] as? String == "内蒙古")
        #expect(String(validating: out, as: UTF8.self) != nil)
    }

    @Test func absentBrandIsJSONNull() throws {
        let event = try parse("1,2,3,4,,8,29,0,5,1,浙江").get()
        var out: [UInt8] = []
        EventJSON.append(event, to: &out)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        #expect(object["brand_id"] is NSNull)
    }

    @Test func everyProvinceRoundTripsThroughJSON() throws {
        for name in Province.names {
            let event = try parse("1,2,3,4,5,8,29,0,5,1,\(name)").get()
            var out: [UInt8] = []
            EventJSON.append(event, to: &out)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
            #expect(object["province"] as? String == name)
        }
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 10, 999, Int64.max])
    func integersAreWrittenExactly(value: Int64) {
        var out: [UInt8] = []
        EventJSON.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }
}
