import PropertyBased
import Testing
import UserBehavior

@testable import Analytics

/// The filter syntax of SPEC §7 against spellings and sets written out here by hand, and
/// `matches` against a brute-force predicate over those sets.
@Suite struct SegmentFilterTests {
    // MARK: Spellings

    @Test func everyDimensionNameAndAlias() throws {
        let names: [(String, FilterDimension, String)] = [
            ("action", .action, "0"), ("act", .action, "0"), ("a", .action, "0"), ("ACTION", .action, "0"),
            ("age", .age, "0"), ("age_range", .age, "0"), ("Age_Range", .age, "0"),
            ("gender", .gender, "0"), ("sex", .gender, "0"), ("g", .gender, "0"), ("SEX", .gender, "0"),
            ("province", .province, "浙江"), ("prov", .province, "浙江"), ("p", .province, "浙江"), ("Prov", .province, "浙江"),
            ("day", .day, "11-11"), ("date", .day, "11-11"), ("d", .day, "11-11"), ("DATE", .day, "11-11"),
        ]
        for (name, dimension, value) in names {
            let filter = try SegmentFilter.parse("\(name)=\(value)")
            #expect(filter.constrainedDimensions == [dimension], "\(name)")
        }
    }

    @Test(arguments: FilterOracle.spellings)
    func everySpelling(_ spelling: FilterOracle.Spelling) throws {
        let filter = try SegmentFilter.parse("\(spelling.dimension.name)=\(spelling.text)")
        #expect(filter.values(of: spelling.dimension).map(Set.init) == spelling.codes, "\(spelling.text)")
    }

    @Test func rangesOfCodesLabelsAndDays() throws {
        let cases: [(String, FilterDimension, Set<Int>)] = [
            ("age=2..4", .age, [2, 3, 4]),
            ("age=18-24..30-34", .age, [2, 3, 4]),
            ("age=6..7", .age, [6, 7, 8]),
            ("age=40-49..50+", .age, [6, 7, 8]),
            ("action=0..3", .action, [0, 1, 2, 3]),
            ("action=click..cart", .action, [0, 1]),
            ("gender=1..2", .gender, [1, 2]),
            ("day=11-01..11-11", .day, Set((0...10).map { 10 * 31 + $0 })),
            ("day=11-11..11-11", .day, [10 * 31 + 10]),
            // Impossible slots between are skipped: 02-30, 02-31, 04-31.
            ("day=02-27..03-02", .day, [31 + 26, 31 + 27, 31 + 28, 2 * 31, 2 * 31 + 1]),
            ("day=04-30..05-01", .day, [3 * 31 + 29, 4 * 31]),
            ("day=1-1..1-3,12-31", .day, [0, 1, 2, 11 * 31 + 30]),
        ]
        for (text, dimension, codes) in cases {
            #expect(try SegmentFilter.parse(text).values(of: dimension).map(Set.init) == codes, "\(text)")
        }
    }

    @Test func termsOnOneDimensionIntersect() throws {
        let filter = try SegmentFilter.parse("province=浙江,江苏 p=江苏,广东 gender=female")
        #expect(filter.values(of: .province).map(Set.init) == [9])
        let nothing = try SegmentFilter.parse("gender=female gender=male")
        #expect(nothing.values(of: .gender)?.isEmpty == true)
        #expect(nothing.normalized == "gender=none")
        #expect(try SegmentFilter.parse(nothing.normalized) == nothing)
        for gender in UInt8(0)...2 {
            #expect(!nothing.matches(action: 0, ageRange: 0, gender: gender, province: 0, dayIndex: nil))
        }
    }

