import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns the signals that ask a process to stop — SIGINT (Ctrl-C), SIGTERM, and SIGHUP (the
/// terminal went away: an SSH session dropped) — into a call on a background queue instead
/// of killing the process, so loops can stop cleanly (flush, restore the terminal, write a
/// checkpoint, print the summary).
///
/// The handler runs on its own queue because the main thread may be blocked (in `getch`,
/// or in a librdkafka flush) exactly when the signal arrives.
public final class SignalTrap: @unchecked Sendable {
    /// The signals every command stops on.
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "tbdash.signals")

    public init(signals: [Int32] = stopSignals, handler: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            // Under nohup, SIGHUP is ignored on purpose: keep it so.
            if number == SIGHUP && Self.isIgnored(number) { continue }
            // The default action must be off before the source can see the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops trapping; the default actions come back.
    public func cancel() {
        for source in sources {
            source.cancel()
            signal(Int32(source.handle), SIG_DFL)
        }
        sources.removeAll()
    }

    deinit { cancel() }

    private static func isIgnored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        // C function pointers are not Equatable in Swift: compare their addresses.
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
