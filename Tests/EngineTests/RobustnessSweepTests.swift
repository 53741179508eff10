import Attacks
import Engine
import Models
import TensorCore
import Testing

/// The robustness view's experiment: robust accuracy over eps per attack, the per-image worst case, the
/// sanity checks at the end, and a run's per-epoch history with its catastrophic-overfitting epoch.
struct RobustnessSweepTests {
    static func sweep(metrics: MetricsTable? = nil) throws -> RobustnessSweep {
        let dataset = AttackExperimentTests.dataset
        let count = 48
        return try RobustnessSweep(
            classifier: AttackExperimentTests.model(),
            images: Tensor(
                shape: [count, dataset.pixelCount], scalars: Array(dataset.testImages[0..<(count * dataset.pixelCount)])
            ),
            labels: Array(dataset.testLabels[0..<count]), epsilons: [0.05, 0.1, 0.2],
            attacks: [
                ("fgsm", FGSM()), ("pgd", PGD(steps: 5)), ("square", SquareAttack(queries: 50)),
            ], checkEpsilon: 0.1, metrics: metrics)
    }

    @Test func worstCaseIsNoBetterThanAnyAttackAndTheChecksRunLast() throws {
        let sweep = try Self.sweep()
        var previous = -1
        while !sweep.isFinished {
            _ = try sweep.step()
            let done = sweep.progress.done
            #expect(done >= previous && done <= sweep.progress.total)
            previous = done
            if sweep.worstCase.count < 3 { #expect(sweep.flags == nil) }
        }
        #expect(sweep.progress.done == sweep.progress.total)
        // Its progress counts hundredths of a cell: the status line shows a share, not steps.
        #expect(!sweep.progressCountsSteps)
        #expect(sweep.worstCase.count == 3)
        for name in ["fgsm", "pgd", "square"] {
            let accuracies = try #require(sweep.accuracies[name])
            #expect(accuracies.count == 3)
            for (worst, own) in zip(sweep.worstCase, accuracies) { #expect(worst <= own + 1e-12, "\(name)") }
        }
        // The same attacks run alone agree with the sweep's figures.
        let (images, labels) = (sweep.images, sweep.labels)
        let pgd = try PGD(steps: 5).attack(
            sweep.classifier, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(sweep.accuracies["pgd"]?[1] == pgd.adversarialAccuracy)
        #expect(sweep.flags?.map(\.check) == SanityFlag.Check.allCases)
        var snapshot = Snapshot()
        sweep.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.curves["worst case"]?.x == [0, Double(Float(0.05)), Double(Float(0.1)), Double(Float(0.2))])
        #expect(snapshot.curves["worst case"]?.y.first == sweep.cleanAccuracy)
        #expect(snapshot.checks.count == 6)
        #expect(snapshot.figures.contains { $0.name == "worst, eps 0.1" })
        #expect(!snapshot.figures.contains { $0.name == "collapse" })
    }

    @Test func aRunsHistoryGivesTheCollapseEpoch() throws {
        var lines = ["epoch,step,seconds,train_loss,test_accuracy,train_fgsm_accuracy,train_pgd_accuracy"]
        let rows: [(Double, Double, Double)] = [(0.70, 0.40, 0.35), (0.75, 0.45, 0.40), (0.78, 0.80, 0.05)]
        for (index, row) in rows.enumerated() {
            lines.append("\(index + 1),10,1.0,0.5,\(row.0),\(row.1),\(row.2)")
        }
        let sweep = try Self.sweep(metrics: MetricsTable(csv: lines.joined(separator: "\n")))
        #expect(sweep.collapseEpoch == 3)
        var snapshot = Snapshot()
        sweep.describe(into: &snapshot, includeHeavy: false)
        #expect(snapshot.epochSeries["train_pgd_accuracy"] == [0.35, 0.40, 0.05])
        #expect(snapshot.figures.first { $0.name == "collapse" }?.value == "epoch 3")
        // A standard run's history (no training-batch FGSM / PGD accuracies) is drawn, but the rule cannot
        // be read from it: no collapse figure (the workbench used to say "catastrophic overfitting: none").
        let standard = ["epoch,step,seconds,train_loss,test_loss,test_accuracy", "1,10,1.0,0.5,0.4,0.7", "2,20,2.0,0.4,0.3,0.8"]
        let plain = try Self.sweep(metrics: MetricsTable(csv: standard.joined(separator: "\n")))
        var plainSnapshot = Snapshot()
        plain.describe(into: &plainSnapshot, includeHeavy: false)
        #expect(plainSnapshot.epochSeries["test_accuracy"] == [0.7, 0.8])
        #expect(!plainSnapshot.figures.contains { $0.name == "collapse" })
        #expect(throws: AttackError.self) {
            try RobustnessSweep(
                classifier: AttackExperimentTests.model(), images: sweep.images, labels: sweep.labels, epsilons: [1.5])
        }
    }
}
