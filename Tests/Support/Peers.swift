import Foundation

/// Whether a test that needs an outside peer (noida-db, Prometheus, Chromium, wrk) runs: in
/// CI (`CI=true`) always, so a missing peer fails with its install line; elsewhere only
/// when the peer is installed (otherwise it is skipped, saying how to install it).
public enum Peers {
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static func runs(installed: Bool) -> Bool { installed || inCI }

    /// What a test that runs without its peer throws: the install line.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String

        public init(_ installLine: String) { description = installLine }
    }
}
