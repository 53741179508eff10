import Base
import Datasets
import Foundation
import SafeTensors

/// The contents of a run's `config.json`: what was trained, on what, with which settings, how far.
public struct RunConfig: Sendable {
    public static let formatVersion = 1
    public var model: String
    /// What the user passed to `--data` (synthetic, fashion or a folder).
    public var data: String
    /// The dataset's own name.
    public var dataset: String
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var seed: UInt64
    public var epochsDone = 0
    public var classNames: [String] = []
    public var trainCount = 0
    public var testCount = 0
    public var created: String
    public var test: [String: Double] = [:]
    /// Model-specific settings (latent size, prior, ...).
    public var extra: [String: JSONValue] = [:]

    public init(
        model: String, data: String, dataset: String, epochs: Int, batch: Int, learningRate: Double, seed: UInt64
    ) {
        self.model = model
        self.data = data
        self.dataset = dataset
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.seed = seed
        let formatter = ISO8601DateFormatter()
        created = formatter.string(from: Date())
    }

    /// A config for training on `dataset`, with its name, class names and split sizes filled in.
    public init(
        model: String, data: String, dataset: Dataset, epochs: Int, batch: Int, learningRate: Double, seed: UInt64
    ) {
        self.init(
            model: model, data: data, dataset: dataset.name, epochs: epochs, batch: batch, learningRate: learningRate,
            seed: seed)
        classNames = dataset.classNames
        trainCount = dataset.trainCount
        testCount = dataset.testCount
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "version": .integer(RunConfig.formatVersion), "model": .string(model), "data": .string(data),
            "dataset": .string(dataset), "epochs": .integer(epochs), "batch": .integer(batch),
            "lr": .number(learningRate),
            "seed": .string(String(seed)), "epochs_done": .integer(epochsDone),
            "class_names": .array(classNames.map { .string($0) }),
            "train_count": .integer(trainCount), "test_count": .integer(testCount), "created": .string(created),
            "test": .object(test.mapValues { .number($0) }),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}

/// `metrics.csv`: one row per epoch (epoch, step, seconds, then the epoch summary's metrics in the
/// order of the header), rewritten whole (atomically) after each epoch.
public struct MetricsTable: Sendable {
    /// The metric columns after epoch, step and seconds.
    public private(set) var header: [String]
    public private(set) var rows: [String]

    public init(header: [String] = [], rows: [String] = []) {
        self.header = header
        self.rows = rows
    }

    /// The last line of the file read, when it was cut short and left out (see `init(csv:)`).
    public private(set) var droppedRow: String?

    /// The rows `keepRows(through:)` left out: epochs past the one a resume continues from.
    public private(set) var droppedLaterRows = 0

    /// Epochs up to the one a resume continues from that have no row (`keepRows(through:)`): an emptied
    /// metrics.csv lost them, and the resumed epochs' rows follow without them.
    public private(set) var missingEarlierRows = 0

    /// Keeps the rows of epochs up to `epoch` (and rows whose epoch does not read), leaving out later ones:
    /// a resume from config.json's `epochs_done` appends its rows after them (a file holding rows for epochs
    /// 1 to 3 of a run saved at epoch 1 read 1, 2, 3, 2 after a resume to 2). Counts the epochs up to `epoch`
    /// that have no row.
    public mutating func keepRows(through epoch: Int) {
        let epochs = rows.map { row in row.split(separator: ",", maxSplits: 1).first.flatMap { Int($0) } }
        let kept = zip(rows, epochs).filter { $1.map { $0 <= epoch } ?? true }.map(\.0)
        droppedLaterRows = rows.count - kept.count
        missingEarlierRows = epoch - Set(epochs.compactMap { $0 }.filter { (1...epoch).contains($0) }).count
        rows = kept
    }

    /// The warning `train --resume` and the workbench give when `droppedRow` or later rows were left out of
    /// `file`, or rows of the epochs done are missing, or nil when all is well.
    public func droppedRowWarning(file: String) -> String? {
        var parts: [String] = []
        if let droppedRow {
            parts.append(
                "its last row was cut short ('\(Sanitize.line(droppedRow, limit: 60))'); dropped it, the resumed "
                    + "epochs' rows follow the whole ones")
        }
        if droppedLaterRows > 0 {
            parts.append(
                "\(counted(droppedLaterRows, "row")) of epochs past config.json's epochs_done dropped; the resumed "
                    + "epochs' rows replace them")
        }
        // The cut-short row, when there was one, is one of the epochs without a row: said already.
        let unexplained = missingEarlierRows - (droppedRow == nil ? 0 : 1)
        if unexplained > 0 {
            parts.append(
                "it has no row for \(counted(unexplained, "epoch")) of the ones done; the resumed epochs' rows "
                    + "follow without them")
        }
        return parts.isEmpty ? nil : "warning: \(file): " + parts.joined(separator: "; ")
    }

    /// The table of a saved `metrics.csv`. A last line without its line end that is not a whole row (too
    /// few or too many fields, or a field that is not a number: a file cut mid-line) is left out and
    /// kept in `droppedRow`, so rows appended later do not follow a broken one.
    public init(csv text: String) {
        var lines = text.split(separator: "\n").map(String.init)
        if !text.isEmpty, !text.hasSuffix("\n"), let last = lines.last, !Self.isWholeRow(last, of: lines) {
            droppedRow = lines.removeLast()
        }
        header = lines.first.map { $0.split(separator: ",").dropFirst(3).map(String.init) } ?? []
        rows = Array(lines.dropFirst())
    }

    /// Whether `line`, the last of `lines`, is a complete row: as many fields as the header, each a
    /// number or empty. A lone header line without its line end counts as cut short.
    private static func isWholeRow(_ line: String, of lines: [String]) -> Bool {
        guard lines.count > 1, let header = lines.first else { return false }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == header.split(separator: ",", omittingEmptySubsequences: false).count else {
            return false
        }
        return fields.allSatisfy { $0.isEmpty || Double($0) != nil }
    }

    /// Adds an epoch's row; the first summary of an empty table sets the header.
    public mutating func append(_ summary: EpochSummary) {
        if header.isEmpty { header = summary.metrics.map(\.name) }
        rows.append(
            ([String(summary.epoch), String(summary.step), String(format: "%.3f", summary.seconds)]
                + header.map { name in summary.value(name).map { String(format: "%.6f", $0) } ?? "" })
                .joined(separator: ","))
    }

    /// The values of metric `name` by epoch (rows where it is empty or unreadable are left out).
    public func column(_ name: String) -> [(epoch: Int, value: Double)] {
        guard let index = header.firstIndex(of: name) else { return [] }
        return rows.compactMap { row in
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > index + 3, let epoch = Int(fields[0]), let value = Double(fields[index + 3]) else {
                return nil
            }
            return (epoch, value)
        }
    }

    /// The metrics of epoch `epoch`'s row (empty when there is none).
    public func row(epoch: Int) -> [(name: String, value: Double)] {
        guard let row = rows.first(where: { $0.split(separator: ",").first.map(String.init) == String(epoch) })
        else { return [] }
        let fields = row.split(separator: ",", omittingEmptySubsequences: false).dropFirst(3)
        return zip(header, fields).compactMap { name, field in Double(field).map { (name, $0) } }
    }

    public var text: String {
        ((["epoch,step,seconds" + header.map { "," + $0 }.joined()] + rows).joined(separator: "\n")) + "\n"
    }
}
