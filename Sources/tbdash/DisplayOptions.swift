import ArgumentParser
import Runtime
import TUI

/// How the dashboard looks, shared by `watch` and `demo`.
struct DisplayOptions: ParsableArguments {
    @Option(help: "Labels: en or zh.")
    var lang: Labels.Language = .en

    @Option(help: ArgumentHelp(
        "Glyphs: blocks, braille or ascii.",
        discussion: "braille avoids box drawing and block characters, which terminals set up for Chinese (ambiguous width = wide) draw double.",
        valueName: "set"))
    var glyphs: GlyphSet.Mode = .blocks

    @Flag(help: "Plain ASCII (same as --glyphs ascii); automatic in a non-UTF-8 locale.")
    var ascii = false

    @Flag(help: "No colour, bold and reverse only (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: "Redraws per second at most, 1 to 30 (keys + and - change it). (default: 10)", transform: NumericOption.wholeNumber(1...30))
    var fps = 10

    @Option(help: "Append status changes and librdkafka's log to this file (never onto the screen).")
    var log: String?

    /// Colour unless --no-color or a non-empty NO_COLOR (no-color.org).
    var allowsColor: Bool {
        !noColor && (Environment.value("NO_COLOR") ?? "").isEmpty
    }

    /// The glyph set, ASCII when asked or when the locale cannot show anything else.
    func glyphSet(localeIsUTF8: Bool) -> GlyphSet {
        ascii || !localeIsUTF8 ? .ascii : .set(glyphs)
    }
}

extension Labels.Language: ExpressibleByArgument {}
extension GlyphSet.Mode: ExpressibleByArgument {}
