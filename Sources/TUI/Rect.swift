/// A rectangle of cells. Splitting never produces negative sizes, so views can be handed
/// any area, however small the terminal.
public struct Rect: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// The top `rows` rows, and the rest.
    public func splitTop(_ rows: Int) -> (Rect, Rect) {
        let top = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: top), Rect(x: x, y: y + top, width: width, height: height - top))
    }

    /// The bottom `rows` rows, and the rest above.
    public func splitBottom(_ rows: Int) -> (bottom: Rect, rest: Rect) {
        let bottom = min(max(0, rows), height)
        return (Rect(x: x, y: maxY - bottom, width: width, height: bottom), Rect(x: x, y: y, width: width, height: height - bottom))
    }

    /// The left `columns` columns, and the rest.
    public func splitLeft(_ columns: Int) -> (Rect, Rect) {
        let left = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: left, height: height), Rect(x: x + left, y: y, width: width - left, height: height))
    }

    /// `count` columns of (nearly) equal width, left to right.
    public func columns(_ count: Int, gap: Int = 0) -> [Rect] {
        guard count > 0 else { return [] }
        let usable = width - gap * (count - 1)
        var out: [Rect] = []
        var cx = x
        for i in 0..<count {
            let w = usable / count + (i < usable % count ? 1 : 0)
            out.append(Rect(x: cx, y: y, width: w, height: height))
            cx += w + gap
        }
        return out
    }

    public func clamped(to bounds: Rect) -> Rect {
        let nx = min(max(x, bounds.x), bounds.maxX)
        let ny = min(max(y, bounds.y), bounds.maxY)
        return Rect(x: nx, y: ny, width: min(maxX, bounds.maxX) - nx, height: min(maxY, bounds.maxY) - ny)
    }
}
