/// How the decoder names a JSON object's keys and values: tbdash's own names, or a
/// `MessageMapping`'s. A generic parameter, so the canonical path compiles to exactly the
/// code it had before maps existed.
protocol KeyNaming {
    /// The field a key denotes, or nil for a key that is ignored.
    func field(_ key: UnsafeRawBufferPointer) -> EventField?
    /// Whether a key (that names no field) holds the event time.
    func isTime(_ key: UnsafeRawBufferPointer) -> Bool
    /// The canonical text of a coded field's value written in another system's words, or
    /// nil to read the value as written.
    func value(of field: EventField, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer?
    /// Sets the defaults of the fields the message lacked.
    func fillDefaults(_ builder: inout EventBuilder)
}

/// tbdash's own keys, values as written, no defaults.
struct CanonicalKeys: KeyNaming {
    @inline(__always)
    func field(_ key: UnsafeRawBufferPointer) -> EventField? { EventField(name: key) }
    @inline(__always)
    func isTime(_ key: UnsafeRawBufferPointer) -> Bool { EventTimeKeys.isDefault(key) }
    @inline(__always)
    func value(of field: EventField, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? { nil }
    @inline(__always)
    func fillDefaults(_ builder: inout EventBuilder) {}
}

/// A `MessageMapping` laid out for the hot path: every key name, value word and default as
/// bytes in one allocation, found by length and byte comparison with no String built per
/// message. Trivially copyable; the owner (`MessageDecoder`) frees it once.
struct MappedKeys: KeyNaming {
    private struct Entry {
        var start: Int32
        var count: Int32
        /// The field's raw value (keys, defaults) or the code (value words).
        var target: UInt8
        /// The field a value word or default belongs to.
        var field: UInt8
        /// A text of at most 7 bytes as one word, the first byte lowest, zeros after it
        /// (`PlainBytes.shortText`); 0 for a longer one, which `count` tells apart.
        var head: UInt64
    }

    private let bytes: UnsafeMutableRawBufferPointer
    private let keys: UnsafeMutableBufferPointer<Entry>
    private let words: UnsafeMutableBufferPointer<Entry>
    private let defaults: UnsafeMutableBufferPointer<Entry>
    /// The key of the event time, when the map names one (`ts=KEY`); else the default names.
    private let timeKey: Entry?
    /// Where the digits 0–9 are in `bytes`: a mapped word is read as its code's digit.
    private let digits: Int
    /// One bit per field that has value words, to skip the search for the others.
    private let wordFields: UInt16

    init(_ mapping: MessageMapping) {
        var text: [UInt8] = Array("0123456789".utf8)
        func entry(_ string: String, target: UInt8, field: EventField) -> Entry {
            let start = Int32(text.count)
            text.append(contentsOf: string.utf8)
            let head = string.utf8.count <= 7 ? littleEndianWord(string.utf8) : 0
            return Entry(start: start, count: Int32(string.utf8.count), target: target, field: UInt8(field.rawValue), head: head)
        }
        var keyEntries: [Entry] = []
        var wordEntries: [Entry] = []
        var defaultEntries: [Entry] = []
        var wordFields: UInt16 = 0
        for field in EventField.allCases {
            let raw = UInt8(field.rawValue)
            keyEntries.append(entry(mapping.sources[field.rawValue], target: raw, field: field))
            for pair in mapping.values[field.rawValue] {
                wordEntries.append(entry(pair.from, target: pair.code, field: field))
                wordFields |= 1 << UInt16(raw)
            }
            if let value = mapping.defaults[field.rawValue] { defaultEntries.append(entry(value, target: raw, field: field)) }
        }
        timeKey = mapping.timeSource.map { entry($0, target: 0, field: .userID) }
        bytes = .allocate(byteCount: text.count, alignment: 8)
        bytes.copyBytes(from: text)
        func copy(_ entries: [Entry]) -> UnsafeMutableBufferPointer<Entry> {
            let buffer = UnsafeMutableBufferPointer<Entry>.allocate(capacity: entries.count)
            _ = buffer.initialize(from: entries)
            return buffer
        }
        keys = copy(keyEntries)
        words = copy(wordEntries)
        defaults = copy(defaultEntries)
        digits = 0
        self.wordFields = wordFields
    }

    func deallocate() {
        bytes.deallocate()
        keys.deallocate()
        words.deallocate()
        defaults.deallocate()
    }

    @inline(__always)
    private func matches(_ entry: Entry, _ candidate: UnsafeRawBufferPointer) -> Bool {
        guard Int(entry.count) == candidate.count else { return false }
        let start = Int(entry.start)
        for i in 0..<candidate.count where bytes[start + i] != candidate[i] { return false }
        return true
    }

    @inline(__always)
    private func text(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes.baseAddress! + Int(entry.start), count: Int(entry.count))
    }

    func field(_ key: UnsafeRawBufferPointer) -> EventField? {
        for entry in keys where matches(entry, key) { return EventField(rawValue: Int(entry.target)) }
        return nil
    }

    func isTime(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let timeKey else { return EventTimeKeys.isDefault(key) }
        return matches(timeKey, key)
    }

    func value(of field: EventField, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard wordFields & (1 << UInt16(field.rawValue)) != 0 else { return nil }
        for entry in words where Int(entry.field) == field.rawValue && matches(entry, bytes) {
            return UnsafeRawBufferPointer(start: self.bytes.baseAddress! + digits + Int(entry.target), count: 1)
        }
        return nil
    }

    /// Where the value words of `field` are in `words`: they are stored field by field.
    func wordRange(of field: EventField) -> Range<Int> {
        guard let first = words.firstIndex(where: { Int($0.field) == field.rawValue }) else { return 0..<0 }
        let end = words[first...].firstIndex { Int($0.field) != field.rawValue } ?? words.count
        return first..<end
    }

    /// The code a value word in `range` (one field's, from `wordRange`) stands for, when
    /// `candidate` is one, compared whole and exactly.
    @inline(__always)
    func code(ofWord candidate: UnsafeRawBufferPointer, in range: Range<Int>) -> UInt8? {
        for k in range {
            let entry = words[k]
            guard Int(entry.count) == candidate.count,
                sameBytes(candidate.baseAddress!, UnsafeRawPointer(bytes.baseAddress! + Int(entry.start)), count: candidate.count)
            else { continue }
            return entry.target
        }
        return nil
    }

    /// `code(ofWord:in:)` for a candidate of at most 7 bytes given as one word
    /// (`PlainBytes.shortText`): a comparison per word of the field.
    @inline(__always)
    func code(ofShortWord head: UInt64, count: Int, in range: Range<Int>) -> UInt8? {
        for k in range where words[k].head == head && Int(words[k].count) == count { return words[k].target }
        return nil
    }

    func fillDefaults(_ builder: inout EventBuilder) {
        for entry in defaults {
            let field = EventField(rawValue: Int(entry.field))!
            if !builder.has(field) { builder.set(field, kind: .text, bytes: text(entry)) }
        }
    }
}
