import Source
import Testing

/// Retention deleted records before they were read: counted, and reading goes on.
@Suite struct RetentionGapTests {
    @Test func recordsDeletedBeforeTheyWereReadAreSkippedAndReadingGoesOnFromTheLogStart() {
        let gap = RetentionGap(position: 120, logStart: 500, end: 900)
        #expect(gap.skipped == 120..<500)
        #expect(gap.resumeAt == 500)
    }

    /// The log start at the position (nothing lost, a spurious error): no gap, same place.
    @Test func aPositionTheBrokersStillHaveSkipsNothing() {
        #expect(RetentionGap(position: 500, logStart: 500, end: 900) == RetentionGap(position: 500, logStart: 500, end: 900))
        #expect(RetentionGap(position: 500, logStart: 500, end: 900).skipped == nil)
        #expect(RetentionGap(position: 500, logStart: 500, end: 900).resumeAt == 500)
        #expect(RetentionGap(position: 700, logStart: 500, end: 900).skipped == nil)
        #expect(RetentionGap(position: 700, logStart: 500, end: 900).resumeAt == 700)
    }

    /// A position past the end: the topic was recreated, read it from its log start.
    @Test func aPositionPastTheEndStartsOverFromTheLogStart() {
        let gap = RetentionGap(position: 5_000, logStart: 40, end: 900)
        #expect(gap.skipped == nil)
        #expect(gap.resumeAt == 40)
    }
}
