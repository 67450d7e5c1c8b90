import UserBehavior

/// One event at its event time: what `WindowBins` counts.
public struct TimedEvent: Equatable, Sendable {
    public var event: AnalyticEvent
    /// Event time, Unix ms.
    public var timeMs: Int64

    public init(_ event: AnalyticEvent, timeMs: Int64) {
        self.event = event
        self.timeMs = timeMs
    }
}

/// The recent stream in event time, as rings of `WindowSummary` bins that a window merges
/// on demand: the newest 120 minutes by the minute, and before them `holdBins` ten-minute
/// bins (`--hold`, 2 days = 288 by default), both relative to the newest minute seen.
///
/// Ten-minute bins start `phaseMinutes` (0–9) after the UTC ten minutes, so that a local day
/// in a zone such as Asia/Kathmandu (+05:45), Australia/Eucla (+08:45) or Pacific/Chatham
/// (+12:45/+13:45) starts on a bin edge: its `today` and cumulative users stay exact once its
/// start has left the minute ring. Below, ⌊m/10⌋ stands for ⌊(m − phase)/10⌋.
///
/// An event goes into its minute bin while that minute is in the minute ring, else into
/// its ten-minute bin while that is held, else only into the all-time state: one bin update
/// per event. A minute bin that leaves the ring is merged into its ten-minute bin. So where
/// an event lies is a function of its time and of the newest minute N alone: minute m with
/// m > N − 120 by the minute; else ten-minute ⌊m/10⌋ > ⌊N/10⌋ − holdBins by ten minutes;
/// else nowhere — which is why merging (align by time, keep the newest N) is associative
/// and commutative with the empty rings as identity: exactly for the counts and distinct
/// users, within `FrequentItems`' bounds for the rankings.
///
/// Memory at its bounds: (120 + holdBins) × `WindowSummary.bytesAtBounds` (69.6 KB):
/// 8.4 MB for the minute ring and 10.0 MB per held day (144 ten-minute bins); 28.4 MB with
/// the default 2 days. It never grows with events, users or items.
public struct WindowBins: Mergeable, Equatable, Sendable {
    public static let minuteBins = 120
    public static let minuteMs: Int64 = 60_000
    public static let tenMinutesMs: Int64 = 600_000
    /// Ten-minute bins in a day.
    public static let tenMinuteBinsPerDay = 144
    /// `--hold`'s bounds in ten-minute bins: 10 minutes to 7 days.
    public static let holdRange = 1...(7 * 144)
    public static let defaultHoldBins = 2 * 144

    public let holdBins: Int
    /// Minutes from a UTC ten-minute edge to a bin edge (`phase(dayStartMs:)`).
    public let phaseMinutes: Int
    /// The newest minute seen (Unix ms ÷ 60,000, floored); nil before any event.
    public private(set) var newestMinute: Int64?
    /// Ring slots: minute m at m mod 120, ten-minute t at t mod holdBins; each with the bin
    /// number it holds (nil: empty).
    private var minutes: [Bin]
    private var tens: [Bin]

    struct Bin: Equatable, Sendable {
        var number: Int64?
        var summary: WindowSummary
    }

    public init(holdBins: Int = WindowBins.defaultHoldBins, phaseMinutes: Int = 0) {
        precondition(Self.holdRange.contains(holdBins), "hold outside \(Self.holdRange)")
        precondition((0..<10).contains(phaseMinutes), "phase outside 0..<10")
        self.holdBins = holdBins
        self.phaseMinutes = phaseMinutes
        // Summaries are created when a bin opens: an empty ring costs little.
        minutes = Array(repeating: Bin(number: nil, summary: WindowSummary()), count: Self.minuteBins)
        tens = Array(repeating: Bin(number: nil, summary: WindowSummary()), count: holdBins)
    }

    public var empty: WindowBins { WindowBins(holdBins: holdBins, phaseMinutes: phaseMinutes) }

    /// The phase that puts a local day's start, `dayStartMs`, on a ten-minute bin edge.
    public static func phase(dayStartMs: Int64) -> Int {
        Int(floorMod(floorDivide(dayStartMs, minuteMs), 10))
    }

    /// The ten-minute bin holding `minute`.
    @inline(__always)
    public func ten(ofMinute minute: Int64) -> Int64 { floorDivide(minute - Int64(phaseMinutes), 10) }

    /// Where ten-minute bin `ten` starts (Unix ms).
    @inline(__always)
    public func startMs(ofTen ten: Int64) -> Int64 { (ten * 10 + Int64(phaseMinutes)) * Self.minuteMs }

    /// The first ten-minute bin edge at or after `ms`.
    public func tenEdge(atOrAfter ms: Int64) -> Int64 {
        let phase = Int64(phaseMinutes) * Self.minuteMs
        return floorDivide(ms - phase + Self.tenMinutesMs - 1, Self.tenMinutesMs) * Self.tenMinutesMs + phase
    }

    /// Bytes held (capacities).
    public var memoryFootprint: Int {
        (minutes + tens).reduce(0) { $0 + $1.summary.memoryFootprint }
    }

