/// One screen cell: a character and how it is drawn. A wide character occupies its cell
/// and the next, whose `width` is 0 (a continuation).
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var width: UInt8
    public var style: Style

    public init(_ scalar: Unicode.Scalar = " ", width: UInt8 = 1, style: Style = .plain) {
        self.scalar = scalar
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
}

/// A frame of cells that knows display widths: views draw into it, the terminal backend
/// only copies it out. Every write is clipped to the grid; a wide character is never
/// written into the last column or over half of another (the other half is blanked), so
/// the grid always describes what a terminal can show.
public struct CellGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes `text` from (x, y), at most `maxColumns` columns (and never past the grid's
    /// edge). Returns the columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxColumns: Int = .max, style: Style = .plain) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, maxColumns == .max ? width : x + max(0, maxColumns))
        var column = x
        for scalar in text.unicodeScalars {
            let w = DisplayWidth.of(scalar)
            if w == 0 { continue }
            if column + w > limit {
                // Half a wide character does not fit: leave the column blank.
                if column < limit && column >= 0 { set(column, y, Cell(" ", width: 1, style: style)) }
                column = limit
                break
            }
            if column >= 0 { set(column, y, Cell(scalar, width: UInt8(w), style: style)) }
            column += w
        }
        return max(0, column - max(x, 0))
    }

    /// Fills a rectangle with one character (narrow only) in one style.
    public mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", style: Style = .plain) {
        let r = rect.clamped(to: bounds)
        guard !r.isEmpty else { return }
        let cell = Cell(DisplayWidth.of(scalar) == 1 ? scalar : " ", width: 1, style: style)
        for row in r.y..<r.maxY {
            for column in r.x..<r.maxX { set(column, row, cell) }
        }
    }

    /// The text of each row, as a terminal would show it (for golden tests and captures).
    public func textLines() -> [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width {
                let cell = cells[row * width + column]
                if cell.width > 0 { line.unicodeScalars.append(cell.scalar) }
            }
            return line
        }
    }

    /// Sets one cell, keeping wide characters whole: whatever half of a wide character it
    /// overwrites, the other half becomes a blank.
    private mutating func set(_ column: Int, _ row: Int, _ cell: Cell) {
        let i = row * width + column
        if cells[i].width == 0 && column > 0 { cells[i - 1] = Cell(" ", width: 1, style: cells[i - 1].style) }
        if cells[i].width == 2 && column + 1 < width { cells[i + 1] = Cell(" ", width: 1, style: cells[i + 1].style) }
        cells[i] = cell
        if cell.width == 2 {
            if column + 1 >= width {
                cells[i] = Cell(" ", width: 1, style: cell.style)
                return
            }
            if cells[i + 1].width == 2 && column + 2 < width { cells[i + 2] = Cell(" ", width: 1, style: cells[i + 2].style) }
            cells[i + 1] = Cell(" ", width: 0, style: cell.style)
        }
    }
}
