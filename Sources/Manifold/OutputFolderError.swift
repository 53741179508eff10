import Base
import Foundation

/// Why an `--out` folder could not be created, in words: Foundation's own text for a path through a
/// file is "The operation could not be completed. (NSCocoaErrorDomain error 512.)", and for a folder that
/// refuses a new one "The operation could not be completed. The file doesn't exist." (`/proc`).
enum OutputFolderError {
    /// The reason creating folder `path` failed with `error`: an empty path, a file where a folder
    /// must be (the path itself or one of its parents), the folder that refused the new one with the
    /// system's reason, else Foundation's description.
    static func reason(creating path: String, error: Error) -> String {
        if path.isEmpty { return "an empty path names no folder" }
        let (file, deepest) = walk(path)
        if let file { return "'\(file)' is a file, not a folder" }
        // The system's reason (EACCES, EROFS, ENOENT in /proc) sits under Foundation's generic text.
        if let underlying = (error as? CocoaError)?.underlying.map({ $0 as NSError }),
            underlying.domain == NSPOSIXErrorDomain
        {
            return "'\(deepest)' does not take a new folder (\(String(cString: strerror(Int32(underlying.code)))))"
        }
        return error.localizedDescription
    }

    /// The file that stands where folder `path` or one of its parents must be, if any: checked before
    /// any work, so that a command does not fail only when it writes its results.
    static func fileInTheWay(of path: String) -> String? { walk(path).file }

    /// Why folder `path` cannot be written into, or created in its deepest existing folder, if it cannot:
    /// "'DIR' is not writable (Permission denied)" for that folder. Checked before any work, with
    /// `fileInTheWay`, so that a long attack does not end in "cannot create" when it writes its results.
    ///
    /// `access` alone passes root on folders that refuse every new entry all the same (`/sys`, `/proc`, a
    /// read-only mount seen through a writable mode): a folder is made there and removed at once to be sure.
    /// `entry` names what the command makes there ("folder", or "file" for `sample --out FILE.png`).
    static func unwritable(_ path: String, entry: String = "folder") -> String? {
        let deepest = walk(path).deepest
        func refusal() -> String {
            "'\(Sanitize.line(deepest, limit: 200))' is not writable (\(String(cString: strerror(errno))))"
        }
        guard access(deepest, W_OK) == 0 else { return refusal() }
        var template = Array((deepest + "/.manifold-probe-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            return
                "'\(Sanitize.line(deepest, limit: 200))' does not take a new \(entry) (\(String(cString: strerror(errno))))"
        }
        rmdir(made)
        return nil
    }

    /// The first of `names` that stands in `folder` as a folder, where the command writes a file of that name
    /// when its work is done (the rename into place would fail then): checked before the work, as a usage
    /// error, "option '--out': 'DIR/results.csv' is a folder, where a file is written".
    static func folderInTheWay(of names: some Sequence<String>, in folder: String) -> String? {
        for name in names {
            let path = OutputPath.join(folder, name)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                return "'\(Sanitize.line(path, limit: 200))' is a folder, where a file is written"
            }
        }
        return nil
    }

    /// Walks `path`'s existing prefixes: the first that is a file, else the deepest existing folder.
    private static func walk(_ path: String) -> (file: String?, deepest: String) {
        var prefix = path.hasPrefix("/") ? "" : "."
        var deepest = path.hasPrefix("/") ? "/" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) else { break }
            let shown = path.hasPrefix("/") ? prefix : String(prefix.dropFirst(2))
            if !isFolder.boolValue { return (shown, deepest) }
            deepest = shown
        }
        return (nil, deepest)
    }
}
