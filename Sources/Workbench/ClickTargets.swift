import TerminalUI

/// Where the last frame drew the things a mouse click can pick (tabs, a screen's items such as Home's
/// menu entries or the Runs screen's rows), so a click maps to what the user saw. Rendering records;
/// input handling looks up. A class so the non-mutating `render` can record into the state's instance;
/// used on the UI thread only.
final class ClickTargets {
    enum Target: Equatable {
        /// A tab: the index of its screen.
        case tab(Int)
        /// An item of the current screen (its own numbering).
        case item(Int)
        /// The current screen's list, which the wheel scrolls (moves the selection of).
        case list
    }

    private var regions: [(area: Rect, target: Target)] = []

    func clear() { regions.removeAll(keepingCapacity: true) }

    func add(_ area: Rect, _ target: Target) {
        if !area.isEmpty { regions.append((area, target)) }
    }

    /// The most specific target at a cell: the last recorded region that contains it.
    func target(x: Int, y: Int) -> Target? {
        regions.last { $0.area.contains(x: x, y: y) }?.target
    }

    /// The list under a cell, for the wheel.
    func list(x: Int, y: Int) -> Target? {
        regions.last { $0.area.contains(x: x, y: y) && $0.target == .list }?.target
    }
}
