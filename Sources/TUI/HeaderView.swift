import Formatting
import LiveValues

/// The top row: what is watched (topic, brokers, group), the active filter as chips, the
/// event-time window, the connection status, the clock. The chips come first: on every page, the segment the
/// numbers cover is the one thing that must not be cut.
struct HeaderView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    func draw(_ grid: inout CellGrid, _ rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = paint.theme
        let base = theme.style(.header)
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), style: base)

        let statusRole: Role = switch model.snapshot.status {
        case .live: .ok
        case .connecting, .stalled: .warning
        case .disconnected, .failed: .alert
        }
        var statusStyle = theme.style(statusRole)
        statusStyle.background = base.background
        if theme.colors == .none { statusStyle.reverse = true }
        let status = " \(paint.glyphs.bullet) \(labels.status(model.snapshot.status)) "
        let time = clock()
        let rightWidth = DisplayWidth.of(status) + DisplayWidth.of(time) + 1
        grid.put(time + " ", x: rect.maxX - DisplayWidth.of(time) - 1, y: rect.y, style: base)
        grid.put(status, x: rect.maxX - rightWidth, y: rect.y, style: statusStyle)

        var title = base
        title.bold = true
        var x = rect.x + grid.put(" tbdash  ", x: rect.x, y: rect.y, style: title)
        let room = rect.maxX - rightWidth - 1
        // Dim until a snapshot of the new segment arrives: the numbers are still the old one's.
        let pending = model.query.filter != model.snapshot.aggregate.filter
        var chip = theme.style(pending ? .muted : .highlight).reversed
        chip.bold = !pending
        for term in model.query.filter.terms {
            let text = " \(term.text) "
            guard x + DisplayWidth.of(text) + 1 <= room else {
                x += grid.put(paint.glyphs.ellipsis + " ", x: x, y: rect.y, maxColumns: room - x, style: chip)
                break
            }
            x += grid.put(text, x: x, y: rect.y, style: chip)
            x += grid.put(" ", x: x, y: rect.y, style: base)
        }
        x = drawWindow(&grid, x: x, y: rect.y, room: room, base: base)
        // topic @ brokers · group: the group goes first when there is no room.
        let parts = [("", model.topic), (" @ ", model.brokers), (paint.glyphs.separator + labels.group + " ", model.group)]
        for (joiner, value) in parts where x + DisplayWidth.of(joiner) + DisplayWidth.of(value) <= room {
            x += grid.put(joiner, x: x, y: rect.y, style: base)
            x += grid.put(value, x: x, y: rect.y, style: title)
        }
        if case .disconnected(let why) = model.snapshot.status, x + 4 < room {
            var reason = base
            reason.dim = theme.colors == .none
            grid.put("  " + DisplayWidth.truncate(why, to: room - x - 2, ellipsis: paint.glyphs.ellipsis), x: x, y: rect.y, style: reason)
        }
    }

    /// `[5m]` (`w` cycles it), after the chips, muted until a snapshot of that window arrives, with
    /// `partial` when the rings no longer hold its start, or `day-resolution data` when a
    /// minute window has nothing to answer from. Returns the next free column.
    private func drawWindow(_ grid: inout CellGrid, x: Int, y: Int, room: Int, base: Style) -> Int {
        let info = model.snapshot.aggregate.window
        let pending = model.query.window != info.window
        var style = paint.theme.style(pending ? .muted : .emphasis)
        style.background = base.background
        style.reverse = base.reverse
        var x = x
        x += grid.put("[\(labels.window(model.query.window))]", x: x, y: y, maxColumns: max(0, room - x), style: style)
        if !pending && info.dayResolution {
            var note = paint.theme.style(.muted)
            note.background = base.background
            note.reverse = base.reverse
            x += grid.put(" \(labels.dayResolutionWindow)", x: x, y: y, maxColumns: max(0, room - x), style: note)
        } else if !pending && !info.complete {
            var mark = paint.theme.style(.warning)
            mark.background = base.background
            mark.reverse = base.reverse
            x += grid.put(" \(paint.glyphs.bullet)\(labels.partialWindow)", x: x, y: y, maxColumns: max(0, room - x), style: mark)
        }
        return x + grid.put("  ", x: x, y: y, maxColumns: max(0, room - x), style: base)
    }

    /// The viewer's local time, YYYY-MM-DD HH:MM:SS.
    private func clock() -> String {
        guard model.clock > 0 else { return "" }
        return LocalTimeFormatter.string(milliseconds: model.clock, utcOffsetSeconds: model.utcOffsetSeconds)
    }
}
