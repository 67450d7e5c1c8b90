import Foundation

// One scratch file per fuzzing process, in the TMPDIR that scripts/fuzz gives it.
private let scratchFile = NSTemporaryDirectory() + "/tbdash-fuzz-csv-file-\(ProcessInfo.processInfo.processIdentifier).csv"

/// libFuzzer's entry point: each input is two bytes of reader limits, then a file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        if let violation = try CSVFileProperties.violation(ofInput: Array(UnsafeBufferPointer(start: data, count: size)), scratchFile: scratchFile) {
            fatalError(violation)
        }
    } catch {
        fatalError("reading \(scratchFile): \(error)")
    }
    return 0
}
