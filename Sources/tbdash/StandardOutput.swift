import Runtime

/// Writes all of `chunk` to `fd`, or throws a one-line failure naming `path`: output that
/// cannot be written (a full disk, /dev/full) ends the command with exit 1 instead of
/// vanishing, as buffered `print` would let it.
func writeAll(_ fd: Int32, _ chunk: UnsafeRawBufferPointer, path: String) throws {
    do {
        try Runtime.writeAll(fd, chunk)
    } catch {
        throw CommandFailure.runtime("cannot write \(path): \(error.detail)")
    }
}

/// `print` for results a script reads (a summary, the final JSON): unbuffered through
/// `writeAll`, so a failed write is an error here and now.
func printResult(_ text: String) throws {
    var line = text + "\n"
    try line.withUTF8 { try writeAll(1, UnsafeRawBufferPointer($0), path: "standard output") }
}
