import Base
import Foundation
import SafeTensors

/// A run's folder `runs/<name>/`: `config.json`, `metrics.csv`, `model.safetensors`,
/// `optimizer.safetensors`, exported images. Every file is written to a temporary name and renamed into
/// place, so a crash or a kill never leaves a half-written file under a real name.
///
/// Run names are single path components (no `/`, no `..`, no leading dot), so a run can never escape its
/// root folder.
public struct RunDirectory: Sendable {
    /// The folder that holds all runs: `$MANIFOLD_RUNS`, or `runs` in the current directory.
    public static var defaultRoot: String {
        ProcessInfo.processInfo.environment["MANIFOLD_RUNS"].flatMap { $0.isEmpty ? nil : $0 } ?? "runs"
    }

    public let root: String
    public let name: String
    public var path: String { "\(root)/\(name)" }

    /// Whether a run name may hold this character: letters, digits and `- _ + = . @`.
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        CharacterSet.alphanumerics.contains(scalar) || "-_+=.@".unicodeScalars.contains(scalar)
    }

    /// Checks that `name` is a safe single component.
    public static func validate(name: String) throws(RunError) {
        guard !name.isEmpty, name.count <= 128 else { throw RunError("run name must have 1 to 128 characters") }
        guard !name.hasPrefix("."), !name.contains("/"), !name.contains("\\") else {
            throw RunError("run name '\(Sanitize.line(name))' must not start with '.' or contain '/'")
        }
        // `eval -x` would read it as an option: such a run could be named only as a path.
        guard !name.hasPrefix("-") else {
            throw RunError("run name '\(Sanitize.line(name))' must not start with '-' (it would read as an option)")
        }
        guard name.unicodeScalars.allSatisfy(isNameCharacter) else {
            throw RunError("run name '\(Sanitize.line(name))' may only hold letters, digits and - _ + = . @")
        }
    }

    /// Resolves what a user typed (`NAME`, `ROOT/NAME`, or another spelling of a folder in `root`, such as
    /// `./runs/NAME`) to a run under `root`. A path to a folder elsewhere is refused, saying where runs are.
    public static func resolve(_ text: String, root: String = defaultRoot) throws(RunError) -> RunDirectory {
        var name = text
        while name.hasSuffix("/") { name.removeLast() }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        if name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
        if name.contains("/") {
            let path = URL(fileURLWithPath: text).standardizedFileURL
            if path.deletingLastPathComponent().path == URL(fileURLWithPath: root).standardizedFileURL.path {
                name = path.lastPathComponent
            }
        }
        do {
            try validate(name: name)
        } catch {
            guard name.contains("/") else { throw error }
            let variable = ProcessInfo.processInfo.environment["MANIFOLD_RUNS"] == root ? " ($MANIFOLD_RUNS)" : ""
            throw RunError(
                "\(error.description): runs are the folders of '\(Sanitize.line(root))'\(variable), "
                    + "named as 'manifold runs' lists them")
        }
        let run = RunDirectory(root: root, name: name)
        if run.isSymbolicLink {
            throw RunError(
                "run folder '\(Sanitize.line(run.path))' is a symbolic link; refusing to follow it out of '\(Sanitize.line(root))'"
            )
        }
        return run
    }

    /// Whether the run's folder is a symbolic link (which could point anywhere): such runs are refused.
    public var isSymbolicLink: Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// A fresh name `<model>-<dataset>-<yyyyMMdd-HHmmss>`, or `<model>-<dataset>-<method>-<yyyyMMdd-HHmmss>`
    /// with a `method` (a poisoning), with a counter if that exists or has a lock file (a training started
    /// in the same second holds it before its folder is made). `RunLock.newRun` takes the name as well.
    /// `dataset` may be a `--data` path: its part is `datasetPart(of:)`, the folder's own name.
    public static func newName(model: String, dataset: String, method: String? = nil, root: String = defaultRoot)
        -> String
    {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let methodPart = method.map { "\($0)-" } ?? ""
        let base = "\(model)-\(datasetPart(of: dataset))-\(methodPart)\(formatter.string(from: Date()))"
        var name = base
        var counter = 2
        while FileManager.default.fileExists(atPath: "\(root)/\(name)")
            || FileManager.default.fileExists(atPath: "\(root)/.\(name).lock")
        {
            name = "\(base)-\(counter)"
            counter += 1
        }
        return name
    }

    /// The dataset's part of a generated run name: the last component of a `--data` path (the short name a
    /// run's `dataset` field shows, as `idx3` for `/tmp/data/idx3/`), not the whole path squashed together,
    /// keeping only the characters run names allow, at most 24 of them; `data` when no letter or digit is left
    /// (`.`, `..`, `/`).
    private static func datasetPart(of dataset: String) -> String {
        var trimmed = dataset
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let shortName = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        let kept = shortName.unicodeScalars.filter(isNameCharacter)
        guard kept.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { return "data" }
        return String(String(String.UnicodeScalarView(kept)).prefix(24))
    }

    public init(root: String, name: String) {
        self.root = root
        self.name = name
    }

    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Refuses a runs folder that is a file (`$MANIFOLD_RUNS` naming one) or lies below one, in one line
    /// naming it (and `$MANIFOLD_RUNS` when that chose it); a missing one is fine (it is created when a run
    /// is saved).
    public static func checkRoot(_ root: String = defaultRoot) throws(RunError) {
        // Named with the variable that chose it, where one did: the fix is there, not in the command line.
        let variable = ProcessInfo.processInfo.environment["MANIFOLD_RUNS"] == root ? " ($MANIFOLD_RUNS)" : ""
        var above = root
        var info = stat()
        while stat(above, &info) != 0 {
            // Only a missing folder (or a file above it, found further up) is looked for higher up: a symbolic
            // link loop, a path too long or a folder that may not be searched was taken for a missing runs
            // folder ("no runs yet", "no run folder").
            guard errno == ENOENT || errno == ENOTDIR else {
                throw RunError(
                    "runs folder '\(root)'\(variable) cannot be reached: \(String(cString: strerror(errno)))")
            }
            let parent = ParentPath.of(above)
            if parent.isEmpty || parent == above { return }
            above = parent
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { return }
        throw RunError(
            above == root
                ? "runs folder '\(root)'\(variable) is a file, not a folder"
                : "runs folder '\(root)'\(variable): '\(above)' is a file, not a folder")
    }

    /// Creates the runs folder `root` and the folders above it that are missing (as `mkdir -p`), after
    /// `checkRoot`; a failure names the folder and the system's reason (Foundation's own text was "The
    /// operation could not be completed. The file doesn't exist.").
    public static func createRoot(_ root: String) throws(RunError) {
        try checkRoot(root)
        var prefix = root.hasPrefix("/") ? "/" : ""
        for part in root.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                let shown = prefix == root ? "" : " ('\(prefix)')"
                throw RunError("cannot create runs folder '\(root)'\(shown): \(reason)")
            }
        }
    }

    /// Refuses, without creating anything, a runs folder that is a file and a symbolic link or a file where
    /// the run folder goes: for commands that create the folder only when their work is done (`poison`), so
    /// they fail before it starts.
    public func checkCreatable() throws(RunError) {
        try Self.checkRoot(root)
        if isSymbolicLink { throw RunError("run folder '\(path)' is a symbolic link; refusing to write through it") }
        if FileManager.default.fileExists(atPath: path) && !exists {
            throw RunError("run folder '\(path)' is a file, not a folder")
        }
    }

    /// Creates the folder (and the root) if missing; refuses a symlink or a file in place of the run folder. A
    /// folder it makes is recorded in `TemporaryFiles.shared`, so that a command a signal ends before anything
    /// is saved in it (`poison`) removes it instead of leaving an empty run.
    public func create() throws(RunError) {
        try Self.createRoot(root)
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeSymbolicLink
        {
            throw RunError("run folder '\(path)' is a symbolic link; refusing to write through it")
        }
        // Made for files not yet written, and recorded before it is made: a command a signal ends before they are
        // saved removes it.
        var (made, code): (Int32, Int32) = (0, 0)
        TemporaryFiles.shared.makeFolders(path) { (made, code) = (mkdir(path, 0o755), errno) }
        if made != 0 && code != EEXIST {
            throw RunError("cannot create run folder '\(path)': \(String(cString: strerror(code)))")
        }
        guard exists else { throw RunError("run folder '\(path)' is a file, not a folder") }
        if access(path, W_OK) != 0 {
            throw RunError("run folder '\(path)' is not writable")
        }
        removeStaleTemporaries()
    }

    /// Deletes temporary files left by writers that were killed mid-write (`.<file>.tmp-<n>` of a
    /// process that no longer exists), only inside this run's folder. They are never read as data
    /// (readers open fixed names), so this only reclaims space. Returns the names removed.
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return [] }
        return FileIO.removeStaleTemporaries(in: path)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes a file of the run atomically.
    public func write(_ bytes: [UInt8], to fileName: String) throws(RunError) {
        do {
            try FileIO.writeAtomically(bytes, path: file(fileName))
        } catch {
            throw RunError("\(error)")
        }
    }

    public func write(_ text: String, to fileName: String) throws(RunError) {
        try write(Array(text.utf8), to: fileName)
    }

    /// Writes several files of the run together: all are written and synced under temporary names
    /// before any is renamed into place, in the given order (put `config.json` last).
    public func write(files: [(name: String, bytes: [UInt8])]) throws(RunError) {
        do {
            try FileIO.writeAtomically(files.map { (bytes: $0.bytes, path: file($0.name)) })
        } catch {
            throw RunError("\(error)")
        }
    }

    /// Reads a file of the run, with a one-line error naming it when missing or unreadable.
    public func read(_ fileName: String) throws(RunError) -> [UInt8] {
        do {
            return try FileIO.readAll(path: file(fileName))
        } catch {
            throw RunError("\(error)")
        }
    }

    /// The parsed `config.json`; a `data` or `seed` of the wrong type is refused (see `checkImageChoice`). A
    /// run folder without one (a run before its first epoch is saved) is said to have no saved epoch.
    public func readConfig() throws(RunError) -> [String: JSONValue] {
        if exists && !FileManager.default.fileExists(atPath: file("config.json")) {
            let training = RunLock.holder(of: self).map { "; it is being trained by \($0)" } ?? ""
            throw RunError("run '\(path)' has no saved epoch yet (no config.json)\(training)")
        }
        let bytes = try read("config.json")
        do {
            guard let object = try JSONValue.parse(bytes).objectValue else {
                throw RunError("\(file("config.json")): not a JSON object")
            }
            try Self.checkImageChoice(object, source: file("config.json"))
            return object
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError("\(file("config.json")): \(error)")
        }
    }

    /// What is wrong with the run's config.json, for a list of runs: "unreadable config.json: REASON", the
    /// reason being `error`'s line without the file's path (the run's row names the run).
    public func configProblem(_ error: any Error) -> String {
        var text = "\(error)"
        let prefix = file("config.json") + ": "
        if text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        return "unreadable config.json: " + Sanitize.line(text, limit: 200)
    }

    /// Refuses a `data` that is not a string and a `seed` that is not a string holding a whole number. Both
    /// choose the images (the dataset, and the synthetic digits drawn from the seed), so a value of the
    /// wrong type must not quietly become the defaults (synthetic, 0); missing keys keep the defaults.
    static func checkImageChoice(_ config: [String: JSONValue], source: String) throws(RunError) {
        func shown(_ value: JSONValue) -> String { Sanitize.line(value.serialized(), limit: 40) }
        if let data = config["data"], data.stringValue == nil {
            throw RunError("\(source): 'data' must be a string naming the dataset, got \(shown(data))")
        }
        if let seed = config["seed"], seed.stringValue.flatMap({ UInt64($0) }) == nil {
            throw RunError("\(source): 'seed' must be a whole number in a string (\"0\"), got \(shown(seed))")
        }
    }

    /// Every run folder under `root` holding a config.json, sorted by name.
    public static func list(root: String = defaultRoot) -> [RunDirectory] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return names.sorted().compactMap { name in
            guard (try? validate(name: name)) != nil else { return nil }
            let run = RunDirectory(root: root, name: name)
            guard !run.isSymbolicLink else { return nil }
            return FileManager.default.fileExists(atPath: run.file("config.json")) ? run : nil
        }
    }
}

/// A problem with a run folder or its files: one line naming the file.
public struct RunError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
