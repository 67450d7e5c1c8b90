/// libFuzzer's entry point: each input is filter text, as typed at the dashboard's `/`
/// prompt or given to `--filter`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegmentFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let violation = SegmentFilterProperties.violation(of: UnsafeRawBufferPointer(start: data, count: size)) {
        fatalError(violation)
    }
    return 0
}
