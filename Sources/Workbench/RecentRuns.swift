import Engine
import Foundation
import SafeTensors

/// Home's "recent runs": the newest saved runs, newest first, by the `created` time in each run's
/// config.json (the folder's modification time when that is missing or unreadable). Reloaded at most
/// every two seconds, before a frame, not on every frame.
struct RecentRuns {
    struct Entry: Equatable {
        let run: RunDirectory
        let model: String
        let accuracy: String
        let created: Date

        static func == (a: Entry, b: Entry) -> Bool { a.run.path == b.run.path && a.created == b.created }
    }

    /// How many runs Home lists.
    static let limit = 12

    let root: String
    private(set) var entries: [Entry] = []
    private var loadedAt = Date.distantPast

    init(root: String) { self.root = root }

    mutating func refreshIfStale() {
        guard Date().timeIntervalSince(loadedAt) > 2 else { return }
        loadedAt = Date()
        entries = RecentRuns.newestFirst(RunDirectory.list(root: root), limit: RecentRuns.limit)
    }

    /// The `limit` newest of `runs`, newest first; equal times keep name order.
    static func newestFirst(_ runs: [RunDirectory], limit: Int) -> [Entry] {
        let parser = ISO8601DateFormatter()
        let entries = runs.map { run -> Entry in
            let config = try? run.readConfig()
            let created =
                config?["created"]?.stringValue.flatMap { parser.date(from: $0) } ?? modificationDate(of: run)
            return Entry(
                run: run, model: config?["model"]?.stringValue ?? "?",
                accuracy: config.map(RunConfig.shownTestAccuracy) ?? "-",
                created: created)
        }
        let order = entries.indices.sorted { a, b in
            entries[a].created != entries[b].created ? entries[a].created > entries[b].created : a < b
        }
        return order.prefix(limit).map { entries[$0] }
    }

    /// The run folder's modification time (distant past when it cannot be read).
    static func modificationDate(of run: RunDirectory) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: run.path))?[.modificationDate] as? Date) ?? .distantPast
    }
}
