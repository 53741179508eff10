import Base
import Foundation

/// Makes an `--out` folder (with its parents) before a command writes into it, recording the folders it made
/// (`TemporaryFiles`) so that a command that fails or is interrupted before it writes leaves none of them
/// empty; a folder that cannot be made is one line naming it and why.
enum OutputFolderCreation {
    static func make(_ folder: String) throws {
        do {
            try TemporaryFiles.shared.makeFolders(folder) {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw RuntimeError(
                "--out: cannot create '\(folder)': \(OutputFolderError.reason(creating: folder, error: error))")
        }
    }
}
