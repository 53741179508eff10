import Engine
import Foundation
import TerminalUI

/// Drawing pieces the screens share, in the workbench's theme: a titled panel, a table of figures, a
/// class-coloured scatter, a row of images with captions, and the progress and throughput boxes.
extension WorkbenchState {
    /// Draws a bordered panel and returns its inner area.
    func panel(_ title: String, _ area: Rect, _ buffer: inout Buffer, focused: Bool = false) -> Rect {
        let block = Block.themed(title, theme: theme, focused: focused)
        block.render(in: area, buffer: &buffer)
        return block.inner(area)
    }

    func imageMode(_ id: UInt32) -> ImageView.Mode {
        ImageView.Mode.preferred(colorDepth: colorDepth, kittyGraphics: kittyGraphics, id: id)
    }

    /// The figures as name / value rows under a blank line, which gives way to one more figure in a panel
    /// too short for all of them.
    func renderFigures(_ figures: [(name: String, value: String)], title: String, in area: Rect, buffer: inout Buffer) {
        let inner = panel(title, area, &buffer)
        buffer.render(
            Table(
                columns: [.init("", width: .fill(1)), .init("", width: .fill(1), alignment: .right)],
                rows: figures.map { [$0.name, $0.value] }, headerStyle: theme.mutedStyle, style: theme.textStyle,
                showsHeader: inner.height > figures.count),
            in: inner)
    }

    /// Points coloured by class; label -1 (prior samples, data) is drawn in the muted colour, which no class
    /// shares however many classes the data has.
    func renderScatter(_ s: Snapshot, classNames: [String], title: String, in area: Rect, buffer: inout Buffer) {
        let extra = classNames.count
        let points = s.points.map { ScatterPlot.Point(x: $0.x, y: $0.y, classIndex: $0.label < 0 ? extra : $0.label) }
        let hasExtra = s.points.contains { $0.label < 0 }
        buffer.render(
            ScatterPlot(
                points: points, classColors: theme.classPalette(count: extra, depth: colorDepth) + [theme.muted],
                classNames: classNames + (hasExtra ? ["prior"] : []), legendStyle: theme.textStyle),
            in: panel(title, area, &buffer))
    }

    /// The progress bar and the throughput box. The ETA and the steps a second are shown only while the job
    /// runs: a paused job read "0% · ETA 0:00" (or an ETA from its last steps a second, which no step was
    /// bringing closer) and a rate it was not stepping at; now both say its state (`paused`, `finished`, ...),
    /// as they do for a job that runs without advancing (a watched run nobody trains: `not being trained`).
    func renderProgress(_ s: Snapshot, in area: Rect, buffer: inout Buffer) {
        // Below 70 columns the throughput box gives way, so that the progress label is not cut.
        let bottom = Layout.horizontal([.fill(1), .length(min(40, area.width - 30))]).split(area)
        let running = s.status == .running && s.notAdvancing == nil
        let rate = s.progressPerSecond ?? s.stepsPerSecond
        let eta = rate > 0 ? Double(s.totalSteps - s.step) / rate : 0
        let epoch = s.epoch > 0 ? "epoch \(s.epoch) · " : ""
        let state = running ? "ETA \(ClockText.format(eta))" : statusWord(of: s)
        buffer.render(
            Gauge(
                ratio: s.fraction, label: "\(epoch)\(Int(s.fraction * 100))% · \(state)",
                filledColor: theme.accent, trackColor: theme.border, labelStyle: theme.textStyle),
            in: panel("progress", bottom[0], &buffer))
        let lr = s.figures.first { $0.name == "learning rate" }.map { " · lr \($0.value)" } ?? ""
        buffer.render(
            Paragraph(
                (running ? StepRateText.format(s.stepsPerSecond) : statusWord(of: s)) + lr, style: theme.textStyle),
            in: panel("throughput", bottom[1], &buffer))
    }

