import CNcursesw
import CTerminalRescue
#if canImport(Glibc)
import Glibc
#endif

/// If tbdash crashes while the dashboard owns the terminal, the terminal is put back
/// (normal screen, cursor, colours, modes) before the crash report prints. The handler
/// itself is C (`tbdash_rescue` in the shim): only async-signal-safe calls there.
enum TerminalRescue {
    /// The terminal modes before ncurses changed them; take before `initscr`.
    static func saveModes() -> termios? {
        var modes = termios()
        return tcgetattr(0, &modes) == 0 ? modes : nil
    }

    /// Installs the handlers with this terminal's "leave the dashboard" sequence.
    static func arm(modes: termios?) {
        var bytes: [CChar] = []
        for capability in ["rmcup", "cnorm", "sgr0"] {
            guard let value = tigetstr(capability), Int(bitPattern: value) != -1 else { continue }
            bytes += Array(UnsafeBufferPointer(start: value, count: strlen(value)))
        }
        bytes += [13, 10]
        if var modes {
            tbdash_rescue_arm(bytes, Int32(bytes.count), &modes)
        } else {
            tbdash_rescue_arm(bytes, Int32(bytes.count), nil)
        }
    }

    static func disarm() {
        tbdash_rescue_disarm()
    }
}
