import Foundation

/// Finds and loads themes: by name from a `themes/` folder, or from a path.
///
/// The choice comes from `--theme NAME|PATH`, else the `MANIFOLD_THEME` environment variable, else
/// `dark`. Names are looked up as `NAME.json` in the folder `MANIFOLD_THEMES` names, then in the
/// `themes/` folders found searching upward from the executable's directory and then upward from the
/// current directory, and last among the built-in copies of the shipped themes (`Theme+BuiltIn`), so
/// that the names the help lists work wherever the binary is. A theme that cannot be used yields the default
/// and a one-line warning naming the file and key; a usable one with keys that are not theme keys (a
/// mistyped `boder`) is used, with a warning naming them.
public enum ThemeLoader {
    /// The result of loading: the theme to use and, when the request could not be honoured, why.
    public struct Result: Sendable {
        public var theme: Theme
        public var warning: String?
    }

    /// Loads the requested theme.
    /// - Parameters:
    ///   - request: the `--theme` argument, if any.
    ///   - environment: the process environment (for `MANIFOLD_THEME` and `MANIFOLD_THEMES`).
    ///   - searchRoots: directories to search upward from; defaults to the executable's and the
    ///     current directory.
    /// - Returns: the theme and an optional warning to print.
    public static func load(
        request: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        searchRoots: [String]? = nil
    ) -> Result {
        let wanted =
            request ?? environment["MANIFOLD_THEME"].flatMap { $0.isEmpty ? nil : $0 } ?? "dark"
        let isPath = wanted.contains("/") || wanted.hasSuffix(".json")
        var file: String?
        if isPath {
            file = wanted
        } else {
            for folder in themeFolders(searchRoots: searchRoots ?? defaultSearchRoots(), environment: environment) {
                let candidate = folder + "/" + wanted + ".json"
                if FileManager.default.fileExists(atPath: candidate) {
                    file = candidate
                    break
                }
            }
        }
        guard let file else {
            if !isPath, let theme = Theme.builtIn(named: wanted) { return Result(theme: theme, warning: nil) }
            let names = availableThemeNames(searchRoots: searchRoots, environment: environment)
            let known = "themes: " + names.joined(separator: ", ")
            let warning =
                wanted.isEmpty
                ? "theme name is empty (\(known)); using dark"
                : "theme '\(sanitized(wanted))' not found (\(whereSearched(wanted, environment: environment)); \(known)); using dark"
            return Result(theme: .dark, warning: warning)
        }
        do {
            let data = try contents(of: file)
            let theme = try Theme(json: data, source: sanitized(file))
            return Result(theme: theme, warning: Theme.unknownKeysWarning(json: data, source: sanitized(file)))
        } catch let error as ThemeError {
            return Result(theme: .dark, warning: error.description + "; using dark")
        } catch {
            return Result(theme: .dark, warning: "theme \(sanitized(file)): \(error); using dark")
        }
    }

    /// Where a name was looked for, for the not-found warning: `MANIFOLD_THEMES`'s folder and `themes/`, or
    /// why that variable's value was passed over (a file or a missing folder was skipped without a word).
    static func whereSearched(_ name: String, environment: [String: String]) -> String {
        let file = sanitized(name) + ".json"
        guard let named = environment["MANIFOLD_THEMES"], !named.isEmpty else { return "no themes/\(file)" }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: named, isDirectory: &isFolder)
        guard exists && isFolder.boolValue else {
            return
                "MANIFOLD_THEMES '\(sanitized(named))' \(exists ? "is not a folder" : "does not exist"); no themes/\(file)"
        }
        return "no \(file) in MANIFOLD_THEMES '\(sanitized(named))' or themes/"
    }

    /// The largest theme file read (a theme is a few hundred bytes).
    public static let maximumFileSize = 1 << 20

    /// Loads one theme file.
    /// - Throws: `ThemeError` naming the file (and key) when it cannot be read or decoded.
    public static func loadFile(_ path: String) throws -> Theme {
        try Theme(json: contents(of: path), source: sanitized(path))
    }

    /// The bytes of a theme file.
    /// - Throws: `ThemeError` naming the file when it is not a regular file of sane size or cannot be read.
    static func contents(of path: String) throws -> Data {
        // Only a regular file of sane size: `--theme /dev/zero`, a named pipe or a huge file must not hang
        // or exhaust memory. Opened without blocking and checked on the open file, so a symbolic link
        // counts as the file it names (the link's own attributes were checked before: a theme linked from a
        // dotfiles folder was refused as "not a regular file").
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw ThemeError(
                file: sanitized(path), key: nil, message: errno == ENOENT ? "no such file" : "cannot be read")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ThemeError(file: sanitized(path), key: nil, message: "is not a regular file")
        }
        let tooLarge = ThemeError(file: sanitized(path), key: nil, message: "is larger than \(maximumFileSize) bytes")
        guard Int(info.st_size) <= maximumFileSize else { throw tooLarge }
        guard let data = try? handle.read(upToCount: maximumFileSize + 1) ?? Data() else {
            throw ThemeError(file: sanitized(path), key: nil, message: "cannot be read")
        }
        guard data.count <= maximumFileSize else { throw tooLarge }
        return data
    }

    /// Names of the themes a name can choose: those in every folder searched and the built-in ones, sorted.
    public static func availableThemeNames(
        searchRoots: [String]? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var names = Set(Theme.builtInNames)
        for folder in themeFolders(searchRoots: searchRoots ?? defaultSearchRoots(), environment: environment) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            // Regular files only (a link followed): a folder, a pipe or a dangling link named `x.json` is no theme,
            // and a name listed here that is then "not found" read as a contradiction.
            let themes = files.filter { name in
                guard name.hasSuffix(".json"), name != ".json" else { return false }
                var info = stat()
                return stat(folder + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            }
            names.formUnion(themes.map { String($0.dropLast(5)) })
        }
        return names.sorted()
    }

    /// The folder `MANIFOLD_THEMES` names (where it is one), then every existing `themes/` folder upward from
    /// each root, in order.
    static func themeFolders(searchRoots: [String], environment: [String: String] = [:]) -> [String] {
        var folders: [String] = []
        var isFolder: ObjCBool = false
        if let named = environment["MANIFOLD_THEMES"], !named.isEmpty,
            FileManager.default.fileExists(atPath: named, isDirectory: &isFolder), isFolder.boolValue
        {
            folders.append(URL(fileURLWithPath: named).standardizedFileURL.path)
        }
        for root in searchRoots {
            var url = URL(fileURLWithPath: root).standardizedFileURL
            for _ in 0..<32 {
                let candidate = url.appendingPathComponent("themes").path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory),
                    isDirectory.boolValue,
                    !folders.contains(candidate)
                {
                    folders.append(candidate)
                }
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
        }
        return folders
    }

    static func defaultSearchRoots() -> [String] {
        var roots: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            roots.append(URL(fileURLWithPath: executable).deletingLastPathComponent().path)
        } else if let first = CommandLine.arguments.first {
            roots.append(URL(fileURLWithPath: first).deletingLastPathComponent().path)
        }
        roots.append(FileManager.default.currentDirectoryPath)
        return roots
    }
}
