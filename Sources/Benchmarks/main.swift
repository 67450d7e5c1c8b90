import Aggregation
import Alerting
import Analytics
import Checkpoint
import Formatting
import Foundation
import Generator
import LiveValues
import Runtime
import TUI
import UserBehavior

// Micro-benchmarks of the hot paths, in-process and release-built (bench/run builds and
// runs this): events per second per core for decoding, folding and the producer's CSV to
// JSON step, and the time to render one dashboard frame. Prints one table row per figure.

/// The median of `runs` timings of `body`, in seconds.
func measure(runs: Int = 5, _ body: () -> Void) -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = MonotonicClock.nanoseconds()
        body()
        times.append(Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

func row(_ name: String, _ value: String, _ unit: String) {
    print("| \(name) | \(value) | \(unit) |")
}

let rows = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
var csv: [[UInt8]] = []
SyntheticDataset(rows: rows, seed: 3).generate { chunk in
    for line in chunk.split(separator: 0x0A) { csv.append(Array(line)) }
}
csv.removeFirst()  // header

// The messages as the producer writes them.
var messages: [[UInt8]] = []
var fields = CSVFields()
var builder = EventBuilder()
for line in csv {
    line.withUnsafeBytes { bytes in
        if case .success(let event) = CSVRecord.parse(bytes, columns: .dataset, fields: &fields, builder: &builder) {
            var json: [UInt8] = []
            EventJSON.append(event, to: &json)
            messages.append(json)
        }
    }
}

var sink = 0
print("| micro-benchmark (\(Format.thousands(messages.count)) rows, 1 core) | median | unit |")
print("|---|---:|---|")

/// The producer's per-row work, outside the main actor (whose checks would be measured too):
/// a plain line's key and message written in one pass, or (for the rest) the general path.
nonisolated func csvToJSON(_ csv: [[UInt8]]) -> Int {
    var fields = CSVFields()
    var builder = EventBuilder()
    let out = UnsafeMutableRawPointer.allocate(byteCount: EventJSON.maxKeyAndMessageBytes, alignment: 8)
    defer { out.deallocate() }
    var bytesOut = 0
    for line in csv {
        line.withUnsafeBytes { bytes in
            if let written = CanonicalRow.writeMessage(of: bytes, into: out) {
                bytesOut &+= written.keyLength + written.messageLength
            } else if case .success(let event) = CSVRecord.parse(bytes, columns: .dataset, fields: &fields, builder: &builder) {
                bytesOut &+= EventJSON.write(event, into: out)
            }
        }
    }
    return bytesOut
}

let produceTime = measure { sink &+= csvToJSON(csv) }
row("CSV row → key and validated JSON message (produce's per-row work)", Format.thousands(Int(Double(csv.count) / produceTime)), "rows/s")

nonisolated func decodeAll(_ messages: [[UInt8]]) -> Int {
    let decoder = MessageDecoder()
    var actions = 0
    for message in messages {
        message.withUnsafeBytes { bytes in
            if case .event(let event) = decoder.decode(bytes) { actions &+= Int(event.action.rawValue) }
        }
    }
    return actions
}

let decodeTime = measure { sink &+= decodeAll(messages) }
row("JSON message → event (decoder)", Format.thousands(Int(Double(messages.count) / decodeTime)), "events/s")

// The same events with event times to the ms: produce's ts form (the decoder's shortcut),
// and an ISO-8601 `event_time` (the general path and the date arithmetic).
let isoCalendar = try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai")
let (timedMessages, isoMessages) = { () -> ([[UInt8]], [[UInt8]]) in
    let decoder = MessageDecoder()
    var timed: [[UInt8]] = [], iso: [[UInt8]] = []
    for (i, message) in messages.enumerated() {
        guard case .event(var event) = message.withUnsafeBytes({ decoder.decode($0) }) else { continue }
        event.timestampMs = 1_794_326_400_000 + Int64(i) * 37
        (event.month, event.day) = (0, 0)
        var bytes: [UInt8] = []
        EventJSON.append(event, to: &bytes)
        timed.append(bytes)
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(
            of: "\"ts\":\(event.timestampMs!)", with: "\"event_time\":\"\(isoCalendar.isoString(milliseconds: event.timestampMs!))\"")
        iso.append(Array(text.utf8))
    }
    return (timed, iso)
}()
precondition(decodeAll(isoMessages) == decodeAll(messages) && decodeAll(timedMessages) == decodeAll(messages),
             "the timestamped messages do not decode as the originals")
let timedDecodeTime = measure { sink &+= decodeAll(timedMessages) }
row("JSON message with ts (ms) → event (decoder)", Format.thousands(Int(Double(timedMessages.count) / timedDecodeTime)), "events/s")
let isoDecodeTime = measure { sink &+= decodeAll(isoMessages) }
row("JSON message with an ISO-8601 event_time → event (decoder)", Format.thousands(Int(Double(isoMessages.count) / isoDecodeTime)), "events/s")

// The same messages in another system's shape (other keys, the action as a word), decoded
// under the `--map` that reads them: within 10 % of the row above is the target.
nonisolated func decodeAll(_ messages: [[UInt8]], mapping: MessageMapping) -> Int {
    let decoder = MessageDecoder(mapping: mapping)
    var actions = 0
    for message in messages {
        message.withUnsafeBytes { bytes in
            if case .event(let event) = decoder.decode(bytes) { actions &+= Int(event.action.rawValue) }
        }
    }
    return actions
}

let otherShape = try! MessageMapping.parse("user_id=uid,item_id=sku,merchant_id=shop,action=event:view=click:addcart=cart:order=purchase:fav=favourite")
let otherMessages = messages.map { message in
    var text = String(decoding: message, as: UTF8.self)
    for (from, to) in [("\"user_id\"", "\"uid\""), ("\"item_id\"", "\"sku\""), ("\"merchant_id\"", "\"shop\"")] {
        text = text.replacingOccurrences(of: from, with: to)
    }
    for (code, word) in ["view", "addcart", "order", "fav"].enumerated() {
        text = text.replacingOccurrences(of: "\"action\":\(code),", with: "\"event\":\"\(word)\",")
    }
    return Array(text.utf8)
}
precondition(decodeAll(otherMessages, mapping: otherShape) == decodeAll(messages), "the mapped messages do not decode as the originals")
// Side by side: each round times the canonical pass and then the mapped one, so that the
// load of the machine in that moment weighs on both; the ratio is the median round's.
var mappedTimes: [Double] = []
var speedRatios: [Double] = []
for _ in 0..<9 {
    let canonical = measure(runs: 1) { sink &+= decodeAll(messages) }
    let mapped = measure(runs: 1) { sink &+= decodeAll(otherMessages, mapping: otherShape) }
    mappedTimes.append(mapped)
    speedRatios.append(canonical / mapped)
}
let mappedDecodeTime = mappedTimes.sorted()[mappedTimes.count / 2]
row("JSON message of another shape → event (decoder under --map)", Format.thousands(Int(Double(messages.count) / mappedDecodeTime)), "events/s")
row("… its speed over the canonical decoder's (alternating, median of 9 rounds; target ≥ 0.9)",
    String(format: "%.2f", speedRatios.sorted()[speedRatios.count / 2]), "×")

nonisolated func foldAll(_ messages: [[UInt8]], config: AggregationConfig) -> Int {
    let aggregator = Aggregator(config: config)
    let decoder = MessageDecoder()
    for (i, message) in messages.enumerated() {
        message.withUnsafeBytes { _ = aggregator.ingest(partition: Int32(i & 63), offset: Int64(i >> 6), payload: $0, decoder: decoder, now: Int64(i >> 10)) }
    }
    aggregator.flush(now: Int64(messages.count))
    return aggregator.state.counts.events
}

let config = AggregationConfig(calendar: try! EventCalendar(year: 2026, timeZone: "Asia/Shanghai"))
let foldTime = measure { sink &+= foldAll(messages, config: config) }
row("JSON message → counts (decode + event time + watermark + batch)", Format.thousands(Int(Double(messages.count) / foldTime)), "events/s")

// Each analytic on its own, over the same events (SPEC §7): what every one costs per event.
var analyticEvents: [AnalyticEvent] = []
for line in csv {
    line.withUnsafeBytes { bytes in
        if case .success(let e) = CSVRecord.parse(bytes, columns: .dataset, fields: &fields, builder: &builder) {
            let day = EventCalendar.dayIndex(month: e.month, day: e.day)
            analyticEvents.append(AnalyticEvent(
                userID: e.userID, itemID: e.itemID, catID: e.catID, merchantID: e.merchantID, brandID: e.brandID,
                action: e.action.rawValue, ageRange: e.ageRange.rawValue, gender: e.gender.rawValue,
                province: e.province.index, dayIndex: day, late: false))
        }
    }
}

nonisolated func fold(_ events: [AnalyticEvent], _ add: (inout BehaviorSummary, AnalyticEvent) -> Void) -> Int {
    var summary = BehaviorSummary()
    for event in events { add(&summary, event) }
    return Int(summary.segments.total) &+ summary.repeatBuyers.count
}

for (name, add) in [
    ("every analytic (segment cube, distinct users, trending, repeat buyers)", { (s: inout BehaviorSummary, e: AnalyticEvent) in s.add(e) }),
    ("segment cube alone", { (s: inout BehaviorSummary, e: AnalyticEvent) in s.segments.add(e.cell, late: e.late) }),
    ("distinct users alone (2,053 counters)", { (s: inout BehaviorSummary, e: AnalyticEvent) in s.users.add(e) }),
    ("trending alone (48 frequent-items summaries)", { (s: inout BehaviorSummary, e: AnalyticEvent) in s.trending.add(e) }),
] as [(String, (inout BehaviorSummary, AnalyticEvent) -> Void)] {
    let time = measure { sink &+= fold(analyticEvents, add) }
    row("event → \(name)", Format.thousands(Int(Double(analyticEvents.count) / time)), "events/s")
}

// A checkpoint of everything folded from the rows, every analytic included: encoded and
// written atomically (temporary file, fsync, rename, fsync of the directory).
let folded = Aggregator(config: config)
let decoder = MessageDecoder()
for (i, message) in messages.enumerated() {
    message.withUnsafeBytes { _ = folded.ingest(partition: Int32(i & 255), offset: Int64(i >> 8), payload: $0, decoder: decoder, now: 0) }
}
folded.flush(now: 0)
let checkpointFile = CheckpointFile(path: FileManager.default.temporaryDirectory.appendingPathComponent("tbdash-bench-\(getpid()).state").path)
let checkpoint = Checkpoint(topic: "bench", semantics: Checkpoint.Semantics(config), state: folded.state)
let encodeTime = measure { sink &+= CheckpointCodec.encode(checkpoint).count }
let saveTime = measure { try! checkpointFile.save(checkpoint) }
let savedBytes = (try? FileManager.default.attributesOfItem(atPath: checkpointFile.path)[.size] as? Int) ?? 0
try? FileManager.default.removeItem(atPath: checkpointFile.path)
row("checkpoint of \(Format.thousands(messages.count)) events, every analytic (\(savedBytes / 1024) KiB): encode", String(format: "%.1f", encodeTime * 1000), "ms")
row("… and save (encode, write, fsync, rename, fsync directory)", String(format: "%.1f", saveTime * 1000), "ms")
let footprint = folded.state.summary.memoryFootprint
func mebibytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }
row("memory of that state: cube \(mebibytes(footprint.segments)), distinct users \(mebibytes(footprint.users)), "
    + "trending \(mebibytes(footprint.trending)), repeat buyers \(mebibytes(footprint.repeatBuyers))",
    mebibytes(footprint.segments + footprint.users + footprint.trending + footprint.repeatBuyers), "MiB")

