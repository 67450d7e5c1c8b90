import UserBehavior

// One decoder for the whole run, as a consumer keeps one: state a message leaves behind
// must not change how the next decodes. libFuzzer calls this from one thread.
nonisolated(unsafe) private let decoder = MessageDecoder()
nonisolated(unsafe) private let mapped = MessageDecoder(mapping: MappedDecoderProperties.renaming)
nonisolated(unsafe) private let worded = MessageDecoder(mapping: MappedDecoderProperties.worded)

/// libFuzzer's entry point: each input is one Kafka message payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = MessageDecoderProperties.violation(of: UnsafeRawBufferPointer(start: data, count: size), decoder: decoder) {
        fatalError(violation)
    }
    if let violation = MappedDecoderProperties.violation(of: UnsafeRawBufferPointer(start: data, count: size), mapped: mapped, canonical: decoder) {
        fatalError(violation)
    }
    if let violation = MappedDecoderProperties.shortcutViolation(of: UnsafeRawBufferPointer(start: data, count: size), worded: worded) {
        fatalError(violation)
    }
    return 0
}
