/// Why a Kafka message is not counted as an event. A fixed set, so counting by reason
/// needs no strings and memory stays flat whatever arrives.
public enum RejectionReason: Int, CaseIterable, Sendable {
    case empty
    /// Larger than `MessageDecoder.maxMessageBytes`; not parsed.
    case tooLarge
    case notUTF8
    /// Starts like JSON but is not valid JSON (truncated, bad syntax, nested too deep).
    case malformedJSON
    /// Valid JSON, but not an object (an array, a number…).
    case notObject
    /// Has commas like a CSV line, but not 11 well-formed cells; or is a line of cells
    /// separated by tabs (tbdash reads comma-separated lines only).
    case malformedCSV
    /// The dataset's header line, as `kcat -P < file.csv` sends it.
    case csvHeader
    /// Neither JSON nor a CSV line.
    case unrecognized
    case missingField
    case wrongType
    case outOfRange
    case unknownProvince
    /// A time field that is not an instant tbdash reads (`EventTimestamp`), or out of 1970–9999.
    case badTimestamp
    /// More than one of `ts`, `timestamp`, `time`, `event_time`.
    case twoTimestamps
    /// A timestamp whose local day (in `--tz`) is in another year than `--year`: the
    /// fold's day tables hold one year.
    case otherYear
    /// Month and day that name another local day than the timestamp.
    case dayMismatch

    public static let count = 16

    /// The key in the snapshot JSON.
    public var key: String {
        switch self {
        case .empty: "empty"
        case .tooLarge: "too_large"
        case .notUTF8: "not_utf8"
        case .malformedJSON: "malformed_json"
        case .notObject: "not_object"
        case .malformedCSV: "malformed_csv"
        case .csvHeader: "csv_header"
        case .unrecognized: "unrecognized"
        case .missingField: "missing_field"
        case .wrongType: "wrong_type"
        case .outOfRange: "out_of_range"
        case .unknownProvince: "unknown_province"
        case .badTimestamp: "bad_timestamp"
        case .twoTimestamps: "two_timestamps"
        case .otherYear: "other_year"
        case .dayMismatch: "day_mismatch"
        }
    }

    public init?(key: String) {
        guard let found = Self.allCases.first(where: { $0.key == key }) else { return nil }
        self = found
    }

    init(_ error: RecordError) {
        switch error {
        case .missing: self = .missingField
        case .wrongType: self = .wrongType
        case .outOfRange: self = .outOfRange
        case .unknownProvince: self = .unknownProvince
        case .badTimestamp: self = .badTimestamp
        case .twoTimestamps: self = .twoTimestamps
        }
    }
}
