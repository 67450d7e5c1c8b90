import UserBehavior

/// The values an event takes for the dimensions its input shape lacks (brief-common3):
/// no merchant (out of the rankings), the province "unknown". Age 0 and gender 2 are the
/// dataset's own "unknown" codes.
///
/// Written to compile against `BehaviorEvent` both before and after the merchant became
/// optional and the 35th province came: with an optional `merchantID` the overload
/// answering nil is chosen (it needs no promotion); `Province("unknown")` exists once the
/// province does. Until then the placeholders are merchant 0 and the first province.
enum AbsentDimensions {
    static func merchant() -> Int64 { 0 }
    static func merchant() -> Int64? { nil }

    static let province = Province("unknown") ?? Province(index: 0)!
    static let ageRange = AgeRange(rawValue: 0)!
    static let gender = Gender.unknown
}
