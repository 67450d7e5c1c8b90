import CZlib

/// CRC-32 (IEEE 802.3) of a state file's body and of a chunked changelog record: zlib's
/// (librdkafka loads it already), the one Python's `zlib.crc32` computes, so a checksum can
/// be verified with everyday tools. It replaced a hand-written slicing-by-8 copy: on 16 MiB
/// zlib 1.2.13 ran at 2.3–3.9 GB/s against the copy's 0.9–1.2 GB/s (2026-12-07).
public enum CRC32 {
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        // crc32_z takes a size_t length (crc32 only 32 bits); an empty body is CRC 0.
        bytes.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
    }
}
