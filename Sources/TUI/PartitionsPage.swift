struct PartitionsPage {
    let full: Bool

    func draw(_ canvas: inout Canvas, _ body: Rect) {
        _ = canvas.panel(body, title: canvas.labels.page(.partitions), bordered: full)
    }
}