    // MARK: Adding

    @inline(__always)
    public mutating func add(_ element: TimedEvent) {
        add(element.event, timeMs: element.timeMs)
    }

    public mutating func add(_ event: AnalyticEvent, timeMs: Int64) {
        let minute = floorDivide(timeMs, Self.minuteMs)
        if minute > newestMinute ?? .min { advance(to: minute) }
        place(minute: minute) { $0.add(event) }
    }

    /// Puts into the bin that holds `minute` now (minute ring, else ten-minute ring, else
    /// nowhere) what `body` adds.
    @inline(__always)
    private mutating func place(minute: Int64, _ body: (inout WindowSummary) -> Void) {
        guard let newest = newestMinute else { return }
        if minute > newest - Int64(Self.minuteBins) {
            let slot = Int(floorMod(minute, Int64(Self.minuteBins)))
            if minutes[slot].number != minute { minutes[slot] = Bin(number: minute, summary: WindowSummary()) }
            body(&minutes[slot].summary)
        } else {
            let ten = ten(ofMinute: minute)
            guard ten > self.ten(ofMinute: newest) - Int64(holdBins) else { return }
            let slot = Int(floorMod(ten, Int64(holdBins)))
            if tens[slot].number != ten { tens[slot] = Bin(number: ten, summary: WindowSummary()) }
            body(&tens[slot].summary)
        }
    }

    /// Makes `minute` the newest: minute bins that leave the ring go to their ten-minute bins
    /// (or nowhere, past the hold), ten-minute bins past the hold are dropped.
    private mutating func advance(to minute: Int64) {
        let previous = newestMinute
        newestMinute = minute
        guard let previous else { return }
        // Only bins older than the new ring can leave; at most the whole ring.
        let leaving = (previous - Int64(Self.minuteBins) + 1)...(minute - Int64(Self.minuteBins))
        if !leaving.isEmpty {
            for slot in minutes.indices {
                guard let number = minutes[slot].number, leaving.contains(number) else { continue }
                let summary = minutes[slot].summary
                minutes[slot] = Bin(number: nil, summary: WindowSummary())
                place(minute: number) { $0.merge(summary) }
            }
        }
        let oldestTen = ten(ofMinute: minute) - Int64(holdBins)
        for slot in tens.indices where (tens[slot].number ?? .max) <= oldestTen {
            tens[slot] = Bin(number: nil, summary: WindowSummary())
        }
    }

    // MARK: Merging

    /// Rings of another phase (a state counted before phases, merged with one after) cannot
    /// be merged exactly: each of their ten-minute bins goes whole into ours that holds its
    /// first minute.
    public mutating func merge(_ other: WindowBins) {
        guard let theirs = other.newestMinute else { return }
        if theirs > newestMinute ?? .min { advance(to: theirs) }
        for bin in other.tens {
            guard let number = bin.number else { continue }
            let ten = other.phaseMinutes == phaseMinutes ? number : self.ten(ofMinute: number * 10 + Int64(other.phaseMinutes))
            // Any minute of it lands where the ten-minute bin would: older than our ring.
            guard ten > self.ten(ofMinute: newestMinute!) - Int64(holdBins) else { continue }
            mergeTen(ten, bin.summary)
        }
        for bin in other.minutes {
            guard let minute = bin.number else { continue }
            place(minute: minute) { $0.merge(bin.summary) }
        }
    }

    private mutating func mergeTen(_ ten: Int64, _ summary: WindowSummary) {
        let slot = Int(floorMod(ten, Int64(holdBins)))
        if tens[slot].number != ten { tens[slot] = Bin(number: ten, summary: WindowSummary()) }
        tens[slot].summary.merge(summary)
    }

    public static func == (a: WindowBins, b: WindowBins) -> Bool {
        a.holdBins == b.holdBins && a.phaseMinutes == b.phaseMinutes && a.newestMinute == b.newestMinute
            && a.minuteBinList.elementsEqual(b.minuteBinList, by: ==) && a.tenBinList.elementsEqual(b.tenBinList, by: ==)
    }

    // MARK: Reading

    /// Non-empty minute bins by start time (ms), oldest first.
    public var minuteBinList: [(startMs: Int64, summary: WindowSummary)] {
        minutes.compactMap { bin in bin.number.flatMap { bin.summary.isEmpty ? nil : ($0 * Self.minuteMs, bin.summary) } }
            .sorted { $0.startMs < $1.startMs }
    }

    /// Non-empty ten-minute bins by start time (ms), oldest first. A ten-minute bin holds
    /// only the minutes that left the minute ring (or came after they left).
    public var tenBinList: [(startMs: Int64, summary: WindowSummary)] {
        tens.compactMap { bin in bin.number.flatMap { bin.summary.isEmpty ? nil : (startMs(ofTen: $0), bin.summary) } }
            .sorted { $0.startMs < $1.startMs }
    }

    /// Where the minute ring starts (ms): minutes from here on are by the minute.
    public var minuteRingStartMs: Int64? { newestMinute.map { ($0 - Int64(Self.minuteBins) + 1) * Self.minuteMs } }