    /// A row of images, each above its caption; `signed` draws them as a diverging heatmap. `cellWidth`
    /// makes each image's cell that wide instead of the width the panel's height suggests (6 columns or more).
    func renderImageStrip(
        _ images: [Snapshot.Image], title: String, in area: Rect, buffer: inout Buffer, colormap: Colormap? = nil,
        signed: Bool = false, cellWidth fixedCellWidth: Int? = nil
    ) {
        let inner = panel(title, area, &buffer)
        guard !images.isEmpty, inner.width > 0, inner.height > 0 else {
            buffer.render(Paragraph("waiting for the first step…", style: theme.mutedStyle), in: inner)
            return
        }
        let imageRows = max(1, inner.height - 1)
        let cellWidth = max(1, fixedCellWidth ?? max(6, min(30, imageRows * 2 + 2)))
        renderImageRow(images, in: inner, buffer: &buffer, colormap: colormap, signed: signed, cellWidth: cellWidth)
    }

    /// Images side by side in cells `cellWidth` wide across `inner` (as many as fit), each above its caption,
    /// without a panel; `firstID` numbers their kitty images, which must differ between rows.
    func renderImageRow(
        _ images: [Snapshot.Image], in inner: Rect, buffer: inout Buffer, colormap: Colormap? = nil,
        signed: Bool = false, cellWidth: Int, firstID: Int = 1
    ) {
        let count = min(images.count, max(1, inner.width / cellWidth))
        let cells = Layout.horizontal(Array(repeating: Constraint.length(cellWidth), count: count)).split(inner)
        for (index, cell) in cells.enumerated() {
            let image = images[index]
            // Between neighbours, an image wider than high keeps a column's margin on each side: it would
            // fill its cell's width and run into the next one. Square ones are centred with room to spare.
            let margin = cells.count > 1 && image.width > image.height && cell.width > 2 ? 1 : 0
            let parts = imageAndCaption(
                image, in: Rect(x: cell.x + margin, y: cell.y, width: cell.width - 2 * margin, height: cell.height))
            let picture = parts[0]
            if signed {
                let limit = Double(image.values.map(abs).max() ?? 0)
                buffer.render(
                    Heatmap(
                        values: image.values, width: image.width, height: image.height, colormap: theme.diverging,
                        limit: max(limit, 1e-6), showLegend: false, monochrome: colorDepth == .none),
                    in: picture)
            } else {
                buffer.render(
                    ImageView(
                        pixels: image.values, width: image.width, height: image.height,
                        mode: imageMode(UInt32(firstID + index)), colormap: colormap),
                    in: picture)
            }
            // A caption as wide as its cell is cut one column short before the next cell, so that
            // neighbouring captions stay apart.
            let wrong = image.caption.contains("≠")
            let caption = Line(
                sanitized(image.caption), style: wrong ? theme.warningStyle : theme.mutedStyle, alignment: .center)
            let last = index == cells.count - 1
            let captionWidth = caption.width < parts[1].width || last ? parts[1].width : max(1, parts[1].width - 1)
            buffer.render(caption, in: Rect(x: parts[1].x, y: parts[1].y, width: captionWidth, height: 1))
        }
    }

    /// The rows of `cell` for an image and for its caption right under it. Half blocks and ASCII enlarge by
    /// whole factors, so a tall cell has rows the image leaves free: they go above and below the pair, not
    /// between the image and its caption (kitty graphics fill the rows they are given).
    private func imageAndCaption(_ image: Snapshot.Image, in cell: Rect) -> [Rect] {
        // An image without a caption takes a cell of one row: the empty caption's row left the Sample
        // screen's x_t strip blank in a short terminal, beside a predicted x_0 one row taller.
        let captionRows = image.caption.isEmpty && cell.height == 1 ? 0 : 1
        let available = max(0, cell.height - captionRows)
        var rows = available
        if case .kitty = imageMode(1) {
        } else {
            let (_, pixelHeight) = ImageView.fittedSize(
                width: image.width, height: image.height, pixelWidth: cell.width, pixelHeight: 2 * available)
            rows = min(available, max(1, (pixelHeight + 1) / 2))
        }
        let top = cell.y + (available - rows) / 2
        return [
            Rect(x: cell.x, y: top, width: cell.width, height: rows),
            Rect(x: cell.x, y: top + rows, width: cell.width, height: min(captionRows, cell.height)),
        ]
    }
}