// A scale-out viewer's merge (issue 28): the timestamped rows folded per partition, as 64
// workers publish them, then all merged into one state as `watch --changelog` does for
// each snapshot it publishes.
let partitionStates: [AggregationState] = {
    let aggregators = (0..<64).map { _ in Aggregator(config: config) }
    let decoder = MessageDecoder()
    for (i, message) in timedMessages.enumerated() {
        message.withUnsafeBytes { _ = aggregators[i & 63].ingest(partition: Int32(i & 63), offset: Int64(i >> 6), payload: $0, decoder: decoder, now: 0) }
    }
    return aggregators.map { aggregator in
        aggregator.flush(now: 0)
        return aggregator.state
    }
}()
let viewerMergeTime = measure {
    var merged = partitionStates[0].empty
    for state in partitionStates { merged.merge(state) }
    sink &+= merged.counts.events
}
row("a viewer's merge of 64 partitions' states (the rows with ts, folded by partition)", String(format: "%.1f", viewerMergeTime * 1000), "ms")

let aggregator = Aggregator(config: config)
// A filter active (SPEC §6: a frame at 200×60 with a filter active < 2 ms), with figures.
aggregator.query.filter = try! SegmentFilter.parse("province=浙江,江苏 gender=female")
for (i, message) in messages.enumerated() {
    message.withUnsafeBytes { _ = aggregator.ingest(partition: Int32(i % 8), offset: Int64(i / 8), payload: $0, decoder: decoder, now: 0) }
}
aggregator.flush(now: 0)
var model = DashboardModel(snapshot: LiveSnapshot(aggregate: aggregator.snapshot(now: 0, figures: true), status: .live),
                           topic: "user_behavior_logs", brokers: "127.0.0.1:9092", group: "tbdash", calendar: config.calendar)
