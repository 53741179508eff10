import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's feature-adversary view (`f`) and the perceptual attacks' live chart: their frames and
/// the view's keys.
@Suite struct FeatureViewTests {
    static func image(_ caption: String) -> [Snapshot.Image] {
        [Snapshot.Image(width: 4, height: 4, values: [Float](repeating: 0.5, count: 16), caption: caption)]
    }

    /// Puts the feature adversary's four images into `snapshot`, captioned in the view's order (source,
    /// guide, adversarial, perturbation).
    static func setImages(_ snapshot: inout Snapshot, captions: [String]) {
        for (key, caption) in zip(["source", "guide", "adversarial", "perturbation"], captions) {
            snapshot.images[key] = image(caption)
        }
    }

    @Test func theViewShowsTheImagesTheLayersAndTheSteps() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "feature adversary") { snapshot in
            Self.setImages(&snapshot, captions: ["Coat 97%", "Bag 99%", "Bag 61% = guide", "L-inf 0.100"])
            snapshot.bars["feature distance per layer"] = [
                Snapshot.Bar(label: "0 (Linear)", value: 0.9), Snapshot.Bar(label: "3 (ReLU) ◀", value: 0.42),
            ]
            snapshot.bars["feature steps"] = [Snapshot.Bar(label: " 12 Bag", value: 0.61)]
            snapshot.curves = [
                "p(guide class)": ([1, 2], [0.1, 0.61]), "relative feature distance": ([1, 2], [0.8, 0.42]),
            ]
            snapshot.figures = [("layer", "3 (ReLU)"), ("delta", "0.1"), ("prediction", "Coat → Bag")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is AttackScreen)
        let frame = WorkbenchFixture.frame(state, width: 160, height: 40)
        let text = frame.joined(separator: "\n")
        for expected in [
            "source", "guide (c / C)", "adversarial", "perturbation (+ / -)", "feature adversary (Sabour et al.)",
            "Coat 97%", "Bag 61% = guide", "0 (Linear)", "3 (ReLU) ◀", "0.42", "12 Bag", "p(guide class)",
            "Coat → Bag", "step · prediction · p(guide)",
        ] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
    }

    @Test func perceptualAttacksChartTheirDistanceAndL2() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "lpa") { snapshot in
            snapshot.images["clean"] = Self.image("Coat 97%")
            snapshot.images["adversarial"] = Self.image("Shirt 60%")
            snapshot.images["perturbation"] = Self.image("L-inf 0.300")
            snapshot.series["perceptual_distance"] = [0.02, 0.05, 0.08]
            snapshot.series["l2"] = [0.5, 1.1, 1.6]
            snapshot.series["success_rate"] = [0.1, 0.4, 0.7]
            snapshot.figures = [("method", "lpa"), ("perceptual bound", "0.1"), ("perceptual distance", "0.0800")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 160, height: 40)
        let text = frame.joined(separator: "\n")
        for expected in ["batch means per iteration (+/-: bound)", "perceptual distance", "L2", "perceptual bound"] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
        #expect(!frame.contains { $0.contains("success rate per iteration") }, "\(text)")
    }

    /// The view's keys map to its controls; other keys fall through.
    @Test func theKeysAreTheViews() {
        for key in ["(", ")", "+", "-", "c", "C"] {
            #expect(Job.featureAdversaryControls(KeyEvent(.character(Character(key)))) != nil, "\(key)")
        }
        #expect(Job.featureAdversaryControls(KeyEvent(.character("a"))) == nil)
    }
}

/// The feature-adversary view in small terminals.
@Suite struct FeatureViewSmallTerminalTests {
    /// Bug: the figures box kept 44 columns at every width, so at 60x18 the four images shared 16 columns: panels
    /// 4 wide with no title, an image of one or two characters and captions cut to their first letter ("0…").
    @Test(arguments: [(60, 18), (80, 24)])
    func theImagesKeepTheirTitlesAndCaptions(size: (width: Int, height: Int)) throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "feature adversary") { snapshot in
            FeatureViewTests.setImages(&snapshot, captions: ["Coat 97%", "Bag 99%", "Bag 61%", "L-inf .1"])
            snapshot.bars["feature distance per layer"] = [Snapshot.Bar(label: "3 (ReLU) ◀", value: 0.42)]
            snapshot.figures = [("layer", "3 (ReLU)"), ("delta", "0.1")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: size.width, height: size.height)
        let text = frame.joined(separator: "\n")
        for expected in ["╭ source ", "Coat 97%", "Bag 99%", "Bag 61%", "L-inf .1", "3 (ReLU)"] {
            #expect(frame.contains { $0.contains(expected) }, "\(size): \(expected) missing:\n\(text)")
        }
    }
}