extension WorkbenchState {
    /// How a grid of `rows` labelled rows of `columns` images fills `width` x `height` cells: the rows one
    /// above the other where each gets a row of cells, else in bands side by side (a band of consecutive
    /// rows, the next band to its right), the fewest bands whose images are as large as any, so that a
    /// data folder of 64 classes keeps every class's row (the grid kept the first `height` of them and
    /// said nothing of the rest). Cells are `cellHeight` rows tall and twice as wide; bands at most as many
    /// as leave each room for a label and one image.
    static func gridBands(rows: Int, columns: Int, labelWidth: Int, width: Int, height: Int)
        -> (bands: Int, cellHeight: Int)
    {
        func cell(_ bands: Int) -> Int {
            let perBand = (rows + bands - 1) / bands
            return min(height / perBand, (width / bands - labelWidth) / (2 * columns))
        }
        guard rows > height, height > 0 else { return (1, max(1, cell(1))) }
        let fewest = (rows + height - 1) / height
        let widest = max(1, width / (labelWidth + 2))
        guard fewest <= widest else { return (widest, 1) }
        var best = (bands: fewest, cellHeight: max(1, cell(fewest)))
        for bands in fewest...widest where cell(bands) > best.cellHeight {
            best = (bands, cell(bands))
        }
        return best
    }

    /// Images in labelled rows (a row per class): consecutive images with the same caption form a row,
    /// headed by that caption; cells as large as let every row fit, square in half-block pixels; rows
    /// that do not fit one above the other stand in bands side by side (`gridBands`).
    /// `idBase` keeps kitty graphics ids apart between grids on one screen.
    func renderImageGrid(
        _ images: [Snapshot.Image], title: String, in area: Rect, buffer: inout Buffer, idBase: UInt32 = 0
    ) {
        let inner = panel(title, area, &buffer)
        guard !images.isEmpty, inner.width > 0, inner.height > 0 else {
            buffer.render(Paragraph("waiting for the first step…", style: theme.mutedStyle), in: inner)
            return
        }
        var rows: [(label: String, images: [Snapshot.Image])] = []
        for image in images {
            if let last = rows.last, last.label == image.caption {
                rows[rows.count - 1].images.append(image)
            } else {
                rows.append((image.caption, [image]))
            }
        }
        let labelWidth = min(12, max(rows.map(\.label.count).max() ?? 0, 1) + 1)
        let columns = max(rows.map(\.images.count).max() ?? 1, 1)
        let layout = Self.gridBands(
            rows: rows.count, columns: columns, labelWidth: labelWidth, width: inner.width, height: inner.height)
        let height = layout.cellHeight
        let perBand = min((rows.count + layout.bands - 1) / layout.bands, max(1, inner.height / height))
        let bandWidth = inner.width / layout.bands
        // Where even the bands cannot hold every row, the last place says how many are left out.
        let shown = min(rows.count, layout.bands * perBand)
        var index: UInt32 = 0
        for (r, row) in rows.enumerated() {
            let left = inner.x + (r / perBand) * bandWidth
            let y = inner.y + (r % perBand) * height
            guard r < shown, y + height <= inner.y + inner.height else { break }
            if r == shown - 1 && shown < rows.count {
                buffer.render(
                    Line("+\(rows.count - r) more", style: theme.mutedStyle),
                    in: Rect(x: left, y: y + (height - 1) / 2, width: bandWidth, height: 1))
                break
            }
            buffer.render(
                Line(sanitized(row.label), style: theme.mutedStyle),
                in: Rect(x: left, y: y + (height - 1) / 2, width: labelWidth - 1, height: 1))
            for (c, image) in row.images.enumerated() {
                let x = left + labelWidth + c * 2 * height
                guard x + 2 * height <= left + bandWidth else { break }
                index += 1
                buffer.render(
                    ImageView(
                        pixels: image.values, width: image.width, height: image.height, mode: imageMode(idBase + index)),
                    in: Rect(x: x, y: y, width: 2 * height, height: height))
            }
        }
    }
}
