import Attacks
import Engine
import TerminalUI

extension AttackScreen {
    /// AutoAttack's components (`Snapshot.autoAttack`), compactly: a row per component with the images it broke
    /// and the robust accuracy after it as a bar (the first row: clean accuracy and the images misclassified
    /// before any attack), the running one with its iterations, the waiting ones; the row of the component that
    /// broke the shown image in the accent style, and under the rows what happened to that image.
    func renderAutoAttack(
        _ progress: AutoAttackProgress, image: Int, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState
    ) {
        let theme = workbench.theme
        let inner = workbench.panel("AutoAttack · after each component", area, &buffer)
        guard !inner.isEmpty else { return }
        let rowCount = progress.rows.count + 1
        let showsVerdict = inner.height > rowCount
        let showsHeader = inner.height > rowCount + 1
        var y = inner.y
        if showsHeader {
            buffer.setString(
                "         broke  robust accuracy", x: inner.x, y: y, style: theme.mutedStyle,
                maxWidth: inner.width)
            y += 1
        }
        let label = progress.brokenBy.indices.contains(image) ? progress.brokenBy[image] : ""
        let clean = (name: "clean", count: progress.misclassified, value: progress.cleanAccuracy)
        bar(clean, highlighted: label == AutoAttack.cleanLabel, y: y, in: inner, buffer: &buffer, theme: theme)
        y += 1
        for row in progress.rows where y < inner.bottom {
            switch row.state {
            case .done:
                bar(
                    (row.name, row.broken, row.robustAccuracy ?? .nan), highlighted: label == row.name, y: y,
                    in: inner, buffer: &buffer, theme: theme)
            case .running(let done, let total):
                // Where "running" does not fit, the iterations keep their place (they were cut first).
                let full = name(row.name) + "▶ running \(done)/\(total)"
                buffer.setString(
                    full.count <= inner.width ? full : name(row.name) + "▶ \(done)/\(total)", x: inner.x, y: y,
                    style: theme.textStyle, maxWidth: inner.width)
            case .pending:
                buffer.setString(
                    name(row.name) + "· waiting", x: inner.x, y: y, style: theme.mutedStyle, maxWidth: inner.width)
            }
            y += 1
        }
        if showsVerdict, let fate = progress.fate(image: image) {
            // At the bottom; on two rows when one is too narrow and the rows above leave room.
            var lines = wrapped("image \(image): \(fate.sentence)", width: max(1, inner.width))
            if lines.count > 1 && inner.bottom - lines.count < y { lines = [lines.joined(separator: " ")] }
            for (index, line) in lines.enumerated() {
                buffer.setString(
                    line, x: inner.x, y: inner.bottom - lines.count + index, style: theme.accentStyle,
                    maxWidth: inner.width)
            }
        }
    }

    /// A component's name padded to its column.
    private func name(_ text: String) -> String {
        text.count >= 9 ? String(text.prefix(8)) + " " : text.padding(toLength: 9, withPad: " ", startingAt: 0)
    }

    /// One row: name, images broken, and the robust accuracy as a bar with its value.
    private func bar(
        _ entry: (name: String, count: Int, value: Double), highlighted: Bool, y: Int, in area: Rect,
        buffer: inout Buffer, theme: Theme
    ) {
        guard y < area.bottom else { return }
        let style = highlighted ? theme.accentStyle : theme.textStyle
        let count = String(entry.count)
        let text = name(entry.name) + String(repeating: " ", count: max(0, 5 - count.count)) + count + " "
        let value = entry.value.isFinite ? AxisTicks.formatFixed(entry.value, decimals: 3) : "nan"
        let left = area.x + text.count
        guard area.right - left > value.count else {
            // No room for a bar: the name, the count and the whole figure at the row's end (the figure was cut
            // to the columns left, without a mark: 0.900 drawn "0.", 0.600 "0.6").
            let head =
                String(entry.name.prefix(7)).padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 3 - count.count)) + count
            buffer.setString(head, x: area.x, y: y, style: style, maxWidth: max(0, area.width - value.count - 1))
            buffer.setString(
                value, x: max(area.x, area.right - value.count), y: y, style: style, maxWidth: area.width)
            return
        }
        buffer.setString(text, x: area.x, y: y, style: style, maxWidth: area.width)
        buffer.render(
            BarChart(
                bars: [.init(label: "", value: entry.value, color: theme.seriesColor(0))], maximum: 1,
                highlighted: highlighted ? 0 : nil, labelStyle: theme.textStyle, highlightStyle: theme.accentStyle,
                decimals: 3),
            in: Rect(x: left, y: y, width: area.right - left, height: 1))
    }
}