model.query = aggregator.query
model.clock = WallClock.milliseconds()
let dashboard = Dashboard(theme: Theme(colors: .extended, glyphs: .blocks))
let frames = 200
let pageTimes = Page.allCases.map { page in
    var shown = model
    shown.page = page
    let time = measure {
        for _ in 0..<frames { sink &+= dashboard.render(shown, width: 200, height: 60).width }
    }
    return (page, time / Double(frames) * 1000)
}
row("render one frame at 200×60 into the cell grid (filter active)", String(format: "%.3f", pageTimes[0].1), "ms")
let slowest = pageTimes.max { $0.1 < $1.1 }!
row("render the slowest page (\(slowest.0)) at 200×60, filter active", String(format: "%.3f", slowest.1), "ms")

// 100 alarm rules evaluated on one snapshot (issue 26: < 1 ms): every kind of figure, ten
// segments, rates, a comparison with another figure; the snapshot carries the segments.
let provinces = ["浙江", "江苏", "广东", "上海", "北京", "四川", "湖北", "山东", "河南", "福建"]
let ruleTexts = (0..<100).map { i -> String in
    let segment = "[province=\(provinces[i % 10])]"
    switch i % 10 {
    case 0: return "r\(i): purchases/min\(segment) < 50 for 2m"
    case 1: return "r\(i): conversion\(segment) < 5% for 5m"
    case 2: return "r\(i): late%\(segment) > 1 for 1m"
    case 3: return "r\(i): events/s < 100 for 30s"
    case 4: return "r\(i): lag > 30s"
    case 5: return "r\(i): rejected > 0"
    case 6: return "r\(i): share\(segment) > 10%"
    case 7: return "r\(i): uv\(segment) < 0.5 * uv"
    case 8: return "r\(i): watermark-delay > 5m"
    default: return "r\(i): clicks\(segment) > 1000"
    }
}
let alertRules = ruleTexts.map { try! AlertRule.parse($0) }
var watchedQuery = aggregator.query
watchedQuery.watched = Array(Set(alertRules.flatMap(\.segments.values)))
let alertSnapshot = LiveSnapshot(aggregate: AggregateSnapshot(state: aggregator.state, query: watchedQuery, config: config, now: 0, figures: true),
                                 status: .live)
var alertEngine = AlertEngine(rules: alertRules)
var evaluations: Int64 = 0
let alertTime = measure {
    for _ in 0..<1_000 {
        evaluations += 1
        sink &+= alertEngine.evaluate(SnapshotReadings(alertSnapshot, nowMs: evaluations * 250), now: evaluations * 250).count
    }
}
// 1,000 evaluations: the seconds they take are the milliseconds one takes.
row("evaluate 100 alarm rules on a snapshot (10 segments, rates)", String(format: "%.3f", alertTime), "ms")
if sink == 42 { print("") }  // keep the work from being optimised away

enum Format {
    static func thousands(_ n: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: n)) ?? "\(n)"
    }
}
