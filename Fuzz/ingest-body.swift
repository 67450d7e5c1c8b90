import UserBehavior

// One decoder for the whole run, as ingest keeps one. libFuzzer calls this from one thread.
nonisolated(unsafe) private let decoder = MessageDecoder()

/// libFuzzer's entry point: each input is one request body posted to ingest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngestBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = RequestBodyProperties.violation(of: UnsafeRawBufferPointer(start: data, count: size), decoder: decoder) {
        fatalError(violation)
    }
    return 0
}
