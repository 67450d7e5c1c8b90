import UserBehavior

/// The 34 provinces as a tile-grid map of China: each a cell of an 8 × 8 grid near its
/// geographic place (新疆 far west, 黑龙江 north-east, 海南 south, 台湾 east across a gap for
/// the strait). The grid is fixed, so every size draws the same map, only bigger or smaller.
public enum ChinaTiles {
    public static let columns = 8
    public static let rows = 8

    public struct Tile: Equatable, Sendable {
        public let province: Province
        public let column: Int
        public let row: Int
    }

    /// Row by row, west to east: the order the map's cursor walks.
    public static let tiles: [Tile] = {
        // (province index, column, row)
        let places: [(Int, Int, Int)] = [
            (8, 7, 0),
            (31, 0, 1), (27, 4, 1), (0, 5, 1), (6, 6, 1), (7, 7, 1),
            (25, 1, 2), (24, 2, 2), (30, 3, 2), (5, 4, 2), (4, 5, 2), (1, 6, 2),
            (29, 1, 3), (20, 2, 3), (23, 3, 3), (15, 4, 3), (14, 5, 3),
            (3, 3, 4), (16, 4, 4), (11, 5, 4), (9, 6, 4), (2, 7, 4),
            (22, 2, 5), (21, 3, 5), (17, 4, 5), (13, 5, 5), (10, 6, 5),
            (28, 3, 6), (18, 4, 6), (12, 5, 6), (26, 7, 6),
            (19, 3, 7), (33, 4, 7), (32, 5, 7),
        ]
        return places.map { Tile(province: Province(index: $0.0)!, column: $0.1, row: $0.2) }
    }()

    /// One-character abbreviations (简称), by province index.
    public static let abbreviations: [String] = [
        "京", "津", "沪", "渝", "冀", "晋", "辽", "吉", "黑", "苏", "浙", "皖", "闽", "赣", "鲁",
        "豫", "鄂", "湘", "粤", "琼", "川", "贵", "云", "陕", "甘", "青", "台", "蒙", "桂", "藏", "宁", "新",
        "港", "澳",
    ]

    /// Two-letter codes (ISO 3166-2:CN without the prefix), by province index.
    public static let codes: [String] = [
        "BJ", "TJ", "SH", "CQ", "HE", "SX", "LN", "JL", "HL", "JS", "ZJ", "AH", "FJ", "JX", "SD",
        "HA", "HB", "HN", "GD", "HI", "SC", "GZ", "YN", "SN", "GS", "QH", "TW", "NM", "GX", "XZ", "NX", "XJ",
        "HK", "MO",
    ]

    /// The tile next to tile `index` in a direction: along its row for `dx`, else the
    /// nearest column in the next row that has tiles; `index` itself at the edge.
    public static func neighbour(of index: Int, dx: Int, dy: Int) -> Int {
        guard tiles.indices.contains(index) else { return 0 }
        let here = tiles[index]
        if dx != 0 {
            let row = tiles.indices.filter { tiles[$0].row == here.row && (tiles[$0].column - here.column) * dx > 0 }
            return row.min { abs(tiles[$0].column - here.column) < abs(tiles[$1].column - here.column) } ?? index
        }
        var row = here.row + dy
        while row >= 0 && row < rows {
            let candidates = tiles.indices.filter { tiles[$0].row == row }
            if let best = candidates.min(by: { abs(tiles[$0].column - here.column) < abs(tiles[$1].column - here.column) }) {
                return best
            }
            row += dy
        }
        return index
    }
}
