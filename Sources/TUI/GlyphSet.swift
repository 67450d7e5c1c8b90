/// The characters the views draw with. Three sets, from richest to safest:
///
/// - `blocks`: box drawing and ▁…█ eighth blocks — the default on UTF-8 terminals.
/// - `braille`: no box drawing, no blocks, no ·, ≥ or arrows. Those are East Asian
///   "ambiguous width" and terminals set up for Chinese draw them double, breaking bars
///   and borders; braille patterns are always one column.
/// - `ascii`: for non-UTF-8 locales and `--ascii`.
public struct GlyphSet: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case blocks, braille, ascii
    }

    public let mode: Mode
    /// Border pieces, or nil to draw panels without borders.
    public let box: Box?
    /// Horizontal bar: `full` and partial cells from 1/n to (n−1)/n.
    public let barFull: Unicode.Scalar
    public let barPartials: [Unicode.Scalar]
    /// Track under a gauge's bar.
    public let track: Unicode.Scalar
    /// Fills that tell the parts of a split bar apart without colour.
    public let shades: [Unicode.Scalar]
    /// Vertical levels from lowest to full, for sparklines and the timeline.
    public let levels: [Unicode.Scalar]
    /// Columns of data per cell in the timeline (braille has two dot columns).
    public let valuesPerColumn: Int
    public let separator: String
    public let bullet: String
    public let ellipsis: String
    public let atLeast: String
    public let atMost: String
    /// Trend arrows; nil where arrows are ambiguous-width (words are used instead).
    public let trend: (up: String, down: String, steady: String)?
    public let scrollUp: String
    public let scrollDown: String
    /// Before the title of the panel the row keys act on.
    public let focus: String
    /// Map shading from empty to full, for monochrome tiles and the legend.
    public let heat: [Unicode.Scalar]
    /// `≈ 1,204 ±12`, and a number nobody can know (`—`).
    public let approximately: String
    public let plusMinus: String
    public let unknown: String

    public struct Box: Equatable, Sendable {
        public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Unicode.Scalar
    }

    public static let blocks = GlyphSet(
        mode: .blocks,
        box: Box(horizontal: "─", vertical: "│", topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯"),
        barFull: "█", barPartials: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"], track: "·", shades: ["█", "▓", "░"],
        levels: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], valuesPerColumn: 1,
        separator: " · ", bullet: "●", ellipsis: "…", atLeast: "≥", atMost: "≤", trend: ("↗", "↘", "→"), scrollUp: "▲", scrollDown: "▼",
        focus: "▸ ", heat: ["·", "░", "▒", "▓", "█"], approximately: "≈", plusMinus: "±", unknown: "—")

    public static let braille = GlyphSet(
        mode: .braille, box: nil,
        barFull: "⣿", barPartials: ["⡇"], track: "⠂", shades: ["⣿", "⠶", "⠒"],
        levels: ["⣀", "⣤", "⣶", "⣿"], valuesPerColumn: 2,
        separator: " | ", bullet: "*", ellipsis: "..", atLeast: ">=", atMost: "<=", trend: nil, scrollUp: "^", scrollDown: "v",
        focus: "> ", heat: ["⠁", "⠒", "⠶", "⡷", "⣿"], approximately: "~", plusMinus: "+-", unknown: "-")

    public static let ascii = GlyphSet(
        mode: .ascii,
        box: Box(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+"),
        barFull: "#", barPartials: ["="], track: ".", shades: ["#", "=", "."],
        levels: [".", ":", "|", "#"], valuesPerColumn: 1,
        separator: " | ", bullet: "*", ellipsis: "..", atLeast: ">=", atMost: "<=", trend: nil, scrollUp: "^", scrollDown: "v",
        focus: "> ", heat: [".", ":", "+", "*", "#"], approximately: "~", plusMinus: "+-", unknown: "-")

    public static func set(_ mode: Mode) -> GlyphSet {
        switch mode {
        case .blocks: .blocks
        case .braille: .braille
        case .ascii: .ascii
        }
    }
}
