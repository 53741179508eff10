import Engine
import Foundation
import Models
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's purification view (`p`): the purifier run it picks, its keys, and its frame.
@Suite struct PurificationViewTests {
    /// The purifier is the newest unconditional DDPM run on the classifier's data, else the newest DAE run;
    /// conditional DDPMs, other data and other models are skipped.
    @Test func thePurifierIsTheNewestDDPMElseDAE() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        func write(_ name: String, model: String, created: String, data: String = "synthetic", extra: String = "")
            throws
        {
            try WorkbenchFixture.writeRun(
                name, in: root,
                config: #"{"model": "\#(model)", "data": "\#(data)", "created": "\#(created)"\#(extra)}"#)
        }
        try write("cls", model: "cnn", created: "2026-01-01T00:00:00Z")
        try write("ddpm-old", model: "ddpm", created: "2026-01-02T00:00:00Z")
        try write("ddpm-new", model: "ddpm", created: "2026-01-03T00:00:00Z")
        try write("ddpm-cond", model: "ddpm", created: "2026-01-09T00:00:00Z", extra: #", "conditional": true"#)
        try write("dae", model: "dae", created: "2026-01-08T00:00:00Z")
        try write("vae", model: "vae", created: "2026-01-10T00:00:00Z")
        try write("ddpm-fashion", model: "ddpm", created: "2026-01-11T00:00:00Z", data: "fashion")
        try write("cls-k", model: "mlp", created: "2026-01-01T00:00:00Z", data: "kmnist")
        try write("dae-k", model: "dae", created: "2026-01-02T00:00:00Z", data: "kmnist")
        try write("cls-m", model: "mlp", created: "2026-01-01T00:00:00Z", data: "mnist")
        #expect(Job.purifierPartner(of: RunDirectory(root: root, name: "cls"), root: root)?.name == "ddpm-new")
        #expect(Job.purifierPartner(of: RunDirectory(root: root, name: "cls-k"), root: root)?.name == "dae-k")
        let lonely = RunDirectory(root: root, name: "cls-m")
        #expect(Job.purifierPartner(of: lonely, root: root) == nil)
        #expect(throws: RunError.self) {
            try Job.purification(run: lonely, image: 0, adversarial: nil, running: false, root: root)
        }
    }

