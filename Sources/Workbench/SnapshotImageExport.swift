import Engine
import Foundation

/// Writes the image groups of a job's snapshot as PNG grids (eight images a row) into a run folder:
/// the workbench's `e` key. One file per group, `<group>-step<N>.png`.
///
/// Images with a negative value (perturbations) are signed: each is mapped to [0, 1] around 0.5 by its
/// own largest magnitude, so the zero of a perturbation is mid-grey; other images are written as they are.
enum SnapshotImageExport {
    /// Writes every image group of `snapshot` into `folder` (created if missing).
    /// - Returns: a line for the status bar: what was written where, or what went wrong.
    static func export(_ snapshot: Snapshot, to folder: RunDirectory) -> String {
        guard !snapshot.images.isEmpty else { return "nothing to export yet" }
        do {
            try folder.create()
            var written: [String] = []
            for (name, images) in snapshot.images.sorted(by: { $0.key < $1.key }) {
                guard let first = images.first else { continue }
                let grid = PNGWriter.grid(
                    images: tiles(of: images), tileWidth: first.width, tileHeight: first.height, columns: 8)
                let file = "\(fileStem(name))-step\(snapshot.step).png"
                try folder.write(
                    PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values), to: file)
                written.append(file)
            }
            return "exported \(written.count) PNG\(written.count == 1 ? "" : "s") to \(folder.path)"
        } catch {
            return "could not export: \(error)"
        }
    }

    /// The pixel values to write for a group: signed groups mapped to [0, 1] around 0.5.
    static func tiles(of images: [Snapshot.Image]) -> [[Float]] {
        let isSigned = images.contains { $0.values.contains { $0 < 0 } }
        guard isSigned else { return images.map(\.values) }
        return images.map { image in
            // The image's largest magnitude, once per image (not once per pixel).
            let scale = 2 * max(0.001, image.values.map(abs).max() ?? 1)
            return image.values.map { 0.5 + $0 / scale }
        }
    }

    /// A group name reduced to letters, digits and underscores, safe as a file name.
    static func fileStem(_ name: String) -> String {
        name.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "_" }.map(String.init).joined()
    }
}
