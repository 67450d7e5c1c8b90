/// What a piece of the screen is, so one place decides how it looks in each colour mode.
public enum Role: Hashable, Sendable {
    case frame, title, label, value, muted, emphasis
    /// The n-th series of a chart (actions, ages…).
    case series(Int)
    case ok, warning, alert
    /// The one thing to notice: the 11-11 spike, the paused badge.
    case highlight
    case header, footerKey
    /// A map tile shaded at level 0 (nothing) to 4 (the most).
    case heat(Int)
}

/// Colours and glyphs for a terminal's abilities: the colour ladder (none → 8 → 256) and
/// the glyph ladder (blocks → braille → ASCII).
public struct Theme: Sendable {
    public enum ColorMode: String, Sendable, CaseIterable {
        /// NO_COLOR, --no-color, monochrome terminals: bold, dim and reverse only.
        case none
        /// TERM=screen, linux console: the 8 basic colours.
        case basic
        /// xterm-256color, tmux-256color.
        case extended
    }

    public let colors: ColorMode
    public let glyphs: GlyphSet

    public init(colors: ColorMode, glyphs: GlyphSet) {
        self.colors = colors
        self.glyphs = glyphs
    }

    public func style(_ role: Role) -> Style {
        switch colors {
        case .none: monochrome(role)
        case .basic: basic(role)
        case .extended: extended(role)
        }
    }

    private func monochrome(_ role: Role) -> Style {
        switch role {
        case .frame, .muted: Style(dim: true)
        case .title, .value, .emphasis: Style(bold: true)
        case .highlight, .alert: Style(bold: true, reverse: true)
        case .header: Style(reverse: true)
        case .footerKey: Style(bold: true)
        case .heat(let level): Style(bold: level >= 3)
        case .label, .series, .ok, .warning: .plain
        }
    }

    private func basic(_ role: Role) -> Style {
        switch role {
        case .frame: Style(foreground: .blue)
        case .title: Style(foreground: .cyan, bold: true)
        case .label: .plain
        case .value: Style(bold: true)
        case .muted: Style(dim: true)
        case .emphasis: Style(foreground: .white, bold: true)
        case .series(let n): Style(foreground: Self.basicSeries[n % Self.basicSeries.count])
        case .ok: Style(foreground: .green)
        case .warning: Style(foreground: .yellow, bold: true)
        case .alert: Style(foreground: .red, bold: true)
        case .highlight: Style(foreground: .yellow, bold: true)
        case .header: Style(foreground: .black, background: .cyan)
        case .footerKey: Style(foreground: .cyan, bold: true)
        case .heat(let level): Self.basicHeat[min(4, max(0, level))]
        }
    }

    /// Calm, muted tones that stay readable on dark and light backgrounds.
    private func extended(_ role: Role) -> Style {
        switch role {
        case .frame: Style(foreground: .indexed(60))
        case .title: Style(foreground: .indexed(110), bold: true)
        case .label: Style(foreground: .indexed(250))
        case .value: Style(foreground: .indexed(255), bold: true)
        case .muted: Style(foreground: .indexed(244))
        case .emphasis: Style(foreground: .indexed(231), bold: true)
        case .series(let n): Style(foreground: .indexed(Self.extendedSeries[n % Self.extendedSeries.count]))
        case .ok: Style(foreground: .indexed(108))
        case .warning: Style(foreground: .indexed(179), bold: true)
        case .alert: Style(foreground: .indexed(167), bold: true)
        case .highlight: Style(foreground: .indexed(215), bold: true)
        case .header: Style(foreground: .indexed(189), background: .indexed(237))
        case .footerKey: Style(foreground: .indexed(110), bold: true)
        case .heat(let level):
            Style(foreground: .indexed(level >= 3 ? 16 : 253), background: .indexed(Self.extendedHeat[min(4, max(0, level))]))
        }
    }

    private static let basicHeat: [Style] = [
        Style(dim: true), Style(foreground: .white, background: .blue), Style(foreground: .black, background: .cyan),
        Style(foreground: .black, background: .green), Style(foreground: .black, background: .yellow),
    ]
    /// Grey for nothing, then a teal ramp from dark to light.
    private static let extendedHeat: [UInt8] = [237, 24, 31, 37, 80]
    private static let basicSeries: [TerminalColor] = [.cyan, .green, .yellow, .magenta, .blue, .red, .white, .cyan]
    private static let extendedSeries: [UInt8] = [74, 108, 179, 139, 67, 173, 110, 144]
}
