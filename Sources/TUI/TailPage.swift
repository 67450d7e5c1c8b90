import Analytics
import Formatting
import LiveValues
import UserBehavior

/// Page 5: the newest events of the segment as they arrive (partition @ offset, event day,
/// a late mark), and below them the newest rejected messages with their reason and an
/// escaped preview of their first bytes.
struct TailPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        let labels = canvas.labels
        let tail = canvas.model.snapshot.aggregate.tail
        let (rejectedArea, eventsArea) = body.splitBottom(full ? 10 : 6)
        let events = tail.newestEvents
        let eventsTitle = "\(labels.newestEvents) (\(events.count)/\(LiveTail.eventCapacity))"
        let eventsInner = canvas.panel(eventsArea, title: eventsTitle, bordered: full, focused: canvas.model.isFocused(.tail))
        if !eventsInner.isEmpty {
            let header = eventsInner.splitTop(1)
            drawColumns(&canvas, header.0, [labels.source, labels.eventDay, "", labels.actionColumn, labels.provinceColumn,
                                            labels.ageColumn, labels.genderColumn, labels.userItem], header: true)
            let list = header.1
            let (cursor, marked) = canvas.list(.tail, ListGeometry(count: events.count, visible: list.height))
            if events.isEmpty {
                canvas.grid.put(labels.noEventsYet, x: list.x, y: list.y, maxColumns: list.width, style: canvas.theme.style(.muted))
            }
            for i in Canvas.window(cursor, visible: list.height, count: events.count) {
                let row = Rect(x: list.x, y: list.y + i - cursor.top, width: list.width, height: 1)
                drawColumns(&canvas, row, cells(events[i], labels), marked: i == marked, late: events[i].isLate)
            }
        }

        let rejected = tail.newestRejected
        let rejectedTitle = "\(labels.newestRejected) (\(Format.grouped(canvas.model.snapshot.aggregate.counts.rejectedTotal)))"
        let inner = canvas.panel(rejectedArea, title: rejectedTitle, bordered: full, focused: canvas.model.isFocused(.rejected))
        guard !inner.isEmpty else { return }
        let (cursor, marked) = canvas.list(.rejected, ListGeometry(count: rejected.count, visible: inner.height))
        if rejected.isEmpty {
            canvas.grid.put(labels.noRejections, x: inner.x, y: inner.y, maxColumns: inner.width, style: canvas.theme.style(.muted))
        }
        let theme = canvas.theme
        for i in Canvas.window(cursor, visible: inner.height, count: rejected.count) {
            let message = rejected[i]
            let y = inner.y + i - cursor.top
            var x = inner.x
            let source = DisplayWidth.pad("p\(message.partition) @ \(Format.grouped(message.offset))", to: 16)
            x += canvas.grid.put(source + " ", x: x, y: y, style: i == marked ? theme.style(.label).reversed : theme.style(.label))
            x += canvas.grid.put(DisplayWidth.pad(labels.rejection(message.reason), to: 14) + " ", x: x, y: y,
                                 maxColumns: inner.maxX - x, style: theme.style(.warning))
            let size = message.size < 0 ? "" : "\(Format.compact(message.size)) B"
            x += canvas.grid.put(DisplayWidth.pad(size, to: 7, .right) + "  ", x: x, y: y, maxColumns: inner.maxX - x, style: theme.style(.muted))
            let preview = LiveTail.escaped(message.preview, truncated: message.size > message.preview.count,
                                           ellipsis: canvas.paint.glyphs.ellipsis)
            canvas.grid.put(DisplayWidth.truncate(preview, to: inner.maxX - x, ellipsis: canvas.paint.glyphs.ellipsis),
                            x: x, y: y, style: theme.style(.value))
        }
    }

    private static let widths = [16, 6, 5, 12, 13, 9, 8]

    private func cells(_ event: LiveTail.Event, _ labels: Labels) -> [String] {
        [
            "p\(event.partition) @ \(Format.grouped(event.offset))",
            event.dayIndex < 0 ? "" : labels.day(Int(event.dayIndex)),
            event.isLate ? labels.lateMark : "",
            Action(rawValue: event.action).map(labels.action) ?? "",
            Province(index: Int(event.province)).map(labels.province) ?? "",
            labels.value(.age, code: Int(event.ageRange)),
            Gender(rawValue: event.gender).map(labels.gender) ?? "",
            "\(event.userID) / \(event.itemID)",
        ]
    }

    private func drawColumns(_ canvas: inout Canvas, _ rect: Rect, _ cells: [String], header: Bool = false,
                             marked: Bool = false, late: Bool = false) {
        let theme = canvas.theme
        var x = rect.x
        for (i, cell) in cells.enumerated() {
            let width = i < Self.widths.count ? Self.widths[i] : rect.maxX - x
            guard x < rect.maxX else { break }
            var style = header ? theme.style(.title) : theme.style(i == 0 ? .label : .value)
            if i == 2 && late { style = theme.style(.warning) }
            if i == 0 && marked { style = style.reversed }
            canvas.grid.put(DisplayWidth.pad(cell, to: min(width, rect.maxX - x), ellipsis: canvas.paint.glyphs.ellipsis),
                            x: x, y: rect.y, style: style)
            x += width + 1
        }
    }
}
