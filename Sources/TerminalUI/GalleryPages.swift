import Foundation

/// Drawing of the widget gallery's pages.
extension GalleryState {
    static let helpEntries: [HelpOverlay.Entry] = [
        .init("Tab / →", "next page"), .init("Shift-Tab / ←", "previous page"),
        .init("1-4", "go to page"),
        .init("↑ ↓ PgUp PgDn", "move table selection"), .init("s", "toggle smoothing"),
        .init("l", "toggle log scale"),
        .init("Space", "pause / resume"), .init("Ctrl-Z", "suspend"), .init("?", "close this help"),
        .init("q", "quit"),
    ]

    /// Draws the whole screen.
    func render(into buffer: inout Buffer) {
        buffer.setStyle(theme.textStyle, in: buffer.area)
        if buffer.showTooSmallIfNeeded(
            minimumWidth: GalleryState.minimumWidth,
            minimumHeight: GalleryState.minimumHeight, style: theme.warningStyle)
        {
            return
        }
        let rows = Layout.vertical([.length(1), .fill(1), .length(1)]).split(buffer.area)
        let header = Layout.horizontal([.fill(1), .length(26)]).split(rows[0])
        buffer.render(
            Tabs(
                titles: GalleryState.pageTitles, selected: page, style: theme.mutedStyle,
                selectedStyle: theme.selectionStyle.adding(.bold)), in: header[0])
        buffer.render(
            Line("Manifold widget gallery", style: theme.accentStyle, alignment: .right), in: header[1])
        switch page {
        case 0: renderTraining(in: rows[1], buffer: &buffer)
        case 1: renderLatent(in: rows[1], buffer: &buffer)
        case 2: renderImages(in: rows[1], buffer: &buffer)
        default: renderText(in: rows[1], buffer: &buffer)
        }
        let status = StatusLine(
            left: [
                Span(" q", style: Style(attributes: .bold)), Span(" quit  "),
                Span("Tab", style: Style(attributes: .bold)), Span(" page  "),
                Span("?", style: Style(attributes: .bold)), Span(" help  "),
                Span(
                    paused ? "paused" : "running",
                    style: Style(foreground: paused ? theme.warning : theme.accent)),
            ],
            right: [Span("\(theme.name) · \(depthName) · step \(trainLoss.count) ")],
            style: Style(foreground: theme.text, background: theme.border))
        buffer.render(status, in: rows[2])
        if showHelp {
            buffer.render(
                HelpOverlay(
                    entries: GalleryState.helpEntries, style: theme.textStyle,
                    keyStyle: theme.accentStyle, borderStyle: Style(foreground: theme.accent)),
                in: buffer.area)
        }
    }

    private var depthName: String {
        switch colorDepth {
        case .trueColor: return "truecolor"
        case .palette256: return "256 colours"
        case .ansi16: return "16 colours"
        case .none: return "no colour"
        }
    }

    private func panel(_ title: String, _ area: Rect, _ buffer: inout Buffer) -> Rect {
        let block = Block.themed(title, theme: theme)
        block.render(in: area, buffer: &buffer)
        return block.inner(area)
    }

    private var imageMode: (UInt32) -> ImageView.Mode {
        { id in ImageView.Mode.preferred(colorDepth: colorDepth, kittyGraphics: kittyGraphics, id: id) }
    }

    private func renderTraining(in area: Rect, buffer: inout Buffer) {
        let rows = Layout.vertical([.fill(1), .length(3)]).split(area)
        let charts = Layout.horizontal([.percentage(55), .fill(1)]).split(rows[0])
        let lossTitle = "loss" + (logScale ? " (log)" : "") + (smoothing ? " · smoothed" : "")
        let loss = LineChart(
            series: [
                .init(name: "train", values: trainLoss, color: theme.seriesColor(0)),
                .init(name: "test", values: testLoss, color: theme.seriesColor(1)),
            ],
            logScaleY: logScale, smoothing: smoothing ? 0.8 : 0, axisStyle: theme.borderStyle,
            labelStyle: theme.mutedStyle, legendStyle: theme.textStyle)
        buffer.render(loss, in: panel(lossTitle, charts[0], &buffer))
        let right = Layout.vertical([.fill(1), .fill(1)]).split(charts[1])
        let accuracyChart = LineChart(
            series: [.init(name: "accuracy", values: accuracy, color: theme.seriesColor(2))],
            smoothing: smoothing ? 0.6 : 0, yRange: 0...1, axisStyle: theme.borderStyle,
            labelStyle: theme.mutedStyle,
            legendStyle: theme.textStyle)
        buffer.render(accuracyChart, in: panel("test accuracy", right[0], &buffer))
        buffer.render(
            Histogram(
                values: Array(gradientNorm.suffix(400)), binCount: 30, color: theme.seriesColor(4),
                labelStyle: theme.mutedStyle),
            in: panel("gradient norm histogram", right[1], &buffer))
        let bottom = Layout.horizontal([.percentage(55), .fill(1)]).split(rows[1])
        let epochs = 20.0
        let progress = (Double(trainLoss.count) / 60).truncatingRemainder(dividingBy: 1)
        let epoch = Int(Double(trainLoss.count) / 60) % Int(epochs) + 1
        buffer.render(
            Gauge(
                ratio: progress, label: "epoch \(epoch)/\(Int(epochs)) · \(Int(progress * 100))%",
                filledColor: theme.accent, trackColor: theme.border, labelStyle: theme.textStyle),
            in: panel("progress", bottom[0], &buffer))
        buffer.render(
            Sparkline(values: gradientNorm, style: Style(foreground: theme.seriesColor(3))),
            in: panel("gradient norm", bottom[1], &buffer))
    }