    /// The oldest instant the rings hold (ms): the start of the oldest held ten-minute bin.
    public var heldFromMs: Int64? {
        newestMinute.map { startMs(ofTen: ten(ofMinute: $0) - Int64(holdBins) + 1) }
    }

    /// Whether every event from `fromMs` on is in a bin inside any span starting there: false
    /// when `fromMs` is older than the hold, or falls inside a ten-minute bin some of whose
    /// minutes left the minute ring (that bin is not inside the span, so they are missed).
    public func holds(fromMs: Int64) -> Bool {
        guard let ringStart = minuteRingStartMs, let heldFrom = heldFromMs else { return true }
        return fromMs >= heldFrom && (tenEdge(atOrAfter: fromMs) == fromMs || fromMs >= ringStart)
    }

    /// Whether the bins inside `[fromMs, toMs)` hold every event of it: `holds(fromMs:)`, and
    /// the span ends on a ten-minute boundary or every minute of its last, partial ten-minute
    /// bin is in the minute ring. (A window that ends at a watermark lagging the newest minute
    /// by more than the ring ends inside a ten-minute bin that reaches past it: its minutes
    /// are not counted.)
    public func holds(fromMs: Int64, toMs: Int64) -> Bool {
        guard let ringStart = minuteRingStartMs else { return true }
        guard holds(fromMs: fromMs) else { return false }
        let lastTen = startMs(ofTen: ten(ofMinute: floorDivide(toMs, Self.minuteMs)))
        return lastTen == toMs || max(fromMs, lastTen) >= ringStart
    }

    /// Calls `body` for each non-empty bin inside `[fromMs, toMs)` — minute bins that start
    /// in it, ten-minute bins wholly in it — with its start and length (ms). Their events
    /// are exactly the span's while `holds(fromMs:)` and `toMs` is a ten-minute boundary or
    /// within the minute ring.
    public func forEachBin(fromMs: Int64, toMs: Int64, _ body: (_ startMs: Int64, _ lengthMs: Int64, WindowSummary) -> Void) {
        for bin in minutes {
            guard let number = bin.number, !bin.summary.isEmpty else { continue }
            let start = number * Self.minuteMs
            if start >= fromMs && start < toMs { body(start, Self.minuteMs, bin.summary) }
        }
        for bin in tens {
            guard let number = bin.number, !bin.summary.isEmpty else { continue }
            let start = startMs(ofTen: number)
            if start >= fromMs && start + Self.tenMinutesMs <= toMs { body(start, Self.tenMinutesMs, bin.summary) }
        }
    }
}

extension WindowBins {
    private static let version: UInt8 = 2

    /// Version, hold, phase, newest minute, then the non-empty bins of each ring (minute ring first)
    /// as (bin number, summary), oldest first: equal values encode to equal bytes.
    public func encode(into writer: inout BinaryWriter) {
        writer.write(Self.version)
        writer.write(varint: UInt64(holdBins))
        writer.write(varint: UInt64(phaseMinutes))
        writer.write(optional: newestMinute)
        for list in [minuteBinList.map { ($0.startMs / Self.minuteMs, $0.summary) },
                     tenBinList.map { (ten(ofMinute: $0.startMs / Self.minuteMs), $0.summary) }] {
            writer.write(varint: UInt64(list.count))
            for (number, summary) in list {
                writer.write(signedVarint: number)
                summary.encode(into: &writer)
            }
        }
    }

    public init(from reader: inout BinaryReader) throws(SummaryDecodingError) {
        // Version 1 (before phases) is read as phase 0, as it was counted.
        let version = try reader.readByte()
        guard version == 1 || version == Self.version else { throw .invalid("unknown window rings version") }
        let hold = try reader.readCount(atMost: Self.holdRange.upperBound)
        guard Self.holdRange.contains(hold) else { throw .invalid("a hold out of range") }
        let phase = version == 1 ? 0 : try reader.readCount(atMost: 9)
        self.init(holdBins: hold, phaseMinutes: phase)
        newestMinute = try reader.readOptional()
        let minuteCount = try reader.readCount(atMost: Self.minuteBins)
        for _ in 0..<minuteCount {
            let number = try reader.readSignedVarint()
            let summary = try WindowSummary(from: &reader)
            guard let newest = newestMinute, number <= newest, number > newest - Int64(Self.minuteBins) else {
                throw .invalid("a minute bin outside its ring")
            }
            minutes[Int(floorMod(number, Int64(Self.minuteBins)))] = Bin(number: number, summary: summary)
        }
        let tenCount = try reader.readCount(atMost: hold)
        for _ in 0..<tenCount {
            let number = try reader.readSignedVarint()
            let summary = try WindowSummary(from: &reader)
            guard let newest = newestMinute, number <= ten(ofMinute: newest), number > ten(ofMinute: newest) - Int64(hold) else {
                throw .invalid("a ten-minute bin outside its ring")
            }
            tens[Int(floorMod(number, Int64(hold)))] = Bin(number: number, summary: summary)
        }
    }
}

@inline(__always)
private func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDivide(a, b) * b }
