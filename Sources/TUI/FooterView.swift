/// The bottom row: the keys, the refresh rate, and a badge while the view is paused.
struct FooterView {
    let model: DashboardModel
    let paint: Paint
    let labels: Labels

    func draw(_ grid: inout CellGrid, _ rect: Rect) {
        guard !rect.isEmpty else { return }
        let theme = paint.theme
        var x = rect.x + 1
        var right = rect.maxX
        if model.paused {
            let badge = " \(labels.paused) +\(Format.grouped(model.newSincePause)) \(labels.newEvents) "
            right -= DisplayWidth.of(badge)
            grid.put(badge, x: right, y: rect.y, style: theme.style(.highlight).reversed)
            right -= 1
        }
        if let problem = model.snapshot.checkpointProblem {
            // Nothing matters more than "your state is not being saved".
            let text = " \(labels.stateNotSaved): \(problem) "
            grid.put(DisplayWidth.truncate(text, to: right - x, ellipsis: paint.glyphs.ellipsis), x: x, y: rect.y,
                     style: theme.style(.alert).reversed)
            return
        }
        if model.snapshot.earlierRecords > 0 {
            // An empty-looking dashboard over a full topic: say why, where the eye goes.
            let text = " \(labels.startedAtEnd(model.snapshot.earlierRecords, canReadFromBeginning: model.canReadFromBeginning)) "
            grid.put(DisplayWidth.truncate(text, to: right - x, ellipsis: paint.glyphs.ellipsis), x: x, y: rect.y,
                     style: theme.style(.highlight).reversed)
            return
        }
        let fps = "\(model.fps) fps"
        grid.put(fps, x: right - DisplayWidth.of(fps) - 1, y: rect.y, style: theme.style(.muted))
        right -= DisplayWidth.of(fps) + 2
        for (key, action) in labels.keys {
            let width = DisplayWidth.of(key) + 1 + DisplayWidth.of(action) + 2
            guard x + width <= right else { break }
            x += grid.put(key, x: x, y: rect.y, style: theme.style(.footerKey))
            x += grid.put(" " + action + "  ", x: x, y: rect.y, style: theme.style(.muted))
        }
    }
}

extension Style {
    /// A badge: the same style in reverse video.
    var reversed: Style {
        var style = self
        style.reverse = true
        return style
    }
}
