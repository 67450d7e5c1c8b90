import Testing
import UserBehavior

@Suite struct MessageMappingTests {
    private func parse(_ text: String) throws(MappingError) -> MessageMapping { try MessageMapping.parse(text) }

    private func problem(_ text: String) -> MappingError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyIsTheIdentity() throws {
        for text in ["", " ", "\n# only a comment\n", ",,"] {
            let mapping = try parse(text)
            #expect(mapping.isIdentity && mapping == MessageMapping() && mapping.description == "")
        }
    }

    @Test func renamesValuePairsAndDefaults() throws {
        let mapping = try parse("user_id=uid, item_id = sku ,action=event:view=click:addcart=1:order=purchase:fav=favourite,gender?=unknown,province?=上海")
        #expect(mapping.sources == ["uid", "sku", "cat_id", "merchant_id", "brand_id", "month", "day", "event", "age_range", "gender", "province"])
        #expect(mapping.values[EventField.action.rawValue].map(\.from) == ["view", "addcart", "order", "fav"])
        #expect(mapping.values[EventField.action.rawValue].map(\.code) == [0, 1, 2, 3])
        #expect(mapping.defaults[EventField.gender.rawValue] == "2")
        #expect(mapping.defaults[EventField.province.rawValue] == "上海市")
        #expect(mapping.description
            == "user_id=uid,item_id=sku,action=event:view=click:addcart=cart:order=purchase:fav=favourite,gender?=unknown,province?=上海市")
        #expect(!mapping.isIdentity)
        #expect(try parse("action=event:order=2:fav=favourite:view=0:addcart=cart,province?=上海市,item_id=sku,gender?=2,user_id=uid")
            == mapping)
    }

    @Test func aFileFormWithCommentsAndNewlines() throws {
        let file = """
            # the clickstream of shop X
            user_id=uid   # the account
            item_id=sku
            gender:f=female:m=male:0=unknown
            age_range?=0
            """
        let mapping = try parse(file)
        #expect(mapping.description == "user_id=uid,item_id=sku,gender:f=female:m=male:0=unknown,age_range?=0")
        #expect(try parse(mapping.description) == mapping)
    }

    @Test func theDescriptionParsesBack() throws {
        for text in ["action:1=cart", "month=m,day=d,brand_id?=7", "age_range=age:young=1:old=8", "province=region,gender=sex:x=2"] {
            let mapping = try parse(text)
            #expect(try parse(mapping.description) == mapping)
        }
    }

    @Test func renamingAFieldToAnotherFieldsKeyNeedsThatOneRenamedToo() throws {
        let swapped = try parse("user_id=item_id,item_id=user_id")
        #expect(swapped.sources[0] == "item_id" && swapped.sources[1] == "user_id")
        #expect(problem("user_id=item_id") == MappingError(term: "user_id=item_id", problem: .sharedKey(.itemID)))
    }

    @Test(arguments: [
        ("when=event_time", MappingError.Problem.unknownField("when")),
        ("user_id=", .emptyName),
        ("user_id", .malformed),
        ("action:view", .malformed),
        ("action:=click", .malformed),
        ("action:a=b=c", .malformed),
        ("gender?unknown", .malformed),
        ("user_id=uid,user_id=u2", .repeated(.userID)),
        ("gender?=male,gender?=female", .repeated(.gender)),
        ("province=region:zj=浙江", .notCoded(.province)),
        ("action=event:view=look", .badValue(.action, "look")),
        ("action:view=4", .badValue(.action, "4")),
        ("age_range:old=9", .badValue(.ageRange, "9")),
        ("gender?=other", .badValue(.gender, "other")),
        ("province?=Atlantis", .badValue(.province, "Atlantis")),
        ("month?=eleven", .badValue(.month, "eleven")),
        ("action:view=click:view=cart", .repeatedValue("view")),
    ])
    func eachBadTermIsNamed(text: String, expected: MappingError.Problem) {
        let error = problem(text)
        #expect(error?.problem == expected)
        // The term named is the one at fault, not the whole map.
        #expect(error.map { text.split(separator: ",").map(String.init).contains($0.term) } == true)
        #expect(error?.description.hasPrefix("--map: \(error?.term ?? ""): ") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func anUnknownFieldListsTheFields() {
        #expect(problem("when=event_time")?.description
            == "--map: when=event_time: when is not a field; the fields are user_id, item_id, cat_id, merchant_id, brand_id, month, day, action, age_range, gender, province and ts")
    }
}
