import Attacks
import Engine
import Foundation
import Models
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The workbench's figures for a run against what the command line prints for the same run: the Attack lab
/// against `manifold attack METHOD --run R`, the Robustness screen against `attack` at its budgets. Both sides
/// are computed here on one tiny trained run, the CLI's side by the code path `attack` takes
/// (`LoadedClassifierRun.testSet`, `AttackFactory`, `TestSetAttack`).
@Suite struct LabCLIAgreementTests {
    /// A trained MLP run `clf` of 600 training and `testLimit` test images of the synthetic digits (the run's
    /// `--test-limit`), trained with `seed`; returns the runs folder.
    static func trainedRun(testLimit: Int, seed: UInt64) throws -> String {
        let root = WorkbenchFixture.runsRoot()
        var request = TrainingRequest(model: .classifier(.mlp))
        (request.trainLimit, request.testLimit, request.epochs, request.batch, request.seed) =
            (600, testLimit, 2, 32, seed)
        let session = try TrainingSession(try TrainingPlan.new(request, run: RunDirectory(root: root, name: "clf")))
        while !session.training.isFinished { try session.record(try session.training.step()) }
        session.close()
        return root
    }

    /// The snapshot of `job` once it finished (or failed, which is recorded).
    static func finished(_ job: Job, timeout: TimeInterval = 120) -> Snapshot {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let s = job.runner.snapshot
            if case .failed(let reason) = s.status {
                Issue.record("\(job.title) failed: \(reason)")
                return s
            }
            if s.status == .finished { return s }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("\(job.title) did not finish in \(timeout) s")
        return job.runner.snapshot
    }

    /// What `manifold attack METHOD --run clf --eps EPS --n COUNT` computes (seed 0, its default), with
    /// `settings` for the method's other options.
    static func cliAttack(
        _ method: String, root: String, eps: Float, count: Int? = nil, settings: AttackFactory.Settings = .init()
    ) throws -> AttackResult {
        let loaded = try LoadedClassifierRun.load(run: RunDirectory(root: root, name: "clf"), option: "--run")
        loaded.model.setTraining(false)
        let dataset = try loaded.testSet(override: nil, seed: 0, withTraining: false).dataset
        return try TestSetAttack.run(
            try AttackFactory.make(method, settings: settings), method: method, model: loaded.model, dataset: dataset,
            count: count ?? min(1000, dataset.testCount), batchSize: 2000, threat: ThreatModel(epsilon: eps))
    }