    private func renderLatent(in area: Rect, buffer: inout Buffer) {
        let columns = Layout.horizontal([.fill(2), .fill(1)]).split(area)
        let points = scatterPoints
        let marker: Canvas.Marker = frame / 150 % 2 == 0 ? .braille : .halfBlock
        buffer.render(
            ScatterPlot(
                points: points, classColors: theme.classes, classNames: GalleryState.classNames,
                marker: marker, xRange: -9...9, yRange: -9...9, legendStyle: theme.textStyle),
            in: panel(
                "latent space · 2,000 points · \(marker == .braille ? "braille" : "half blocks")",
                columns[0], &buffer))
        let right = Layout.vertical([.length(12), .fill(1)]).split(columns[1])
        // Class probabilities of a "prediction" that drifts between classes.
        let focus = Double(frame) * 0.02
        var logits = (0..<10).map { k in 3 * cos(focus - Double(k) * 0.7) }
        let top = logits.max()!
        logits = logits.map { exp($0 - top) }
        let total = logits.reduce(0, +)
        let probabilities = logits.map { $0 / total }
        let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] }
        buffer.render(
            BarChart(
                bars: (0..<10).map {
                    .init(
                        label: GalleryState.classNames[$0], value: probabilities[$0],
                        color: theme.classColor($0))
                },
                maximum: 1, highlighted: predicted, labelStyle: theme.textStyle,
                highlightStyle: theme.accentStyle),
            in: panel("class probabilities", right[0], &buffer))
        let norms = points.prefix(600).map { ($0.x * $0.x + $0.y * $0.y).squareRoot() }
        buffer.render(
            Histogram(
                values: norms, binCount: 24, color: theme.seriesColor(5), labelStyle: theme.mutedStyle),
            in: panel("latent norm", right[1], &buffer))
    }

    private func renderImages(in area: Rect, buffer: inout Buffer) {
        let rows = Layout.vertical([.percentage(50), .fill(1)]).split(area)
        let top = Layout.horizontal(Array(repeating: Constraint.fill(1), count: 4)).split(rows[0])
        let wobble = 2 * sin(Double(frame) * 0.1)
        for (i, cell) in top.enumerated() {
            let digit = (frame / 60 + i * 3) % 10
            let pixels = SyntheticPictures.digitLike(
                digit, size: 28, slant: 0.1 * Double(i - 1), wobble: wobble)
            buffer.render(
                ImageView(pixels: pixels, width: 28, height: 28, mode: imageMode(UInt32(i + 1))),
                in: panel("digit \(digit)", cell, &buffer))
        }
        let bottom = Layout.horizontal([.fill(1), .fill(1), .fill(1)]).split(rows[1])
        let field = SyntheticPictures.signedField(width: 28, height: 28, phase: Double(frame) * 0.05)
        buffer.render(
            Heatmap(
                values: field.map { $0 * 0.03 }, width: 28, height: 28, colormap: theme.diverging,
                labelStyle: theme.mutedStyle, monochrome: colorDepth == .none),
            in: panel("perturbation", bottom[0], &buffer))
        let sample = SyntheticPictures.digitLike((frame / 45) % 10, size: 28, slant: -0.2)
        buffer.render(
            ImageView(
                pixels: sample, width: 28, height: 28, mode: colorDepth == .none ? .ascii : .halfBlock,
                colormap: theme.sequential),
            in: panel("sample · sequential map", bottom[1], &buffer))
        buffer.render(
            ImageView(pixels: sample, width: 28, height: 28, mode: .ascii),
            in: panel("ASCII ramp", bottom[2], &buffer))
    }

    private func renderText(in area: Rect, buffer: inout Buffer) {
        let columns = Layout.horizontal([.percentage(55), .fill(1)]).split(area)
        let tableArea = panel(
            "runs (\(selectedRow + 1)/\(GalleryState.tableRows.count))", columns[0], &buffer)
        let offset = Table.scrollOffset(
            selected: selectedRow, current: tableOffset, visibleRows: tableArea.height - 1,
            rowCount: GalleryState.tableRows.count)
        buffer.render(
            Table(
                columns: [
                    .init("run", width: .min(8)), .init("model", width: .length(6)),
                    .init("loss", width: .length(7), alignment: .right),
                    .init("epoch", width: .length(5), alignment: .right),
                    .init("state", width: .length(8)),
                ],
                rows: GalleryState.tableRows, selected: selectedRow, scrollOffset: offset,
                headerStyle: theme.accentStyle,
                selectedStyle: theme.selectionStyle),
            in: tableArea)
        let right = Layout.vertical([.fill(1), .length(4)]).split(columns[1])
        let text = """
            Every widget draws into a Buffer of cells; the Renderer writes only the cells that changed, \
            inside synchronized-output markers, so frames never tear.

            Untrusted text is sanitized: this run name "evil\u{1B}[2J\u{1B}]0;pwned\u{07}-run\u{9B}31m" \
            arrives without its escape sequences.

            Wide characters take two cells: 数据集 📈 — and long words are broken: \
            supercalifragilisticexpialidocious.
            """
        buffer.render(Paragraph(text, style: theme.textStyle), in: panel("about", right[0], &buffer))
        buffer.render(
            Paragraph([
                Line([Span("last input: ", style: theme.mutedStyle), Span(lastEvent)]),
                Line([
                    Span("terminal: ", style: theme.mutedStyle),
                    Span("\(depthName)\(kittyGraphics ? ", kitty graphics" : "")"),
                ]),
            ]),
            in: panel("events", right[1], &buffer))
    }
}