    /// A tiny classifier and DDPM on 4x4 images, purifying with t* = `tStar` (10) of a `stepCount`-step (50)
    /// schedule, every ancestral step.
    static func experiment(tStar: Int = 10, stepCount: Int = 50) throws -> PurificationStepExperiment {
        var generator = RandomGenerator(seed: 3)
        let classifier = Classifier(
            kind: .mlp, imageHeight: 4, imageWidth: 4, classCount: 3, hiddenWidth: 8, generator: &generator)
        let ddpm = DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: stepCount),
            generator: &generator)
        let clean = Tensor.randomUniform([1, 16], low: 0.2, high: 0.8, generator: &generator)
        let adversarial = (clean + 0.05).clamped(min: 0, max: 1)
        return try PurificationStepExperiment(
            classifier: classifier, purifier: try DiffusionPurifier(model: ddpm, tStar: tStar, reverse: .ddpm),
            clean: clean, adversarial: adversarial, label: 1, imageIndex: 7, classNames: ["a", "b", "c"],
            attackName: "pgd eps 0.05", epsilon: 0.05)
    }

    /// Applies the view's control for `key` as the runner would (one job's presses share a `ladder`),
    /// returning its message.
    static func press(
        _ key: Key, on view: PurificationStepExperiment, ladder: PurifierLadder = PurifierLadder()
    ) throws -> String {
        let change = try #require(Job.purificationControls(ladder: ladder)(KeyEvent(key)))
        return change(view)
    }

    /// `+` / `-` change t* and `(` / `)` the reverse steps, each restarting the chain; `a` runs the adaptive
    /// attack, whose image is then purified in turn.
    @Test func keysChangeTheChainAndRestartIt() throws {
        let view = try Self.experiment()
        for _ in 0..<4 { _ = try view.step() }
        #expect(view.progress.done == 4 && view.progress.total == 10 && view.verdicts.count == 4)
        _ = try Self.press(.character("+"), on: view)
        #expect(view.settings.depth == 13 && view.settings.steps == nil)
        #expect(view.progress.done == 0 && view.progress.total == 13 && view.verdicts.isEmpty)
        _ = try Self.press(.character("-"), on: view)
        #expect(view.settings.depth == 10)
        _ = try Self.press(.character("("), on: view)
        #expect(view.settings.depth == 10 && view.settings.steps == 5 && view.progress.total == 5)
        _ = try Self.press(.character(")"), on: view)
        #expect(view.settings.steps == nil && view.progress.total == 10)
        let refused = try Self.press(.character(")"), on: view)
        #expect(refused.contains("every ancestral step") && view.settings.steps == nil, "\(refused)")
        #expect(Job.purificationControls(ladder: PurifierLadder())(KeyEvent(.character("q"))) == nil)
        while !view.isFinished { _ = try view.step() }
        #expect(view.verdicts.count == 10 && view.outcomes.map(\.attack) == ["naive"])

        view.attackSteps = 2
        view.eotDraws = 2
        _ = try Self.press(.character("a"), on: view)
        #expect(view.phase == .attacking(.bpdaEOT) && !view.isFinished)
        var attacking = Snapshot()
        view.describe(into: &attacking, includeHeavy: true)
        #expect(attacking.figures.first { $0.name == "purifying" }?.value == "bpda-eot, attacking")
        #expect(attacking.images["purify x_t"]?.isEmpty == true)
        for _ in 0..<2 { _ = try view.step() }
        #expect(view.phase == .purifying(adaptive: true) && view.adaptive != nil)
        let linf = zip(view.attacked.scalars, view.clean.scalars).map { abs($0 - $1) }.max() ?? 1
        #expect(linf <= 0.05 + 1e-5)
        while !view.isFinished { _ = try view.step() }
        #expect(view.outcomes.map(\.attack) == ["naive", "bpda-eot"])
        var snapshot = Snapshot()
        view.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.images["purify x_t"]?.first?.caption == "purified")
        #expect(snapshot.figures.contains { $0.name == "bpda-eot → purified" })
        #expect(snapshot.curves["p(true class)"]?.x == (1...10).map(Double.init))
    }

    /// With an odd t*, `(` halves every ancestral step into DDIM with t* / 2 (rounded down) and `)` doubles
    /// straight back to every ancestral step, as with an even one (before, it stopped at DDIM with t* - 1).
    @Test func doublingBackFromAnOddTStarReachesEveryAncestralStep() throws {
        let view = try Self.experiment()
        _ = try Self.press(.character("+"), on: view)
        #expect(view.settings.depth == 13 && view.settings.steps == nil)
        _ = try Self.press(.character("("), on: view)
        _ = try Self.press(.character("("), on: view)
        #expect(view.settings.steps == 3)
        _ = try Self.press(.character(")"), on: view)
        #expect(view.settings.steps == 6)
        let message = try Self.press(.character(")"), on: view)
        #expect(view.settings.steps == nil && view.progress.total == 13, "\(message)")
    }

    /// A purification snapshot: the five images with captions, both curves, two steps and the figures.
    static func fill(_ snapshot: inout Snapshot) {
        let image = Snapshot.Image(width: 4, height: 4, values: [Float](repeating: 0.5, count: 16))
        func captioned(_ caption: String) -> [Snapshot.Image] {
            var item = image
            item.caption = caption
            return [item]
        }
        snapshot.images["clean"] = captioned("Coat 97%")
        snapshot.images["perturbation"] = captioned("L-inf 0.100")
        snapshot.images["adversarial"] = captioned("Shirt 99%")
        snapshot.images["purify x_t"] = captioned("t=57")
        snapshot.images["purify x_0"] = captioned("Coat 81%")
        snapshot.curves = [
            "p(true class)": ([1, 2, 3], [0.2, 0.5, 0.8]), "p(prediction)": ([1, 2, 3], [0.6, 0.5, 0.8]),
        ]
        snapshot.bars["purification steps"] = [
            Snapshot.Bar(label: "43 t=57 Coat", value: 0.81), Snapshot.Bar(label: "42 t=58 Shirt", value: 0.52),
        ]
        snapshot.figures = [
            ("image", "7 (true: Coat)"), ("purifier", "diffpure t*=100, 100 ddpm steps"),
            ("attack", "pgd eps 0.1 (the lab's)"), ("purifying", "adversarial"), ("stage", "purifying 43/100"),
            ("naive → purified", "Coat 91% (holds)"),
        ]
    }

    /// The workbench's frames at each of `sizes` (width, height) with a purification job (`fill`) shown
    /// on the Attack lab.
    static func frames(at sizes: [(Int, Int)]) -> [[String]] {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "purify", describe: Self.fill)
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is AttackScreen)
        return sizes.map { WorkbenchFixture.frame(state, width: $0.0, height: $0.1) }
    }

    /// A purification snapshot renders the five images, the figures, the curve panel and the step list.
    @Test func theViewShowsTheChainAndTheVerdicts() throws {
        let frame = try #require(Self.frames(at: [(160, 40)]).first)
        let text = frame.joined(separator: "\n")
        for expected in [
            "clean", "perturbation", "adversarial", "x_t", "predicted x_0", "purification (a / A: adaptive attack)",
            "Coat 97%", "Shirt 99%", "t=57", "Coat 81%", "diffpure t*=100, 100 ddpm steps", "Coat 91% (holds)",
            "classifier on predicted x_0, per reverse step", "43 t=57 Coat", "42 t=58 Shirt", "0.81",
            "p(true class)",
        ] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
        #expect(!frame.contains { $0.contains("probabilities · clean") }, "\(text)")
    }

    /// Bug: at 80x24 the figures panel kept a fixed 60 columns, leaving the five images 4 columns each:
    /// no titles, no captions, and the curve panel 16 columns wide. The images now take the full width
    /// above, the figures and the steps share the row below (and the curves, given 34 rows, the full width
    /// under them), so every title, caption, verdict and step is readable at 80x24 (long values and labels
    /// cut at the end) and whole at 120x40.
    @Test func theViewFitsAnEightyColumnTerminal() throws {
        let sizes = [(80, 24), (120, 40)]
        for ((width, height), frame) in zip(sizes, Self.frames(at: sizes)) {
            let text = frame.joined(separator: "\n")
            var expected = [
                "╭ clean ", "╭ perturbation ", "╭ adversarial ", "╭ x_t ", "Coat 97%", "L-inf 0.100", "Shirt 99%",
                "t=57", "Coat 81%", "7 (true: Coat)", "diffpure t*=100, 100 ddp", "Coat 91% (holds)", "43 t=57 Co",
                "42 t=58 Sh", "0.81", "0.52",
            ]
            if width >= 120 {
                expected += [
                    "╭ predicted x_0 ", "diffpure t*=100, 100 ddpm steps", "43 t=57 Coat", "42 t=58 Shirt",
                    "p(true class)", "p(prediction)",
                ]
            } else {
                expected += ["╭ x_0 estimate "]
            }
            for piece in expected {
                #expect(frame.contains { $0.contains(piece) }, "\(width)x\(height): \(piece) missing:\n\(text)")
            }
        }
    }

    /// Bug: at 60x18 the step list kept 36 of the 60 columns and the figures panel showed three rows:
    /// image, purifier and attack. The stage and the verdicts (`holds` / `beaten`), what the view is for,
    /// were cut off, and the values had three columns. Now the figures get three fifths of a narrow row and
    /// a panel too short for every figure shows the stage and the verdicts first.
    @Test func theVerdictsStayInViewAt60x18() throws {
        let frame = try #require(Self.frames(at: [(60, 18)]).first)
        let text = frame.joined(separator: "\n")
        for expected in ["purifying 43/100", "naive → purified", "Coat 91% (holds)", "43 t=5", "0.81"] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
    }

    /// Bug: the newest steps were listed as "STEP LEVEL CLASS", so where the step reached three digits (and
    /// the level t=10 fell to t=9) the rows below started one column off. The step is now right-aligned to
    /// the chain's step count and the level padded, and the labels may take half the panel, so that every
    /// row's level and class start in the same column and the class is not cut at 120 columns.
    @Test func theStepListStaysAlignedPastNinetyNineSteps() throws {
        let view = try Self.experiment(tStar: 104, stepCount: 200)
        for _ in 0..<102 { _ = try view.step() }
        var described = Snapshot()
        view.describe(into: &described, includeHeavy: true)
        // The view's own labels; fixed probabilities, so that the frame depends on the labels only.
        let bars = (described.bars["purification steps"] ?? []).map { Snapshot.Bar(label: $0.label, value: 0.5) }
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "purify") { snapshot in
            Self.fill(&snapshot)
            snapshot.bars["purification steps"] = bars
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 120, height: 40)
        expectLines(frame[12...22].map { String($0.suffix(48)) }, Self.stepsPanel)
        // Narrower, the labels are cut at the end, but every row's level starts in the same column.
        for (width, height) in [(80, 24), (60, 18)] {
            let rows = WorkbenchFixture.frame(state, width: width, height: height).filter {
                $0.contains(" t=") && $0.hasSuffix("0.50│")
            }
            let columns = Set(rows.map { $0.distance(from: $0.startIndex, to: $0.range(of: " t=")!.lowerBound) })
            #expect(rows.count >= 4 && columns.count == 1, "\(width)x\(height):\n\(rows.joined(separator: "\n"))")
        }
    }

    static let stepsPanel = [
        "╭ step · level · prediction · p ───────────────╮",
        "│102 t=2  b ███████████████                0.50│",
        "│101 t=3  b ███████████████                0.50│",
        "│100 t=4  b ███████████████                0.50│",
        "│ 99 t=5  b ███████████████                0.50│",
        "│ 98 t=6  b ███████████████                0.50│",
        "│ 97 t=7  b ███████████████                0.50│",
        "│ 96 t=8  b ███████████████                0.50│",
        "│ 95 t=9  b ███████████████                0.50│",
        "│ 94 t=10 b ███████████████                0.50│",
        "╰──────────────────────────────────────────────╯",
    ]
}
