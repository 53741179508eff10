import Foundation

/// The files an earlier command wrote into an `--out` folder that this one does not write again: removed
/// first, so that the folder holds one result and not a mix that reads as one (`attack --out`, `bench
/// guidance --out`). Only regular files whose names the caller recognises go; other files stay.
public enum EarlierOutputFiles {
    /// Removes the regular files of `folder` whose names `isEarlier` accepts. Returns nil when every one
    /// went (or the folder is not there yet), else the first that could not be removed and why.
    public static func remove(in folder: String, where isEarlier: (String) -> Bool) -> (path: String, reason: String)? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        for name in names.sorted() where isEarlier(name) {
            let path = (folder.hasSuffix("/") ? folder : folder + "/") + name
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            if unlink(path) != 0 { return (path, String(cString: strerror(errno))) }
        }
        return nil
    }
}