    /// Bug: the lab attacked the first 256 test images of the whole dataset, also of a run trained with
    /// `--test-limit 40`, whose test set `attack` and `eval` keep to 40 images: the lab's batch figures were
    /// of 216 images the run is not measured on, and `attack pgd --run R --n 256` refused to reproduce them.
    @Test func theLabAttacksTheRunsTestImagesAsAttackDoes() throws {
        let root = try Self.trainedRun(testLimit: 40, seed: 0)
        defer { cleanup(root) }
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), method: "pgd", running: true)
        defer { job.runner.send(.stop) }
        let figures = Dictionary(Self.finished(job).figures.map { ($0.name, $0.value) }) { a, _ in a }
        let cli = try Self.cliAttack("pgd", root: root, eps: 0.1)
        #expect(cli.count == 40)
        #expect(figures["gradient evaluations"] == "\(cli.gradientEvaluations)")
        #expect(figures["adversarial accuracy"] == String(format: "%.4f", cli.adversarialAccuracy))
        #expect(figures["batch success rate"] == String(format: "%.4f", cli.successRate))
        // The Robustness screen measures the same 40 images (at most 200).
        let robustness = try Job.robustness(run: RunDirectory(root: root, name: "clf"), running: false)
        defer { robustness.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(60)
        var images: String?
        while images == nil && Date() < deadline {
            images = robustness.runner.snapshot.figures.first { $0.name == "images" }?.value
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(images == "40")
    }

    /// Bug: the lab built uap's v on the images it attacks (`UniversalPerturbation`'s default), where `attack uap`
    /// builds it on the run's first 1000 training images (`--train-n`) and measures it on the test images: at
    /// eps 0.1 the lab showed adversarial accuracy 0.6445 where `attack uap --n 256` printed 0.6719. Now the lab
    /// takes `attack`'s training images, and its figures at the end are the ones `attack uap` prints.
    @Test func theLabsUniversalPerturbationIsTheOneAttackBuilds() throws {
        let root = try Self.trainedRun(testLimit: 40, seed: 0)
        defer { cleanup(root) }
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), method: "uap", running: true)
        defer { job.runner.send(.stop) }
        let figures = Dictionary(Self.finished(job, timeout: 300).figures.map { ($0.name, $0.value) }) { a, _ in a }
        // `attack uap --run clf --eps 0.1 --n 40`: v on the run's training images, as `makeAttack` takes them
        // (its 600, the run's --train-limit, fewer than --train-n's 1000), one batch of the 40 test images.
        let loaded = try LoadedClassifierRun.load(run: RunDirectory(root: root, name: "clf"), option: "--run")
        loaded.model.setTraining(false)
        let dataset = try loaded.testSet(override: nil, seed: 0).dataset
        let trainCount = min(UniversalPerturbation.defaultTrainCount, dataset.trainCount)
        #expect(trainCount == 600)
        var settings = AttackFactory.Settings()
        settings.trainImages = Tensor(
            shape: [trainCount, dataset.pixelCount], copying: dataset.trainImages[0..<(trainCount * dataset.pixelCount)]
        )
        let cli = try TestSetAttack.run(
            try AttackFactory.make("uap", settings: settings), method: "uap", model: loaded.model, dataset: dataset,
            count: dataset.testCount, batchSize: dataset.testCount, threat: ThreatModel(epsilon: 0.1))
        #expect(cli.count == 40)
        #expect(figures["gradient evaluations"] == "\(cli.gradientEvaluations)")
        #expect(figures["adversarial accuracy"] == String(format: "%.4f", cli.adversarialAccuracy))
        #expect(figures["batch success rate"] == String(format: "%.4f", cli.successRate))
    }

    /// Bug: the Robustness screen seeded its attacks' random starts and searches with the run's training seed
    /// (PGD, APGD, Square), where `attack` seeds them with `--seed`, 0 unless given, as the Attack lab does: on
    /// a run trained with `--seed 5` its curves were not what `attack pgd --run R --eps E --n 200` printed.
    @Test func theRobustnessScreenGivesWhatAttackGivesAtItsBudgets() throws {
        let root = try Self.trainedRun(testLimit: 40, seed: 5)
        defer { cleanup(root) }
        let job = try Job.robustness(run: RunDirectory(root: root, name: "clf"), running: true)
        defer { job.runner.send(.stop) }
        let s = Self.finished(job, timeout: 300)
        // `attack METHOD --run clf --eps E --n 200` with the screen's budgets (README's Robustness row).
        var apgd = AttackFactory.Settings(steps: 50)
        apgd.targetCount = 3
        let budgets: [(curve: String, method: String, settings: AttackFactory.Settings)] = [
            ("fgsm", "fgsm", .init()), ("pgd", "pgd", .init()), ("apgd-ce", "apgd", apgd), ("apgd-t", "apgd-t", apgd),
            ("square", "square", .init()),
        ]
        for (curve, method, settings) in budgets {
            let shown = try #require(s.curves[curve], "no \(curve) curve")
            for (eps, accuracy) in zip(shown.x, shown.y) where eps > 0 {
                let cli = try Self.cliAttack(method, root: root, eps: Float(eps), settings: settings)
                #expect(
                    String(format: "%.4f", accuracy) == String(format: "%.4f", cli.adversarialAccuracy),
                    "\(curve) at eps \(eps)")
            }
        }
    }

    /// Bug: `+` multiplies the lab's eps by 1.25, and after three presses (0.1 x 1.25^3 = 0.1953125) the lab
    /// showed eps 0.1953 and the status line `eps 0.195`, neither the radius it attacked: `attack pgd --eps
    /// 0.1953`, typed from the screen, attacks another. Now the eps `+` and `-` reach is a decimal of four
    /// digits at most, shown whole in the figures and the status line.
    @Test func theEpsShownIsTheEpsAttacked() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), method: "pgd", running: false)
        defer { job.runner.send(.stop) }
        var generator = RandomGenerator(seed: 1)
        let lab = try AttackExperiment(
            classifier: Classifier(kind: .mlp, generator: &generator), images: [Float](repeating: 0.5, count: 2 * 784),
            labels: [1, 2], imageWidth: 28, imageHeight: 28, classNames: (0..<10).map(String.init), method: "pgd",
            threat: ThreatModel(epsilon: 0.1), steps: 2, alpha: nil)
        for (key, times) in [("+", 3), ("-", 7), ("+", 11)] {
            for _ in 0..<times {
                let change = try #require(job.controls(KeyEvent(.character(Character(key)))))
                let message = change(lab)
                var snapshot = Snapshot()
                lab.describe(into: &snapshot, includeHeavy: false)
                let shown = try #require(snapshot.figures.first { $0.name == "eps" }?.value)
                #expect(Float(shown) == lab.threat.epsilon, "eps shown \(shown), attacked \(lab.threat.epsilon)")
                #expect(message == "eps \(shown): attack restarted")
            }
        }
    }

    /// Bug: `c` drew "pgd" over eps with PGD-20 steps of eps/8, where `attack pgd` (and the lab's own PGD, and
    /// the Robustness screen's) steps eps/10: at the lab's eps the curve's PGD point was not the adversarial
    /// accuracy the figures beside it showed, nor what `attack pgd --run R --eps E --n 256` printed.
    @Test func theLabsCurveOverEpsIsWhatAttackPrints() throws {
        let root = try Self.trainedRun(testLimit: 40, seed: 0)
        defer { cleanup(root) }
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), method: "pgd", running: false)
        defer { job.runner.send(.stop) }
        let change = try #require(job.controls(KeyEvent(.character("c"))))
        job.runner.send(.adjust(change))
        let deadline = Date().addingTimeInterval(120)
        while job.runner.snapshot.curves["pgd"] == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        for method in ["fgsm", "pgd"] {
            let curve = try #require(job.runner.snapshot.curves[method], "no \(method) curve")
            #expect(curve.x.count == 7)
            for (eps, accuracy) in zip(curve.x, curve.y) where eps > 0 {
                let cli = try Self.cliAttack(method, root: root, eps: Float(eps))
                #expect(
                    String(format: "%.4f", accuracy) == String(format: "%.4f", cli.adversarialAccuracy),
                    "\(method) at eps \(eps)")
            }
        }
    }

    /// Bug: as eps did, the perceptual bound of `lpa` / `ppgd` (`+` / `-` in the lab) and the feature view's
    /// delta went by exact factors of 1.25 and 0.8 while the figures showed four digits: after three `+` the
    /// bound 0.1953125 showed as 0.1953, so `attack lpa --bound 0.1953` or `attack feature --eps 0.1953`,
    /// typed from the screen, attacked another budget. Now each is kept to the four digits shown.
    @Test func theBoundAndDeltaShownAreTheOnesAttacked() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        var generator = RandomGenerator(seed: 1)
        let classifier = Classifier(kind: .mlp, generator: &generator)
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), method: "lpa", running: false)
        defer { job.runner.send(.stop) }
        let lab = try AttackExperiment(
            classifier: classifier, images: [Float](repeating: 0.5, count: 2 * 784), labels: [1, 2], imageWidth: 28,
            imageHeight: 28, classNames: (0..<10).map(String.init), method: "lpa", threat: ThreatModel(epsilon: 0.1),
            steps: 2, alpha: nil)
        let view = try FeatureAdversaryExperiment(
            classifier: classifier, source: Tensor(shape: [1, 784], scalars: [Float](repeating: 0.2, count: 784)),
            sourceLabel: 1, sourceIndex: 0,
            guide: Tensor(shape: [1, 784], scalars: [Float](repeating: 0.7, count: 784)),
            guideLabel: 2, guideIndex: 1, imageWidth: 28, imageHeight: 28, classNames: (0..<10).map(String.init),
            steps: 2)
        for (key, times) in [("+", 3), ("-", 7)] {
            for _ in 0..<times {
                let event = KeyEvent(.character(Character(key)))
                let boundChange = try #require(job.controls(event))
                let deltaChange = try #require(Job.featureAdversaryControls(event))
                let (bound, delta) = (boundChange(lab), deltaChange(view))
                var snapshot = Snapshot()
                lab.describe(into: &snapshot, includeHeavy: false)
                let shownBound = try #require(snapshot.figures.first { $0.name == "perceptual bound" }?.value)
                #expect(Float(shownBound) == lab.perceptualBound, "bound shown \(shownBound), \(bound)")
                snapshot = Snapshot()
                view.describe(into: &snapshot, includeHeavy: false)
                let shownDelta = try #require(snapshot.figures.first { $0.name == "delta" }?.value)
                #expect(Float(shownDelta) == view.epsilon, "delta shown \(shownDelta), \(delta)")
            }
        }
    }
}
