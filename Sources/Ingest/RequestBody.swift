/// Where the events of a request body are: one JSON object, a JSON array of them, or
/// newline-delimited JSON (one per line). Only the structure is scanned here — strings,
/// escapes and brackets, no values — so each event's bytes go whole to `MessageDecoder`,
/// which says whether it is an event and why not. No recursion: any nesting depth costs
/// one counter.
public enum RequestBody {
    /// Why a body holds no list of events at all (the answer is 400).
    public enum Failure: Error, Equatable, Sendable {
        /// Nothing but whitespace.
        case empty
        /// Starts as a JSON array that never closes, or has something after it.
        case malformedArray

        public var reason: String {
            switch self {
            case .empty: "empty body: send a JSON event, an array of events, or one event per line"
            case .malformedArray: "malformed JSON array: it does not close, or something follows it"
            }
        }
    }

    /// The byte ranges of the body's events, in order (an event's index is its place here).
    public static func events(in body: UnsafeRawBufferPointer) throws(Failure) -> [Range<Int>] {
        var i = startsWithByteOrderMark(body) ? 3 : 0
        skipWhitespace(body, &i)
        guard i < body.count else { throw .empty }
        if body[i] == UInt8(ascii: "[") { return try arrayElements(body, from: i) }
        // One value, perhaps pretty-printed over many lines, is one event…
        var end = i
        if skipValue(body, &end) {
            var rest = end
            skipWhitespace(body, &rest)
            if rest == body.count { return [i..<end] }
        }
        // … anything else is one event per line (blank lines are no events).
        var ranges: [Range<Int>] = []
        var start = i
        while start < body.count {
            var stop = start
            while stop < body.count && body[stop] != UInt8(ascii: "\n") { stop += 1 }
            var last = stop
            while last > start && isWhitespace(body[last - 1]) { last -= 1 }
            var first = start
            while first < last && isWhitespace(body[first]) { first += 1 }
            if first < last { ranges.append(first..<last) }
            start = stop + 1
        }
        return ranges
    }

    /// The elements of a top-level array, each with its surrounding whitespace trimmed.
    private static func arrayElements(_ body: UnsafeRawBufferPointer, from open: Int) throws(Failure) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = open + 1
        skipWhitespace(body, &i)
        if i < body.count && body[i] == UInt8(ascii: "]") {
            i += 1
        } else {
            while true {
                let start = i
                // An element ends at a comma or the closing bracket at depth 0.
                var depth = 0
                while i < body.count {
                    let byte = body[i]
                    if byte == UInt8(ascii: "\"") {
                        guard skipString(body, &i) else { throw .malformedArray }
                        continue
                    }
                    if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                        depth += 1
                    } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                        if depth == 0 { break }
                        depth -= 1
                    } else if byte == UInt8(ascii: ",") && depth == 0 {
                        break
                    }
                    i += 1
                }
                guard i < body.count else { throw .malformedArray }
                var last = i
                while last > start && isWhitespace(body[last - 1]) { last -= 1 }
                // An empty element (`[1,,2]`, `[1,]`) is still an element: the decoder calls it empty.
                ranges.append(start..<max(start, last))
                let separator = body[i]
                i += 1
                if separator == UInt8(ascii: "]") { break }
                guard separator == UInt8(ascii: ",") else { throw .malformedArray }
                skipWhitespace(body, &i)
            }
        }
        skipWhitespace(body, &i)
        guard i == body.count else { throw .malformedArray }
        return ranges
    }

    /// Skips one JSON value's structure (a string, or brackets to their match, or a bare
    /// word); false when it does not close.
    private static func skipValue(_ body: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        guard i < body.count else { return false }
        let first = body[i]
        if first == UInt8(ascii: "\"") { return skipString(body, &i) }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            while i < body.count && !isWhitespace(body[i]) { i += 1 }
            return true
        }
        var depth = 0
        while i < body.count {
            let byte = body[i]
            if byte == UInt8(ascii: "\"") {
                guard skipString(body, &i) else { return false }
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 {
                    i += 1
                    return true
                }
            }
            i += 1
        }
        return false
    }

    /// From an opening quote to just past its closing one; false when it never closes.
    private static func skipString(_ body: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        i += 1
        while i < body.count {
            switch body[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""):
                i += 1
                return true
            default: i += 1
            }
        }
        return false
    }

    private static func startsWithByteOrderMark(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func skipWhitespace(_ body: UnsafeRawBufferPointer, _ i: inout Int) {
        while i < body.count && isWhitespace(body[i]) { i += 1 }
    }
}
