/// A key press or terminal event, as the dashboard understands it.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, pageUp, pageDown, home, end, escape
    /// The terminal changed size.
    case resize
}

/// What the viewer asked for with a key, applied to the view state. Pure, so the key map
/// is tested without a terminal.
public enum KeyAction: Equatable, Sendable {
    case quit
    case none
    /// The view state changed: redraw now.
    case redraw
    /// Start over from the beginning of every partition, with counts from zero.
    case readFromBeginning

    public static func apply(_ key: Key, to model: inout DashboardModel, page: Int) -> KeyAction {
        if model.showHelp && key != .resize {
            // Any key closes the help; q still quits.
            model.showHelp = false
            return key == .character("q") ? .quit : .redraw
        }
        switch key {
        case .character("q"), .character("Q"):
            return .quit
        case .character("p"), .character(" "):
            model.paused.toggle()
            model.newSincePause = 0
        case .character("?"), .character("h"):
            model.showHelp = true
        case .character("+"), .character("="):
            model.fps = min(30, model.fps + (model.fps < 5 ? 1 : 5))
        case .character("-"), .character("_"):
            model.fps = max(1, model.fps - (model.fps <= 5 ? 1 : 5))
        case .down, .character("j"):
            model.provinceScroll = min(model.provinceScroll + 1, 33)
        case .up, .character("k"):
            model.provinceScroll = max(0, model.provinceScroll - 1)
        case .pageDown:
            model.provinceScroll = min(model.provinceScroll + page, 33)
        case .pageUp:
            model.provinceScroll = max(0, model.provinceScroll - page)
        case .home, .character("g"):
            model.provinceScroll = 0
        case .end, .character("G"):
            model.provinceScroll = 33
        case .character("s"):
            model.provinceSort = model.provinceSort == .count ? .name : .count
            model.provinceScroll = 0
        case .character("l"):
            model.language = model.language == .en ? .zh : .en
        case .character("e") where model.canReadFromBeginning && model.snapshot.earlierRecords > 0:
            return .readFromBeginning
        case .resize:
            break
        default:
            return .none
        }
        return .redraw
    }
}
