import TerminalUI

/// Where the last frame drew the things a mouse click can pick (tabs, Home menu items, run rows), so
/// a click maps to what the user saw. Rendering records; input handling looks up. A class so the
/// non-mutating `render` can record into the state's instance; used on the UI thread only.
final class ClickTargets {
    enum Target: Equatable {
        case tab(WorkbenchState.Screen)
        case homeItem(Int)
        case runRow(Int)
        /// A list the wheel scrolls (moves the selection of).
        case homeList, runsList
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
        regions.last { $0.area.contains(x: x, y: y) && ($0.target == .homeList || $0.target == .runsList) }?.target
    }
}
