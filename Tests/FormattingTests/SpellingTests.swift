import Formatting
import Testing

/// The "did you mean" match, on names whose edit distances are counted by hand.
@Suite struct SpellingTests {
    @Test func theClosestWithinAThirdOfTheWordIsChosen() {
        let topics = ["orders-1", "orders-7", "payments", "user_behavior_logs"]
        // order-7 → orders-7: one insertion; → orders-1: an insertion and a substitution.
        #expect(Spelling.closest(to: "order-7", among: topics) == 1)
        // One deletion, case ignored.
        #expect(Spelling.closest(to: "USER_BEHAVIOR_LOG", among: topics) == 3)
        // paymnets → payments: two substitutions, within 8 / 3 = 2.
        #expect(Spelling.closest(to: "paymnets", among: topics) == 2)
    }

    @Test func nothingCloseEnoughIsNil() {
        // clicks → orders-1 and the rest: more than 6 / 3 = 2 edits.
        #expect(Spelling.closest(to: "clicks", among: ["orders-1", "payments"]) == nil)
        #expect(Spelling.closest(to: "", among: ["a"]) == nil)
        #expect(Spelling.closest(to: "abc", among: []) == nil)
    }

    @Test func theFirstOfEquallyCloseOnesIsChosen() {
        // orders-5 is one substitution from both.
        #expect(Spelling.closest(to: "orders-5", among: ["orders-1", "orders-7"]) == 0)
    }
}
