import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The image strips of a generative model on the Train screen. Bug: at 120x40 a VAE's (or an adversarial
/// AE's) three strips, 14 rows in all, were stacked one above the other, since each fit its borders and a
/// row: "originals" and "reconstructions" got one row of image each, 2x2 pixels, unreadable, while a DAE's
/// four strips stood side by side with 11 rows each. Stacked, a strip must now get `readableImageRows` of
/// image; else the strips stand side by side.
@Suite struct GenerativeImageStripsTests {
    /// Rows of image that read as a digit (12 half-block pixels of 28).
    static let readable = 6

    /// A VAE's training with 28x28 digits: originals, reconstructions, samples and the codes' scatter.
    static func vaeFrame(width: Int, height: Int) -> [String] {
        WorkbenchFixture.jobFrame(kind: .generativeTraining, title: "vae · synthetic", width: width, height: height) {
            s in
            func digit(_ caption: String, _ shade: Float) -> Snapshot.Image {
                let values = (0..<784).map { ($0 % 28) / 7 == 1 || ($0 / 28) / 7 == 2 ? shade : 0 }
                return Snapshot.Image(width: 28, height: 28, values: values, caption: caption)
            }
            s.series["loss"] = [300, 200, 150, 120]
            s.figures = [("model", "vae"), ("epoch", "1/10"), ("step", "94"), ("loss", "120.5")]
            s.images["originals"] = (0..<8).map { digit("\($0)", 1) }
            s.images["reconstructions"] = (0..<8).map { _ in digit("", 0.8) }
            s.images["samples"] = (0..<8).map { _ in digit("", 0.6) }
            s.points = (0..<20).map { Snapshot.Point(x: Double($0 % 5), y: Double($0 / 5), label: $0 % 10) }
        }
    }

    /// The rows between a strip's top border (titled `title`) and its bottom border that show image (a
    /// digit's cross has ink on every row).
    static func imageRows(_ frame: [String], title: String) -> Int {
        guard let top = frame.firstIndex(where: { $0.contains("╭ \(title) ") }),
            let column = frame[top].range(of: "╭ \(title) ").map({
                frame[top].distance(from: frame[top].startIndex, to: $0.lowerBound)
            })
        else { return 0 }
        var count = 0
        for line in frame[(top + 1)...] {
            let cells = Array(line)
            guard column + 1 < cells.count, cells[column] == "│" else { break }
            let inside = String(cells[(column + 1)...].prefix { $0 != "│" })
            // Without colour the images are drawn with the ASCII ramp; ink, not captions.
            if inside.contains(where: { "=+*#%@".contains($0) }) { count += 1 }
        }
        return count
    }

    @Test func stripsStandSideBySideWithReadableImagesAt120x40() {
        let frame = Self.vaeFrame(width: 120, height: 40)
        let titles = frame.first { $0.contains("╭ originals ") } ?? ""
        #expect(
            titles.contains("╭ reconstructions ") && titles.contains("╭ samples "), "\(frame.joined(separator: "\n"))")
        for title in ["originals", "reconstructions", "samples"] {
            #expect(Self.imageRows(frame, title: title) >= Self.readable, "\(title)")
        }
    }

    /// At the smallest size the workbench draws (60x18) every strip still shows images.
    @Test func everyStripShowsImagesAt60x18() {
        let frame = Self.vaeFrame(width: 60, height: 18)
        for title in ["originals", "reconstructions", "samples"] {
            #expect(Self.imageRows(frame, title: title) >= 1, "\(title)\n\(frame.joined(separator: "\n"))")
        }
    }

    /// Where there is room, the strips stand one above the other, each with readable images.
    @Test func tallTerminalsStackTheStrips() {
        let frame = Self.vaeFrame(width: 120, height: 80)
        let titles = frame.first { $0.contains("╭ originals ") } ?? ""
        #expect(!titles.contains("╭ reconstructions "), "\(frame.joined(separator: "\n"))")
        for title in ["originals", "reconstructions", "samples"] {
            #expect(Self.imageRows(frame, title: title) >= Self.readable, "\(title)")
        }
    }
}
