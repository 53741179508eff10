import Attacks
import Engine
import Models
import NeuralNet
import TensorCore
import Testing

/// The Attack lab's feature-adversary view (issue 16) and the perceptual attacks' live distances, on the
/// small MLP of `AttackExperimentTests`.
struct FeatureAdversaryExperimentTests {
    typealias Fixture = AttackExperimentTests

    /// Test image `index` as `[1, pixels]`.
    static func image(_ index: Int) -> Tensor {
        let pixels = Fixture.dataset.pixelCount
        return Tensor(
            shape: [1, pixels], scalars: Array(Fixture.dataset.testImages[(index * pixels)..<((index + 1) * pixels)]))
    }

    /// Source test image 0 and one guide per other class (the first test image of each).
    static func view() throws -> FeatureAdversaryExperiment {
        let labels = Fixture.dataset.testLabels
        let source = labels[0]
        let guides = (0..<10).filter { $0 != source }.compactMap { c in
            labels.firstIndex(of: c).map { (label: c, index: $0, image: image($0)) }
        }
        let first = guides[0]
        let view = try FeatureAdversaryExperiment(
            classifier: Fixture.model(), source: image(0), sourceLabel: source, sourceIndex: 0, guide: first.image,
            guideLabel: first.label, guideIndex: first.index, imageWidth: 28, imageHeight: 28,
            classNames: Fixture.dataset.classNames, epsilon: 0.2, steps: 30)
        view.guideCandidates = guides
        return view
    }

    /// Steps bring the features closer to the guide's within delta; the per-layer bars cover every hidden
    /// layer with the attacked one marked; the history, curves and figures follow the steps.
    @Test func stepsMoveTheFeaturesTowardTheGuide() throws {
        let view = try Self.view()
        #expect(view.layer == "3")  // the MLP's last hidden layer: 0 Linear, 1 ReLU, 2 Linear, 3 ReLU
        for _ in 0..<30 { _ = try view.step() }
        #expect(view.isFinished && view.history.count == 30)
        let relative = try #require(view.history.last?.relativeDistance)
        #expect(relative < 0.9, "relative feature distance \(relative)")
        var snapshot = Snapshot()
        view.describe(into: &snapshot, includeHeavy: true)
        let bars = try #require(snapshot.bars["feature distance per layer"])
        #expect(bars.map(\.label) == ["0 (Linear)", "1 (ReLU)", "2 (Linear)", "3 (ReLU) ◀"])
        #expect(abs((bars.last?.value ?? 0) - relative) < 1e-3)
        let linf = zip(snapshot.images["adversarial"]![0].values, Self.image(0).scalars).map { abs($0 - $1) }.max()!
        #expect(linf <= 0.2 + 1e-5)
        #expect(snapshot.curves["p(guide class)"]?.x.count == 30)
        #expect(snapshot.bars["feature steps"]?.count == 12)
        #expect(snapshot.figures.contains { $0.name == "layer" && $0.value == "3 (ReLU)" })
    }

    /// The layer, delta and guide keys restart the attack; the ends say so.
    @Test func layerDeltaAndGuideRestartTheAttack() throws {
        let view = try Self.view()
        for _ in 0..<3 { _ = try view.step() }
        #expect(try view.moveLayer(by: 1) == "the last hidden layer already")
        #expect(view.history.count == 3)
        #expect(try view.moveLayer(by: -1) == "layer 2 (Linear); attack restarted")
        #expect(view.layer == "2" && view.history.isEmpty && view.progress.done == 0)
        try view.restart(epsilon: 0.05)
        #expect(view.epsilon == 0.05 && view.layer == "2")
        let first = view.guideLabel
        let message = try view.nextGuide(forward: true)
        #expect(view.guideLabel != first && message.hasPrefix("guide: test image"))
        _ = try view.nextGuide(forward: false)
        #expect(view.guideLabel == first)
        // A guide of the source's class is refused and the attack kept.
        #expect(throws: AttackError.self) {
            try view.restart(guide: (Self.image(0), view.sourceLabel, 0))
        }
        #expect(view.guideLabel == first)
    }

    /// LPA reports the batch's mean perceptual distance and L2 after each step; `+` / `-` move its bound.
    @Test func perceptualAttacksReportTheirDistanceAsTheyRun() throws {
        let lpa = try Fixture.experiment("lpa", steps: 5, count: 8)
        #expect(lpa.perceptualBound == 0.1)
        let report = try lpa.step()
        let distance = try #require(report.metrics["perceptual_distance"])
        #expect(distance >= 0 && distance <= 0.1 + 1e-4)
        #expect((report.metrics["l2"] ?? -1) >= 0)
        var snapshot = Snapshot()
        lpa.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.figures.contains { $0.name == "perceptual bound" && $0.value == "0.1" })
        #expect(snapshot.figures.contains { $0.name == "perceptual distance" })
        try lpa.setPerceptualBound(0.2)
        #expect(lpa.perceptualBound == 0.2 && lpa.progress.done == 0)
        let pgd = try Fixture.experiment("pgd", steps: 2, count: 4)
        #expect(pgd.perceptualBound == nil)
        #expect(try pgd.step().metrics["perceptual_distance"] == nil)
        #expect(throws: AttackError.self) { try pgd.setPerceptualBound(0.2) }
    }
}
