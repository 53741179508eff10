import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Train screen in the small terminals the workbench supports (60x18, 70x20): every panel shows
/// something, and captions and titles that do not fit end in "…" inside their own cell or border.
@Suite struct TrainScreenSmallTerminalTests {
    static let classifierFigures: [(name: String, value: String)] = [
        ("epoch", "3/10"), ("step", "1407"), ("learning rate", "0.001"), ("loss", "0.4127"),
        ("test accuracy", "0.8512"),
    ]

    static func image(_ caption: String, shade: Float = 0.5) -> Snapshot.Image {
        Snapshot.Image(width: 4, height: 4, values: [Float](repeating: shade, count: 16), caption: caption)
    }

    static func trainFrame(
        kind: Job.Kind, width: Int, height: Int, describe: @escaping @Sendable (inout Snapshot) -> Void
    ) -> [String] {
        WorkbenchFixture.jobFrame(kind: kind, title: "fixture", width: width, height: height, describe: describe)
    }

    /// A Fashion-MNIST classifier's training: test images captioned with class names, one mistaken.
    static func classifierFrame(width: Int, height: Int) -> [String] {
        trainFrame(kind: .classifierTraining, width: width, height: height) { s in
            s.series["loss"] = [2.3, 1.1, 0.7, 0.5, 0.4]
            s.figures = classifierFigures
            s.images["test"] = ["Ankle boot", "Pullover", "Trouser", "Shirt≠Coat", "Coat", "Sandal", "Bag", "Dress"]
                .map { image($0) }
        }
    }

    /// A VAE's training: originals, reconstructions and samples.
    static func generativeFrame(width: Int, height: Int) -> [String] {
        trainFrame(kind: .generativeTraining, width: width, height: height) { s in
            s.series["loss"] = [300, 200, 150, 120]
            s.figures = [("model", "vae"), ("epoch", "1/10"), ("step", "94"), ("loss", "120.5")]
            s.images["originals"] = (0..<6).map { image("\($0)") }
            s.images["reconstructions"] = (0..<6).map { _ in image("", shade: 0.4) }
            s.images["samples"] = (0..<6).map { _ in image("", shade: 0.6) }
            s.points = (0..<20).map { Snapshot.Point(x: Double($0 % 5), y: Double($0 / 5), label: $0 % 10) }
        }
    }

    /// A DAE's training: noisy, originals, reconstructions and samples, and no codes to scatter.
    static func daeFrame(width: Int, height: Int) -> [String] {
        trainFrame(kind: .generativeTraining, width: width, height: height) { s in
            s.series["loss"] = [20, 10, 5, 4]
            s.figures = [("model", "dae"), ("epoch", "1/10"), ("step", "94"), ("loss", "4.1"), ("sigmas", "6")]
            s.images["noisy"] = (0..<6).map { _ in image("σ 0.2", shade: 0.3) }
            s.images["originals"] = (0..<6).map { image("\($0)") }
            s.images["reconstructions"] = (0..<6).map { _ in image("", shade: 0.4) }
            s.images["samples"] = (0..<6).map { _ in image("", shade: 0.6) }
        }
    }

    /// Bug: at 60x18 the figures panel was empty (its one row the blank header), the caption row ran
    /// together ("Ankle b…PulloverTrouser"), the scatter's title was cut mid-word ("hidden features of te…")
    /// and the progress label was cut ("epoch 5 · 57% · E…") beside a half-empty throughput box.
    @Test func classifierAt60x18() {
        expectLines(
            Self.classifierFrame(width: 60, height: 18),
            [
                " 1 │ 2 Train │ 3 │ 4 │ 5 │ 6 │ 7",
                "╭ loss terms per step · smoothed ╮╭ figures ───────────────╮",
                "│3┤⣀⣀                      ━loss ││epoch              3/10▐│",
                "│2┤  ⠉⠉⠉⠉⠒⠒⠒⠒⠒⠢⠤⠤⠤⠤⠤⠤⢄⣀⣀⣀⣀⣀⣀⣀    │╰────────────────────────╯",
                "│0┤                          ⠉⠉⠉⠉│╭ hidden features (PCA) ─╮",
                "│ └┴──────────────┴─────────────┴││                        │",
                "│  0              2             4││                        │",
                "╰────────────────────────────────╯╰────────────────────────╯",
                "╭ test images · predictions ───────────────────────────────╮",
                "│  ====    ====    ====    ====    ====    ====    ====    │",
                "│  ====    ====    ====    ====    ====    ====    ====    │",
                "│Ankle…  Pullov… Trouser Shirt≠…   Coat   Sandal   Bag     │",
                "│                                                          │",
                "╰──────────────────────────────────────────────────────────╯",
                "╭ progress ──────────────────╮╭ throughput ────────────────╮",
                "│        25% · paused        ││paused · lr 0.001           │",
                "╰────────────────────────────╯╰────────────────────────────╯",
                " q quit  ? keys  started fixture paused fixture · step 3/12",
            ])
    }

