import Testing
import UserBehavior

@Suite struct ProvinceTests {
    @Test func thirtyFourDistinctRegionsAndUnknown() {
        #expect(Province.names.count == 35 && Province.regionCount == 34)
        #expect(Set(Province.names).count == 35)
        #expect(Province.englishNames.count == 35)
        #expect(Province.names.last == "unknown" && Province.all.last == .unknown)
    }

    @Test func everyCanonicalNameFindsItself() {
        for (index, name) in Province.names.enumerated() {
            #expect(Province(name)?.index == UInt8(index), "\(name)")
        }
    }

    @Test(arguments: [
        ("浙江省", "浙江"), ("北京", "北京市"), ("上海", "上海市"), ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"), ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"),
        ("西藏自治区", "西藏"), ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"), ("台湾省", "台湾"),
        ("黑龙江省", "黑龙江"), ("重庆", "重庆市"),
    ])
    func longFormsAreAliases(alias: String, canonical: String) {
        #expect(Province(alias)?.name == canonical)
    }

    @Test(arguments: ["", "火星", "浙", "省", "市", "浙江省省", "Zhejiang", "浙江 "])
    func unknownNames(name: String) {
        #expect(Province(name) == nil)
    }
}
