import CNcursesw
import TUI
#if canImport(Glibc)
import Glibc
#endif

/// The terminal, through ncursesw: the only code that touches it. It copies a `CellGrid`
/// out each frame (`werase`, cells, one `doupdate`, so ncurses sends only what changed)
/// and reads keys. One thread only.
public final class CursesScreen {
    private let window: UnsafeMutablePointer<WINDOW>
    public let colors: Theme.ColorMode
    private var pairs: [PairKey: Int16] = [:]
    private var restored = false

    private struct PairKey: Hashable {
        let foreground: Int
        let background: Int
    }

    /// Whether the locale (after `setlocale`) is UTF-8; without it CJK text and block
    /// glyphs cannot be shown, so the caller falls back to ASCII and English.
    public static func prepareLocale() -> Bool {
        setlocale(LC_ALL, "")
        return tbdash_locale_is_utf8() != 0
    }

    /// Takes over the terminal. `allowColor` false (NO_COLOR, --no-color) keeps it
    /// monochrome; otherwise 256 colours where the terminal has them, else 8.
    public init(allowColor: Bool) throws(TerminalError) {
        let modes = TerminalRescue.saveModes()
        if let problem = Self.terminalProblem() { throw problem }
        guard let window = tbdash_start_screen() else { throw .cannotStart }
        self.window = window
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        set_escdelay(25)
        if allowColor && has_colors() {
            start_color()
            use_default_colors()
            colors = tbdash_colors() >= 256 ? .extended : .basic
        } else {
            colors = .none
        }
        TerminalRescue.arm(modes: modes)
    }

    deinit { restore() }

    /// Why the terminal `TERM` names cannot show the dashboard, or nil when it can. Asked
    /// before taking the terminal over, without printing anything.
    public static func terminalProblem() -> TerminalError? {
        let term = getenv("TERM").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        switch tbdash_terminal_support() {
        case 1: return nil
        case 2: return .noCursorAddressing(term: term ?? "")
        default: return .unknownTerminal(term: term)
        }
    }

    public var size: (width: Int, height: Int) {
        (Int(tbdash_maxx(window)), Int(tbdash_maxy(window)))
    }

    /// Shows a frame. Cells the grid leaves blank and unstyled are not sent at all.
    public func draw(_ grid: CellGrid) {
        werase(window)
        let (width, height) = size
        var cell = cchar_t()
        var text: [wchar_t] = [0, 0]
        for y in 0..<min(height, grid.height) {
            for x in 0..<min(width, grid.width) {
                let c = grid[x, y]
                if c.width == 0 || (c.scalar == " " && c.style == .plain) { continue }
                text[0] = wchar_t(bitPattern: c.scalar.value)
                let (attributes, pair) = attributes(for: c.style)
                setcchar(&cell, text, attributes, pair, nil)
                // The bottom-right cell would scroll the screen if written normally.
                if y == height - 1 && x + Int(c.width) >= width {
                    mvwins_wch(window, Int32(y), Int32(x), &cell)
                } else {
                    mvwadd_wch(window, Int32(y), Int32(x), &cell)
                }
            }
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// The next key, waiting at most `timeoutMs` (nil when none came).
    public func readKey(timeoutMs: Int) -> Key? {
        wtimeout(window, Int32(max(0, timeoutMs)))
        var value: wint_t = 0
        let result = wget_wch(window, &value)
        if result == KEY_CODE_YES {
            switch Int32(value) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case tbdash_key_resize(): return .resize
            default: return nil
            }
        }
        guard result != tbdash_err(), let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
        switch scalar {
        case "\u{1B}": return .escape
        case "\t": return .tab
        case "\n", "\r": return .enter
        // DEL is what most terminals send for Backspace; ^H what some others do.
        case "\u{7F}", "\u{08}": return .backspace
        default: return .character(Character(scalar))
        }
    }

    /// Gives the terminal back (cursor, modes, the normal screen). Safe to call twice.
    /// Rings the terminal's bell (or flashes it, where it has no bell).
    public func bell() {
        beep()
    }

    public func restore() {
        guard !restored else { return }
        restored = true
        endwin()
        TerminalRescue.disarm()
    }

    private func attributes(for style: Style) -> (attr_t, Int16) {
        var attributes = tbdash_a_normal()
        if style.bold { attributes |= tbdash_a_bold() }
        if style.dim { attributes |= tbdash_a_dim() }
        if style.reverse { attributes |= tbdash_a_reverse() }
        if style.underline { attributes |= tbdash_a_underline() }
        guard colors != .none, style.foreground != nil || style.background != nil else { return (attributes, 0) }
        return (attributes, pair(style.foreground, style.background))
    }

    /// A colour pair for (foreground, background), made on first use; -1 is the
    /// terminal's own colour, so the dashboard keeps the user's background.
    private func pair(_ foreground: TerminalColor?, _ background: TerminalColor?) -> Int16 {
        let limit = colors == .extended ? 256 : 8
        let key = PairKey(foreground: fit(foreground, limit), background: fit(background, limit))
        if let existing = pairs[key] { return existing }
        let number = Int16(pairs.count + 1)
        guard Int32(number) < tbdash_color_pairs() else { return 0 }
        init_pair(number, Int16(key.foreground), Int16(key.background))
        pairs[key] = number
        return number
    }

    /// Maps a colour into the terminal's palette; bright colours fold onto the basic 8.
    private func fit(_ color: TerminalColor?, _ limit: Int) -> Int {
        guard let color else { return -1 }
        let index = color.index
        if index < limit { return index }
        return index < 16 ? index - 8 : 7
    }
}

/// Why the dashboard cannot take the terminal over, in words that say what to change.
public enum TerminalError: Error, CustomStringConvertible {
    /// `TERM` is unset, or names a type this system's terminfo does not know.
    case unknownTerminal(term: String?)
    /// `TERM` names a terminal that cannot move the cursor (`dumb`): nothing can be drawn.
    case noCursorAddressing(term: String)
    case cannotStart

    public var description: String {
        switch self {
        case .unknownTerminal(nil):
            "TERM is not set, so the dashboard cannot draw; set TERM to your terminal's type (e.g. TERM=xterm-256color) or use --headless"
        case .unknownTerminal(let term?):
            "TERM=\(term) is not a terminal type this system knows (no terminfo entry); set TERM to a known type (e.g. TERM=xterm-256color) or use --headless"
        case .noCursorAddressing(let term):
            "TERM=\(term) cannot move the cursor, so the dashboard cannot draw; use a full terminal (e.g. TERM=xterm-256color) or --headless"
        case .cannotStart:
            "cannot start the terminal UI; use --headless"
        }
    }
}