    /// Bug: at 60x18 (and 70x20) a generative model's three strips were two rows each, borders only: no
    /// image at all. In a short terminal they now stand side by side.
    @Test func generativeAt60x18() {
        expectLines(
            Self.generativeFrame(width: 60, height: 18),
            [
                " 1 │ 2 Train │ 3 │ 4 │ 5 │ 6 │ 7",
                "╭ loss terms per step · smoothed ╮╭ figures ───────────────╮",
                "│300┤⠉⠑⠒⠒⠢⠤⠤⢄⣀⣀⣀⡀          ━loss ││model               vae▐│",
                "│200┤           ⠈⠉⠉⠉⠉⠑⠒⠒⠒⠒⠒⠒⠤⠤⠤⠤⠤│╰────────────────────────╯",
                "│100┤                            │╭ codes of test images ──╮",
                "│   └┴─────────────────┴─────────││ ⠅    ⠨     ⠅    ⠅    ⠨ │",
                "│    0                 2         ││ ⡂    ⢐     ⡂    ⡂    ⢐ │",
                "╰────────────────────────────────╯╰────────────────────────╯",
                "╭ originals ───────╮╭ reconstructions ─╮╭ samples ─────────╮",
                "│  ====    ====    ││  ----    ----    ││  ++++    ++++    │",
                "│  ====    ====    ││  ----    ----    ││  ++++    ++++    │",
                "│   0       1      ││                  ││                  │",
                "│                  ││                  ││                  │",
                "╰──────────────────╯╰──────────────────╯╰──────────────────╯",
                "╭ progress ──────────────────╮╭ throughput ────────────────╮",
                "│        25% · paused        ││paused                      │",
                "╰────────────────────────────╯╰────────────────────────────╯",
                " q quit  ? keys  started fixture paused fixture · step 3/12",
            ])
    }

    /// At 70x20 too: two figures, every strip's images, captions apart.
    @Test func everyPanelHasContentAt70x20() {
        let classifier = Self.classifierFrame(width: 70, height: 20)
        let text = classifier.joined(separator: "\n")
        #expect(classifier.contains { $0.contains("│epoch ") }, "\(text)")
        #expect(classifier.contains { $0.contains("│step ") }, "\(text)")
        #expect(classifier.contains { $0.contains("│Ankle…  Pullov… Trouser Shirt≠…") }, "\(text)")
        let generative = Self.generativeFrame(width: 70, height: 20)
        let strips = generative.first { $0.contains("╭ originals") && $0.contains("╭ samples") }
        #expect(strips != nil, "\(generative.joined(separator: "\n"))")
        #expect(generative.contains { $0.contains("│  ====") && $0.contains("│  ----") && $0.contains("│  ++++") })
    }

    /// Bug: a DAE (or DDPM) has no codes, yet half the right column was an empty "codes of test images"
    /// panel at every size, and at 60x18 the figures beside it showed one row (the model). The figures now
    /// take the whole column: every figure in view.
    @Test func aModelWithoutCodesGivesTheScatterRowsToTheFigures() {
        let frame = Self.daeFrame(width: 60, height: 18)
        let text = frame.joined(separator: "\n")
        #expect(!text.contains("codes of test images"), "\(text)")
        for name in ["model", "epoch", "step", "loss", "sigmas"] {
            #expect(frame.contains { $0.contains("│\(name) ") }, "\(name) missing:\n\(text)")
        }
        let wide = Self.daeFrame(width: 120, height: 40).joined(separator: "\n")
        #expect(!wide.contains("codes of test images"), "\(wide)")
    }

    /// Bug: images wider than high (an IDX folder of 13x40 images) filled their cells' whole width, so the
    /// strip of test images ran together as one band with no gap between neighbours. Each image now keeps a
    /// column's margin on either side, as square ones always had.
    @Test func wideImagesInTheStripStayApart() throws {
        let frame = Self.trainFrame(kind: .classifierTraining, width: 120, height: 40) { s in
            s.series["loss"] = [2.3, 1.1, 0.7]
            s.figures = Self.classifierFigures
            s.images["test"] = (0..<4).map { _ in
                Snapshot.Image(width: 40, height: 13, values: (0..<520).map { Float($0 / 40 % 2) }, caption: "1")
            }
        }
        let text = frame.joined(separator: "\n")
        // The fixture draws images in ASCII shades: a rows' pair of 1s is "@", of 0s " ".
        let row = try #require(frame.first { $0.contains("@@@@") }, "\(text)")
        let bands = row.split(separator: "│").flatMap { $0.split(separator: " ") }.filter { $0.contains("@") }
        #expect(bands.count == 4, "one band per image:\n\(text)")
        #expect(bands.allSatisfy { $0.count == 22 }, "\(bands.map { $0.count }):\n\(text)")
    }
}
