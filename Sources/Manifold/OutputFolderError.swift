import Foundation

/// Why an `--out` folder could not be created, in words: Foundation's own text for a path through a
/// file is "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
enum OutputFolderError {
    /// The reason creating folder `path` failed with `error`: an empty path, a file where a folder
    /// must be (the path itself or one of its parents), else Foundation's description.
    static func reason(creating path: String, error: Error) -> String {
        if path.isEmpty { return "an empty path names no folder" }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) else { break }
            if !isFolder.boolValue {
                let shown = path.hasPrefix("/") ? prefix : String(prefix.dropFirst(2))
                return "'\(shown)' is a file, not a folder"
            }
        }
        return error.localizedDescription
    }
}
