import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's AutoAttack view: robust accuracy after each component, the running one, and which
/// component broke the shown image; `w` starts AutoAttack on the shown classifier.
@Suite struct AutoAttackViewTests {
    /// Ten images: one misclassified before the attack, APGD-CE broke three, APGD-T one, FAB-T is running.
    static let progress = AutoAttackProgress(
        names: ["apgd-ce", "apgd-t", "fab-t", "square"],
        brokenBy: ["", "apgd-t", "clean", "apgd-ce", "", "apgd-ce", "", "apgd-ce", "", ""], running: (2, 340, 900))

    @Test func theLabShowsEachComponentAndWhatBrokeTheShownImage() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "autoattack · fixture") { snapshot in
            let clean: [Float] = [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1]
            snapshot.images["clean"] = [Snapshot.Image(width: 4, height: 4, values: clean, caption: "3")]
            snapshot.images["adversarial"] = [
                Snapshot.Image(width: 4, height: 4, values: clean.map { min(1, $0 + 0.1) }, caption: "8")
            ]
            snapshot.images["perturbation"] = [
                Snapshot.Image(width: 4, height: 4, values: clean.map { $0 > 0 ? -0.1 : 0.1 })
            ]
            snapshot.bars["clean"] = [.init(label: "3", value: 0.9), .init(label: "8", value: 0.1)]
            snapshot.bars["adversarial"] = [.init(label: "3", value: 0.2), .init(label: "8", value: 0.8)]
            snapshot.figures = [
                ("method", "autoattack"), ("eps", "0.1"), ("image", "1 (true: 3)"), ("success", "yes"),
                ("broken by", AutoAttackViewTests.progress.fate(image: 1)?.figure ?? ""),
            ]
            snapshot.series["success_rate"] = [0, 0.3, 0.4]
            snapshot.autoAttack = AutoAttackViewTests.progress
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        state.message = ""
        state.messageTime = .distantPast
        expectLines(WorkbenchFixture.frame(state, width: 110, height: 28), Self.golden)
    }

    /// A verdict wider than the panel goes on two rows: at 120x40 "misclassified before the attack" lost its
    /// last letters ("...before the atta").
    @Test func aLongVerdictWrapsInsteadOfBeingCut() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "autoattack · fixture") { snapshot in
            snapshot.figures = [("method", "autoattack"), ("image", "2 (true: 3)")]
            snapshot.autoAttack = AutoAttackViewTests.progress
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 120, height: 40)
        let row = try #require(frame.firstIndex { $0.contains("│image 2: misclassified before the") }, "\(frame)")
        #expect(frame[row + 1].contains("│attack"), "\(frame[row + 1])")
    }

    /// `w` on an attack of a classifier run starts AutoAttack on the same run; without a run it does nothing.
    @Test func wStartsAutoAttackOnTheShownClassifier() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "clf", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2025-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let fixture = WorkbenchFixture.job(kind: .attack, title: "pgd · clf") { _ in }
        defer { fixture.runner.send(.stop) }
        let job = Job(
            kind: .attack, title: "pgd · clf", runner: fixture.runner, classNames: [],
            run: RunDirectory(root: root, name: "clf"))
        job.method = "pgd"
        state.add(job)
        _ = state.handle(.key(.character("w")))
        #expect(state.jobs.count == 2, "\(state.message)")
        let started = try #require(state.jobs.last)
        defer { started.runner.send(.stop) }
        #expect(started.method == "autoattack" && started.title == "autoattack · clf" && started.run?.name == "clf")
        #expect(state.screen is AttackScreen)

        var bare = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        bare.add(fixture)
        _ = bare.handle(.key(.character("w")))
        #expect(bare.jobs.count == 1)
    }

    /// Bug: `n` (next method) and `w` (AutoAttack) started the new attack on image 0 whatever image `←` `→`
    /// had picked; they now start on the image shown.
    @Test func nAndWStartOnTheImageShown() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        for key in ["n", "w"] {
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            let job = WorkbenchFixture.pgdLabJob(root: root, run: "clf", image: "5 (true: 3)")
            defer { job.runner.send(.stop) }
            state.add(job)
            _ = state.handle(.key(.character(Character(key))))
            let started = try #require(state.jobs.count == 2 ? state.jobs.last : nil, "\(key): \(state.message)")
            defer { started.runner.send(.stop) }
            let deadline = Date().addingTimeInterval(60)
            var image: String?
            while image == nil && Date() < deadline {
                if case .failed(let reason) = started.runner.snapshot.status { Issue.record("\(reason)") }
                image = started.runner.snapshot.figures.first { $0.name == "image" }?.value
                Thread.sleep(forTimeInterval: 0.01)
            }
            #expect(image?.hasPrefix("5 ") == true, "\(key): \(image ?? "no image figure")")
        }
    }

    static let golden: [String] = [
        " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness            Manifold workbench",
        "╭ clean ─────────────╮╭ adversarial ───────╮╭ perturbation ──────╮╭ attack ──────────────────────────────────╮",
        "│     @@@@@@@@@@     ││     @@@@@@@@@@     ││#####==========#####││                                          │",
        "│     @@@@@@@@@@     ││     @@@@@@@@@@     ││#####==========#####││method                          autoattack│",
        "│====================││====================││                    ││eps                                    0.1│",
        "│@@@@@          @@@@@││@@@@@          @@@@@││=====##########=====││image                          1 (true: 3)│",
        "│@@@@@          @@@@@││@@@@@          @@@@@││=====##########=====││success                                yes│",
        "│     @@@@@@@@@@     ││     @@@@@@@@@@     ││#####==========#####││broken by                  apgd-t (2 of 4)│",
        "│     @@@@@@@@@@     ││     @@@@@@@@@@     ││#####==========#####││                                          │",
        "│====================││====================││                    ││                                          │",
        "│@@@@@          @@@@@││@@@@@          @@@@@││=====##########=====││                                          │",
        "│@@@@@          @@@@@││@@@@@          @@@@@││=====##########=====││                                          │",
        "│         3          ││         8          ││                    ││                                          │",
        "╰────────────────────╯╰────────────────────╯╰────────────────────╯╰──────────────────────────────────────────╯",
        "╭ probabilities · clean ───────────╮╭ probabilities · adversarial ─────╮╭ AutoAttack · after each component ─╮",
        "│3 ████████████████████████▎   0.90││3 █████▍                      0.20││         broke  robust accuracy     │",
        "│8 ██▊                         0.10││8 █████████████████████▋      0.80││clean        1  ████████████▋  0.900│",
        "│                                  ││                                  ││apgd-ce      3  ████████▍      0.600│",
        "│                                  ││                                  ││apgd-t       1  ███████        0.500│",
        "│                                  ││                                  ││fab-t    ▶ running 340/900          │",
        "│                                  ││                                  ││square   · waiting                  │",
        "│                                  ││                                  ││                                    │",
        "│                                  ││                                  ││image 1: broken by apgd-t (2 of 4)  │",
        "╰──────────────────────────────────╯╰──────────────────────────────────╯╰────────────────────────────────────╯",
        "╭ progress ──────────────────────────────────────────────────────────╮╭ throughput ──────────────────────────╮",
        "│                            25% · paused                            ││paused                                │",
        "╰────────────────────────────────────────────────────────────────────╯╰──────────────────────────────────────╯",
        " q quit  ? keys                                                       paused autoattack · fixture · step 3/12",
    ]
}
