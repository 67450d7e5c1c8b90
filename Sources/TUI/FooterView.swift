import Formatting

/// The bottom row: the filter prompt while it is open; else the pages (the current one
/// marked, as btop and k9s do), the keys, the refresh rate, and a badge while paused.
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
            // Kept while typing a filter too: the numbers on screen stay frozen.
            let badge = " \(labels.paused) +\(Format.grouped(model.newSincePause)) \(labels.newEvents) "
            right -= DisplayWidth.of(badge)
            grid.put(badge, x: right, y: rect.y, style: theme.style(.highlight).reversed)
            right -= 1
        }
        if let prompt = model.prompt {
            drawPrompt(prompt, &grid, Rect(x: rect.x, y: rect.y, width: max(0, right - rect.x), height: 1))
            return
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
        // The way to every other key stays, however narrow the screen.
        let help = ("?", labels.helpKey)
        right -= DisplayWidth.of(help.0) + 1 + DisplayWidth.of(help.1) + 1
        grid.put(help.0, x: right, y: rect.y, style: theme.style(.footerKey))
        grid.put(" " + help.1, x: right + DisplayWidth.of(help.0), y: rect.y, style: theme.style(.muted))
        right -= 1
        let tabsWidth = model.pages.reduce(0) { $0 + DisplayWidth.of(labels.page($1)) + 4 }
        let name = x + tabsWidth <= right ? labels.page : labels.shortPage
        for page in model.pages {
            let tab = " \(page.rawValue) \(name(page)) "
            guard x + DisplayWidth.of(tab) <= right else { break }
            x += grid.put(tab, x: x, y: rect.y, style: page == model.page ? theme.style(.footerKey).reversed : theme.style(.muted))
        }
        x += 2
        for (key, action) in labels.keys(for: model.page) {
            let width = DisplayWidth.of(key) + 1 + DisplayWidth.of(action) + 2
            guard x + width <= right else { break }
            x += grid.put(key, x: x, y: rect.y, style: theme.style(.footerKey))
            x += grid.put(" " + action + "  ", x: x, y: rect.y, style: theme.style(.muted))
        }
    }
}

extension FooterView {
    /// `/ text▏` and, after it, why the text did not parse or was cut.
    private func drawPrompt(_ prompt: FilterPrompt, _ grid: inout CellGrid, _ rect: Rect) {
        let theme = paint.theme
        var x = rect.x + grid.put("/ ", x: rect.x, y: rect.y, maxColumns: rect.width, style: theme.style(.footerKey))
        let problem = prompt.refused > 0
            ? labels.filterTooLong(limit: FilterPrompt.maximumLength, refused: prompt.refused) : prompt.error
        let hint = problem.map { "  \(paint.glyphs.bullet) \($0)" } ?? "  \(labels.promptHint)"
        let textRoom = max(10, rect.width - 3 - min(DisplayWidth.of(hint), rect.width / 2))
        // The end of long text is what is being typed: keep it in view.
        let text = String(DisplayWidth.suffix(of: prompt.text, fitting: textRoom - 1))
        x += grid.put(text, x: x, y: rect.y, maxColumns: rect.maxX - x, style: theme.style(.value))
        x += grid.put(" ", x: x, y: rect.y, maxColumns: rect.maxX - x, style: theme.style(.value).reversed)
        grid.put(DisplayWidth.truncate(hint, to: rect.maxX - x, ellipsis: paint.glyphs.ellipsis), x: x, y: rect.y,
                 style: theme.style(problem == nil ? .muted : .alert))
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