    @Test func equalityIsByMeaning() throws {
        let a = try SegmentFilter.parse("gender=female province=浙江 age=7")
        let b = try SegmentFilter.parse("p=浙江省 age_range=50岁以上 sex=女")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try SegmentFilter.parse("gender=female province=浙江")))
        // Constraining a dimension to all its values is still a constraint (the day is not).
        #expect(try SegmentFilter.parse("gender=0..2") != SegmentFilter())
    }

    @Test func blankTextIsTheEmptyFilter() throws {
        for text in ["", "   ", "\t\n", "\u{3000}"] {
            let filter = try SegmentFilter.parse(text)
            #expect(filter.isEmpty && filter == SegmentFilter() && filter.normalized == "")
        }
        #expect(!(try SegmentFilter.parse("gender=none")).isEmpty)
    }

    // MARK: Per-dimension access

    @Test func masksAndConstrainedDimensions() throws {
        let all = try SegmentFilter.parse("day=01-02 province=北京市 gender=male age=50+ action=buy,fav")
        #expect(all.constrainedDimensions == FilterDimension.allCases)
        #expect(all.actionMask == 0b1100)
        #expect(all.ageMask == 0b1_1000_0000)
        #expect(all.genderMask == 0b10)
        #expect(all.provinceMask == 1)
        #expect(all.days.map(Array.init) == [1])

        let one = try SegmentFilter.parse("province=浙江")
        #expect(one.constrainedDimensions == [.province] && one.constrains(.province) && !one.constrains(.day))
        #expect(one.actionMask == nil && one.ageMask == nil && one.genderMask == nil && one.days == nil)
        #expect(one.provinceMask == 1 << 10)
        // Events without a province: their own value, index 34.
        let unknown = try SegmentFilter.parse("province=unknown")
        #expect(unknown.provinceMask == 1 << 34)
        #expect(unknown.matches(action: 0, ageRange: 0, gender: 2, province: 34, dayIndex: nil))
        #expect(!unknown.matches(action: 0, ageRange: 0, gender: 2, province: 10, dayIndex: nil))
    }

    // MARK: Normalized text

    @Test func normalizedTextIsCanonical() throws {
        let cases: [(String, String)] = [
            ("province=浙江,江苏 gender=female age=18-24,25-29 action=buy day=11-01..11-11",
             "action=purchase age=18-24,25-29 gender=female province=江苏,浙江 day=11-01..11-11"),
            ("a=3,0 sex=2,f age=8,<18,0 p=inner-mongolia,北京", "action=click,favourite age=unknown,<18,50+ gender=female,unknown province=北京市,内蒙古"),
            ("d=11-10,11-11", "day=11-10,11-11"),
            ("d=11-9..11-11,11-13", "day=11-09..11-11,11-13"),
            ("d=2-28,3-1,2-29", "day=02-28..03-01"),
            ("d=4-29,4-30,5-1,5-3", "day=04-29..05-01,05-03"),
            ("age=2..4 age=3..6", "age=25-29,30-34"),
            ("action=none", "action=none"),
            ("gender=0..2", "gender=female,male,unknown"),
            ("p=unknown,浙江", "province=浙江,unknown"),
            ("province=未知", "province=unknown"),
        ]
        for (text, normalized) in cases {
            let filter = try SegmentFilter.parse(text)
            #expect(filter.normalized == normalized, "\(text)")
            #expect(filter.description == normalized)
            #expect(try SegmentFilter.parse(normalized) == filter, "\(text)")
        }
    }

    @Test func randomFiltersParseToTheirSetsAndRoundTrip() async {
        await propertyCheck(input: Self.randomFilters) { random in
            let filter: SegmentFilter
            do { filter = try SegmentFilter.parse(random.text) } catch {
                Issue.record("\(random.text): \(error)")
                return
            }
            for dimension in FilterDimension.allCases {
                #expect(filter.values(of: dimension).map(Set.init) == random.sets[dimension], "\(dimension.name) in \(random.text)")
            }
            let again = try? SegmentFilter.parse(filter.normalized)
            #expect(again == filter, "\(random.text) → \(filter.normalized)")
            #expect(again?.normalized == filter.normalized)
        }
    }

    static let randomFilters = zip(Gen.int(in: 0...4), Gen<UInt64>.value(), Gen<UInt64>.value())
        .map { RandomFilter.Seed(dimension: $0, values: $1, spelling: $2) }
        .array(of: 0...5)
        .map(RandomFilter.init)

    // MARK: Matching

    @Test func matchesAgreesWithBruteForce() async {
        await propertyCheck(count: 60, input: Self.randomFilters) { random in
            guard let filter = try? SegmentFilter.parse(random.text) else {
                Issue.record("\(random.text) does not parse")
                return
            }
            // Every code combination on a few days (nil: no event time; 60 is 02-30),
            // then every day slot for one combination.
            var days: [Int?] = [nil, 0, 59, 60, 305, 310, 371]
            days += random.sets[.day].map { Array($0.prefix(2)) } ?? []
            var wrong = 0
            for action in 0...3 {
                for age in 0...8 {
                    for gender in 0...2 {
                        for province in 0..<34 {
                            for day in days where filter.matches(
                                action: UInt8(action), ageRange: UInt8(age), gender: UInt8(gender), province: UInt8(province), dayIndex: day)
                                != FilterOracle.matches(random.sets, action: action, age: age, gender: gender, province: province, day: day)
                            {
                                wrong += 1
                            }
                        }
                    }
                }
            }
            let codes = [FilterDimension.action, .age, .gender, .province].map { random.sets[$0]?.min() ?? 0 }
            for day in 0..<372 where filter.matches(
                action: UInt8(codes[0]), ageRange: UInt8(codes[1]), gender: UInt8(codes[2]), province: UInt8(codes[3]), dayIndex: day)
                != FilterOracle.matches(random.sets, action: codes[0], age: codes[1], gender: codes[2], province: codes[3], day: day)
            {
                wrong += 1
            }
            #expect(wrong == 0, "\(random.text)")
        }
    }

    @Test func anEventWithoutEventTimeMatchesOnlyWithoutADayTerm() throws {
        #expect(try SegmentFilter.parse("gender=male").matches(action: 0, ageRange: 0, gender: 1, province: 0, dayIndex: nil))
        #expect(!(try SegmentFilter.parse("gender=male day=01-01..12-31").matches(action: 0, ageRange: 0, gender: 1, province: 0, dayIndex: nil)))
        // 02-30 has a slot but is never in a day set.
        #expect(!(try SegmentFilter.parse("day=02-01..03-31").matches(action: 0, ageRange: 0, gender: 1, province: 0, dayIndex: 60)))
    }

    // MARK: Errors

    private func error(_ text: String) -> FilterError? {
        do {
            _ = try SegmentFilter.parse(text)
            return nil
        } catch {
            #expect(!error.description.contains("\n"))
            return error
        }
    }

    @Test func aTermWithoutEqualsSign() {
        #expect(error("province=浙江 zhejiang") == .missingEquals(term: "zhejiang"))
        #expect(error("province=浙江 zhejiang")?.description
            == #"expected dimension=value in "zhejiang" (dimensions: action, age, gender, province, day)"#)
    }

    @Test func anUnknownDimension() {
        #expect(error("provnce=浙江") == .unknownDimension("provnce", term: "provnce=浙江", suggestion: "province"))
        #expect(error("provnce=浙江")?.description == #"unknown dimension "provnce" in "provnce=浙江" (did you mean province?)"#)
        #expect(error("=浙江") == .unknownDimension("", term: "=浙江", suggestion: nil))
        #expect(error("colour=red")?.description
            == #"unknown dimension "colour" in "colour=red" (use action, age, gender, province or day)"#)
    }

    @Test func anEmptyValue() {
        #expect(error("action=") == .emptyValue(term: "action="))
        #expect(error("gender=f action=click,,buy") == .emptyValue(term: "action=click,,buy"))
        #expect(error("action=click,")?.description == #"empty value in "action=click,""#)
    }

    @Test func anUnknownValue() {
        #expect(error("province=Zhejang")?.description
            == #"unknown province "Zhejang" in "province=Zhejang" (did you mean Zhejiang?)"#)
        #expect(error("gender=fmale") == .unknownValue(.gender, "fmale", term: "gender=fmale", suggestion: "female"))
        #expect(error("action=clik,buy") == .unknownValue(.action, "clik", term: "action=clik,buy", suggestion: "click"))
        #expect(error("age=teen") == .unknownValue(.age, "teen", term: "age=teen", suggestion: nil))
        #expect(error("province=Atlantis")?.description == #"unknown province "Atlantis" in "province=Atlantis""#)
        #expect(error("province=3") == .unknownValue(.province, "3", term: "province=3", suggestion: nil))
        #expect(error("day=1101")?.description == #"bad day "1101" in "day=1101" (write MM-DD or MM-DD..MM-DD)"#)
        #expect(error("day=11-111")?.term == "day=11-111")
    }

    @Test func aCodeOutOfRange() {
        #expect(error("action=4") == .codeOutOfRange(.action, "4", term: "action=4"))
        #expect(error("action=4")?.description == #"action code 4 is out of range 0–3 in "action=4""#)
        #expect(error("age=9")?.description == #"age code 9 is out of range 0–8 in "age=9""#)
        #expect(error("gender=3") == .codeOutOfRange(.gender, "3", term: "gender=3"))
        #expect(error("a=99999999999999999999999") == .codeOutOfRange(.action, "99999999999999999999999", term: "a=99999999999999999999999"))
    }

    @Test func anImpossibleDate() {
        for day in ["13-01", "04-31", "02-30", "00-10", "11-00", "11-32"] {
            #expect(error("day=\(day)") == .impossibleDate(day, term: "day=\(day)"))
        }
        #expect(error("day=11-01..04-31")?.description == #"no such day "04-31" in "day=11-01..04-31""#)
        #expect(error("day=02-29") == nil)
    }

    @Test func aReversedRange() {
        #expect(error("day=11-11..11-01") == .reversedRange("11-11..11-01", term: "day=11-11..11-01"))
        #expect(error("age=4..2") == .reversedRange("4..2", term: "age=4..2"))
        #expect(error("age=50+..18-24")?.description
            == #"range "50+..18-24" runs backwards in "age=50+..18-24" (write the smaller end first)"#)
    }

    @Test func aMalformedRange() {
        for value in ["..3", "1..", "1..2..3", "none..2"] {
            #expect(error("age=\(value)") == .malformedRange(value, term: "age=\(value)"), "\(value)")
        }
        #expect(error("province=浙江..江苏") == .malformedRange("浙江..江苏", term: "province=浙江..江苏"))
        #expect(error("day=11-01..")?.term == "day=11-01..")
    }

    @Test func aSpaceInsideAValueIsNamedWithTheSpellingsThatWork() throws {
        #expect(error("province=Inner Mongolia") == .valueSplitBySpace(.province, "Inner", term: "province=Inner",
                                                                       respellings: ["province=InnerMongolia", "province=内蒙古"]))
        #expect(error("gender=f province=Inner Mongolia")?.description
            == #"unknown province "Inner" in "province=Inner": a space separates terms, so write province=InnerMongolia or province=内蒙古"#)
        // Both spellings offered parse, to the province the words name.
        let innerMongolia = Province.all.first { $0.englishName == "Inner Mongolia" }!
        for respelling in ["province=InnerMongolia", "province=内蒙古"] {
            #expect(try SegmentFilter.parse(respelling).matches(action: 0, ageRange: 0, gender: 0, province: innerMongolia.index, dayIndex: 0))
        }
        // After a list, over three words, and where the joined spelling is already normal.
        #expect(error("province=Beijing,Hong Kong")?.description
            == #"unknown province "Hong" in "province=Beijing,Hong": a space separates terms, so write province=Beijing,HongKong or province=北京市,香港"#)
        #expect(error("action=add to cart") == .valueSplitBySpace(.action, "add", term: "action=add",
                                                                  respellings: ["action=addtocart", "action=cart"]))
        #expect(error("gender=fe male") == .valueSplitBySpace(.gender, "fe", term: "gender=fe", respellings: ["gender=female"]))
        // Nothing to join: the plain error, with its own suggestion.
        #expect(error("province=Zhejang gender=f") == .unknownValue(.province, "Zhejang", term: "province=Zhejang", suggestion: "Zhejiang"))
        #expect(error("province=Atlantis Mongolia") == .unknownValue(.province, "Atlantis", term: "province=Atlantis", suggestion: nil))
    }

    @Test func aPastedScreenfulIsEchoedOnceAndCut() {
        let junk = String(repeating: "x", count: 120_000)
        let cut = String(repeating: "x", count: 40) + "…"
        for (text, expected) in [
            ("province=" + junk, "unknown province \"\(cut)\""),
            ("gender=f " + junk, "expected dimension=value in \"\(cut)\" (dimensions: action, age, gender, province, day)"),
            (junk + "=1", "unknown dimension \"\(cut)\" (use action, age, gender, province or day)"),
            ("age=" + String(repeating: "9", count: 120_000), "age code \(String(repeating: "9", count: 40))… is out of range 0–8"),
            ("day=11-01.." + junk, "bad day \"\(cut)\" (write MM-DD or MM-DD..MM-DD)"),
        ] {
            #expect(error(text)?.description == expected)
        }
        // A long term with a short bad value names the value alone.
        let list = Array(repeating: "Beijing", count: 20).joined(separator: ",")
        #expect(error("province=\(list),Atlantis")?.description == #"unknown province "Atlantis""#)
    }

    // MARK: Drill-down

    @Test func addingNarrowsByOneValueAsTheNewestTerm() throws {
        let zhejiang = SegmentFilter().adding(.province, code: 10)
        #expect(zhejiang.normalized == "province=浙江")
        let women = zhejiang.adding(.gender, code: 0)
        #expect(women.normalized == "gender=female province=浙江")
        #expect(women.terms.map(\.text) == ["province=浙江", "gender=female"])
        #expect(women.adding(.age, code: 8).normalized == "age=50+ gender=female province=浙江")
        #expect(women.adding(.day, code: FilterOracle.dayIndex(11, 11)).normalized == "gender=female province=浙江 day=11-11")
        // Narrowing a listed dimension intersects.
        #expect(try SegmentFilter.parse("province=浙江,江苏").adding(.province, code: 9).normalized == "province=江苏")
        // No change, no new term: Backspace still removes what the user sees.
        #expect(women.adding(.province, code: 10).terms.count == 2)
        #expect(women.adding(.action, code: 9) == women && women.adding(.action, code: 9).terms.count == 2)
        #expect(women.adding(.day, code: 60).terms.count == 2)
    }

    @Test func removingLastTermKeepsTheOrder() throws {
        let filter = try SegmentFilter.parse("gender=female province=浙江 gender=male")
        #expect(filter.values(of: .gender)?.isEmpty == true)
        let back = filter.removingLastTerm()
        #expect(back == (try SegmentFilter.parse("gender=female province=浙江")))
        #expect(back.terms.map(\.text) == ["gender=female", "province=浙江"])
        #expect(back.removingLastTerm().removingLastTerm().isEmpty)
        #expect(SegmentFilter().removingLastTerm().isEmpty)
    }

    // MARK: Completion

    @Test func completesDimensionNames() {
        #expect(SegmentFilter.completions(for: "") == ["action=", "age=", "gender=", "province=", "day="])
        #expect(SegmentFilter.completions(for: "prov") == ["province="])
        #expect(SegmentFilter.completions(for: "a") == ["action=", "age="])
        #expect(SegmentFilter.completions(for: "se") == ["gender="])
        #expect(SegmentFilter.completions(for: "gender=f D") == ["gender=f day="])
        #expect(SegmentFilter.completions(for: "gender=f ") == ["action=", "age=", "gender=", "province=", "day="].map { "gender=f " + $0 })
        #expect(SegmentFilter.completions(for: "x").isEmpty)
    }

    @Test func completesValues() {
        #expect(SegmentFilter.completions(for: "province=Zh") == ["province=Zhejiang"])
        #expect(SegmentFilter.completions(for: "gender=f PROV=zh") == ["gender=f PROV=Zhejiang"])
        #expect(SegmentFilter.completions(for: "province=he") == ["province=Hebei", "province=Heilongjiang", "province=Henan"])
        #expect(SegmentFilter.completions(for: "province=浙") == ["province=浙江"])
        #expect(SegmentFilter.completions(for: "p=inner") == ["p=InnerMongolia"])
        #expect(SegmentFilter.completions(for: "action=click,p") == ["action=click,purchase"])
        #expect(SegmentFilter.completions(for: "age=18-24..3") == ["age=18-24..30-34", "age=18-24..35-39"])
        #expect(SegmentFilter.completions(for: "age=") == ["unknown", "<18", "18-24", "25-29", "30-34", "35-39", "40-49", "50+"].map { "age=" + $0 })
        #expect(SegmentFilter.completions(for: "province=").count == 35)
        #expect(SegmentFilter.completions(for: "day=11").isEmpty)
        #expect(SegmentFilter.completions(for: "colour=r").isEmpty)
    }

    @Test func everyValueCompletionParses() throws {
        for dimension in FilterDimension.allCases where dimension != .day {
            for prefix in ["", "a", "c", "f", "m", "u", "1", "<", "h", "s", "z", "5", "未"] {
                for completion in SegmentFilter.completions(for: "\(dimension.name)=\(prefix)") {
                    #expect(try SegmentFilter.parse(completion).constrainedDimensions == [dimension], "\(completion)")
                }
            }
        }
    }
}
