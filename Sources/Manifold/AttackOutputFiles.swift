import Base
import Foundation

/// The files `attack --out DIR` writes, by name, and the removal of an earlier attack's files from DIR: a
/// folder holds one attack's result, so a second attack into it (fewer images, another method, no
/// `--compare`) does not leave the first one's images beside its own `results.csv`.
enum AttackOutputFiles {
    /// The grids and tables of `--target all` (with `--compare`, the `-compare` and side-by-side ones).
    static let sweepNames: Set<String> = [
        "target-grid.png", "target-sweep.csv", "target-grid-compare.png", "target-sweep-compare.csv",
        "target-grid-side-by-side.png",
    ]

    /// Whether `name` is a file some attack writes into its `--out` folder: `NNNNN-clean.png`,
    /// `NNNNN-adversarial.png` or `NNNNN-perturbation.png` (five digits or more), `results.csv`,
    /// `uap-perturbation.png`, or one of `sweepNames`.
    static func isAttackFile(_ name: String) -> Bool {
        if name == "results.csv" || name == "uap-perturbation.png" || sweepNames.contains(name) { return true }
        for suffix in ["-clean.png", "-adversarial.png", "-perturbation.png"] where name.hasSuffix(suffix) {
            let index = name.dropLast(suffix.count)
            return index.count >= 5 && index.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return false
    }

    /// The files of one attack on `count` images (`universal`: with the universal perturbation's heatmap).
    static func imageNames(count: Int, universal: Bool) -> Set<String> {
        imageNames(indices: Array(0..<count), universal: universal)
    }

    /// The files of one attack on the test images at `indices` (`attack feature`'s sources), named by index.
    static func imageNames(indices: [Int], universal: Bool) -> Set<String> {
        var names: Set<String> = ["results.csv"]
        for index in indices {
            let stem = String(format: "%05d", index)
            names.formUnion(["\(stem)-clean.png", "\(stem)-adversarial.png", "\(stem)-perturbation.png"])
        }
        if universal { names.insert("uap-perturbation.png") }
        return names
    }

    /// Removes from `folder` the regular files an earlier attack wrote (`isAttackFile`) that are not in
    /// `keeping`, the files about to be written; other files, and a folder that is not there yet, are left
    /// as they are.
    static func removeEarlier(in folder: String, keeping: Set<String>) throws {
        if let failed = EarlierOutputFiles.remove(in: folder, where: { isAttackFile($0) && !keeping.contains($0) }) {
            throw RuntimeError(
                "--out: cannot remove '\(Sanitize.line(failed.path, limit: 200))' of an earlier attack: \(failed.reason)"
            )
        }
    }
}
