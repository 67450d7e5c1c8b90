#if canImport(Glibc)
import Glibc
#endif

/// Whether a standard stream is a terminal (live progress only makes sense on one).
public enum TerminalCheck {
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }
    public static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    public static var stdinIsTerminal: Bool { isatty(0) == 1 }
}
