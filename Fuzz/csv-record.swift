// Scratch space for the whole run, as the CSV reader keeps it between lines.
nonisolated(unsafe) private var properties = CSVRecordProperties()

/// libFuzzer's entry point: each input is one CSV line without its terminator.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = properties.violation(of: UnsafeRawBufferPointer(start: data, count: size)) {
        fatalError(violation)
    }
    return 0
}
