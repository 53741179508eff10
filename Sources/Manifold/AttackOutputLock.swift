import Base
import Engine
import Foundation

/// The lock an attack holds on its `--out` folder from before its work to its end: a folder holds one
/// attack's result, and two attacks writing one folder at once each removed the other's files
/// (`AttackOutputFiles.removeEarlier`) and wrote their own, leaving the `results.csv` of one beside the images
/// of the other, both exiting 0. A second attack on a folder in use is refused in one line naming the folder
/// and the process that holds it (exit 1), as a second `train` of one run is (`RunLock`, whose `flock` this is:
/// `DIR/.manifold.lock`, removed when the attack ends, fails or is interrupted).
enum AttackOutputLock {
    /// Makes `folder` if missing (recorded, so that an attack that fails or is interrupted before it writes
    /// leaves no empty folder) and takes its lock; the caller releases it when its writing is done.
    static func take(_ folder: String) throws -> RunLock {
        try OutputFolderCreation.make(folder)
        return try RunLock(outputFolder: folder) { holder in
            "option '--out': folder '\(Sanitize.line(folder, limit: 200))' is being written by \(holder); "
                + "wait for that attack to finish or pick another --out folder"
        }
    }
}
