import Base
import Engine
import Foundation
import SafeTensors
import TerminalUI

/// The Runs screen's list: run folders with model, dataset, date and final metrics; delete with
/// confirmation. Reloaded at most every two seconds.
struct RunsBrowser {
    struct Entry {
        let run: RunDirectory
        /// Why config.json could not be read (one line naming the file), or nil when it was.
        let problem: String?
        let model: String
        let dataset: String
        let epochs: String
        let accuracy: String
        let created: String
        let details: [String]
    }

    /// The folder whose runs are listed.
    let root: String
    var entries: [Entry] = []
    var selected = 0
    var scrollOffset = 0
    /// The run the "delete?" question is about, fixed when it is asked: the list may reload before the
    /// answer (a job saving a new run), and the answer must not delete whichever run is then in that row.
    private(set) var pendingDelete: RunDirectory?
    var confirmingDelete: Bool { pendingDelete != nil }
    private var loadedAt = Date.distantPast

    init(root: String) { self.root = root }

    mutating func refreshIfStale() {
        guard Date().timeIntervalSince(loadedAt) > 2 else { return }
        reload()
    }

    /// Reads the runs again; the selected run stays selected where it moved in the list.
    mutating func reload() {
        loadedAt = Date()
        let selectedPath = entries.indices.contains(selected) ? entries[selected].run.path : nil
        entries = RunDirectory.list(root: root).map { run in
            let config: [String: JSONValue]
            do {
                config = try run.readConfig()
            } catch {
                return Entry(
                    run: run, problem: Sanitize.line("\(error)"), model: "?", dataset: "?", epochs: "?",
                    accuracy: "-", created: "", details: [run.configProblem(error)])
            }
            // An accuracy outside 0...1 or not finite (a hand-edited 1e308) shows as "?", not as the number.
            let accuracy = RunConfig.shownTestAccuracy(config)
            let details = config.keys.sorted().map { key in "\(key): \(config[key]!.serialized())" }
            return Entry(
                run: run, problem: nil, model: config["model"]?.stringValue ?? "?",
                dataset: config["dataset"]?.stringValue ?? "?",
                epochs: (try? TrainingPlan.epochsDone(config, source: run.path)).map(String.init) ?? "?",
                accuracy: accuracy,
                created: String((config["created"]?.stringValue ?? "").prefix(19)), details: details)
        }
        if let index = entries.firstIndex(where: { $0.run.path == selectedPath }) { selected = index }
        selected = min(selected, max(0, entries.count - 1))
    }

    /// The keys that move the selection (and say nothing).
    static let selectionKeys: Set<Key> = [.up, .down, .pageUp, .pageDown]

    /// Keys on the Runs screen; returns a message for the status line.
    mutating func handle(key: KeyEvent) -> String? {
        switch key.key {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(max(0, entries.count - 1), selected + 1)
        case .pageUp: selected = max(0, selected - 10)
        case .pageDown: selected = min(max(0, entries.count - 1), selected + 10)
        case .character("r"):
            reload()
            return "reloaded \(counted(entries.count, "run"))"
        case .character("d"), .delete:
            guard entries.indices.contains(selected) else { return nil }
            pendingDelete = entries[selected].run
            return deleteQuestion(width: .max)
        default: break
        }
        return nil
    }

    /// The pending "delete PATH? y / n" in at most `width` columns: a long path loses its middle, the
    /// answer keys stay. Nil when no question is pending.
    func deleteQuestion(width: Int) -> String? {
        guard let run = pendingDelete else { return nil }
        let path = sanitized(run.path)
        return "delete " + truncatedMiddle(path, toWidth: max(1, width - 14)) + "? y / n"
    }

    /// The answer to "delete?": only `y` deletes the run asked about, only a real folder inside the
    /// runs root, and only while no training holds it (the run's lock is held during the removal): a
    /// trainer would write its folder back at its next epoch's end.
    mutating func confirm(key: KeyEvent) -> String {
        guard let run = pendingDelete else { return "kept" }
        pendingDelete = nil
        guard key.key == .character("y") else { return "kept" }
        let attributes = try? FileManager.default.attributesOfItem(atPath: run.path)
        guard attributes?[.type] as? FileAttributeType == .typeDirectory else {
            return "not deleted: \(run.path) is not a plain folder"
        }
        let lock: RunLock
        do {
            lock = try RunLock(run: run, advice: "stop that training first")
        } catch {
            return "not deleted: \(error)"
        }
        defer { lock.release() }
        do {
            try FileManager.default.removeItem(atPath: run.path)
            reload()
            return "deleted \(run.path)"
        } catch {
            return "could not delete \(run.path): \(error.localizedDescription)"
        }
    }
}
