import Analytics
import Formatting
import LiveValues
import Runtime
import Terminal
import TUI

/// The terminal taken over for one dashboard run: checks it, takes it over, shows the first
/// frame before the broker answers, and gives it back on every way out (q, Ctrl-C, SIGTERM,
/// an error) before anything is printed.
struct DashboardSession {
    let screen: CursesScreen
    let theme: Theme
    /// Set by SIGINT/SIGTERM.
    let interrupted: StopFlag
    var model: DashboardModel

    /// Entries a ranking asks for: what the Trending page shows at 120×40 and above.
    static let rankingRows = 40

    /// What the header shows and the model starts with.
    struct Setup {
        let display: DisplayOptions
        let topic: String
        let brokers: String
        let group: String
        let config: AggregationConfig
        let query: AnalyticsQuery
        /// The weights `h` ranks Trending by (`--hot-weights`); the default ones when nil.
        let hotWeights: [Int64]?
    }

    /// Refuses to start without a terminal: checked before anything else is opened.
    static func requireTerminal() throws {
        guard TerminalCheck.stdoutIsTerminal && TerminalCheck.stdinIsTerminal else {
            throw CommandFailure.usage("the dashboard needs a terminal (stdout is not one); use --headless for scripts")
        }
    }

    /// Takes the terminal over and runs `body` on it; gives the terminal back on every way
    /// out (`body` restores it itself before printing anything). The session's
    /// `model.query` is the query the pipeline must answer.
    static func run(_ setup: Setup, _ body: (inout DashboardSession) throws -> Void) throws {
        let display = setup.display
        let utf8 = CursesScreen.prepareLocale()
        let interrupted = StopFlag()
        // Before initscr, so ncurses leaves SIGINT and SIGTERM to us.
        let trap = SignalTrap { _ in interrupted.request() }
        defer { trap.cancel() }
        let screen: CursesScreen
        do {
            screen = try CursesScreen(allowColor: display.allowsColor)
        } catch .cannotStart {
            throw CommandFailure.runtime(TerminalError.cannotStart.description)
        } catch {
            // TERM unset, unknown or dumb: the user's setting to change, like a flag.
            throw CommandFailure.usage(error.description)
        }
        defer { screen.restore() }
        let theme = Theme(colors: screen.colors, glyphs: display.glyphSet(localeIsUTF8: utf8))
        let config = setup.config
        var model = DashboardModel(
            snapshot: LiveSnapshot(), topic: setup.topic, brokers: setup.brokers, group: setup.group,
            calendar: config.calendar, batchSize: config.batchSize, batchIntervalMs: config.batchIntervalMs)
        // Chinese needs a UTF-8 locale; without one the labels stay English.
        model.language = utf8 ? display.lang : .en
        model.fps = display.fps
        model.idleTimeoutMs = config.idleTimeoutMs
        model.query = setup.query
        // The Trending page has room for more than the JSON's default 20 a ranking.
        model.query.top = max(setup.query.top, rankingRows)
        if let weights = setup.query.hotWeights ?? setup.hotWeights { model.hotWeights = weights }
        if setup.query.hotWeights != nil { model.trendMeasure = .hot }
        var session = DashboardSession(screen: screen, theme: theme, interrupted: interrupted, model: model)
        try body(&session)
    }
}
