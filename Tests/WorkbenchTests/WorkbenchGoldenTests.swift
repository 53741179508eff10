import Attacks
import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Golden frames of the Home, Runs and Attack lab screens with fixed, tiny state (hand-written runs, a
/// job with a fixed snapshot), and the workbench defects of issue 13 item 7 that they exposed.
@Suite struct WorkbenchGoldenTests {
    /// Three runs: "zeta" oldest, "alpha" newer, "mid" without `created` (its folder was just made).
    static func threeRuns() throws -> String {
        let root = WorkbenchFixture.runsRoot()
        try WorkbenchFixture.writeRun(
            "zeta", in: root,
            config: WorkbenchFixture.config(model: "mlp", created: "2024-01-05T10:00:00Z", accuracy: 0.91))
        try WorkbenchFixture.writeRun(
            "alpha", in: root, config: WorkbenchFixture.config(model: "vae", created: "2025-03-01T09:30:00Z"))
        try WorkbenchFixture.writeRun("mid", in: root, config: #"{"model": "cnn", "epochs": 2, "epochs_done": 2}"#)
        return root
    }

    @Test func homeGolden() throws {
        let root = try WorkbenchGoldenTests.threeRuns()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("1")))
        _ = state.handle(.key(KeyEvent(.down)))
        expectLines(WorkbenchFixture.frame(state, width: 90, height: 20), WorkbenchGoldenTests.home)
    }

    /// Regression (issue 13 item 7): Home's "recent runs" were in reverse alphabetical order (zeta, mid,
    /// alpha); they are newest first by config.json's `created`, the folder's time when it has none.
    @Test func recentRunsAreNewestFirstNotReverseAlphabetical() throws {
        let root = try WorkbenchGoldenTests.threeRuns()
        defer { cleanup(root) }
        let names = RecentRuns.newestFirst(RunDirectory.list(root: root), limit: 12).map(\.run.name)
        #expect(names == ["mid", "alpha", "zeta"])
    }

    @Test func runsGolden() throws {
        let root = try WorkbenchGoldenTests.threeRuns()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        let frame = WorkbenchFixture.frame(state, width: 100, height: 20).map {
            $0.replacingOccurrences(of: root, with: "/tmp/RUNS")
        }
        expectLines(frame, WorkbenchGoldenTests.runs)
    }

    /// Regression (issue 13 item 7): Enter on a run whose config.json is broken said the run "is not a
    /// model that can be sampled"; it says the config is unreadable, naming the file and the problem.
    @Test func enterOnABrokenConfigSaysTheConfigIsUnreadable() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun("broken", in: root, config: #"{"model": "mlp", "epochs": "#)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        state.prepareFrame()
        _ = state.handle(.key(KeyEvent(.enter)))
        #expect(state.jobs.isEmpty)
        #expect(state.message.hasPrefix("\(root)/broken/config.json: "), "\(state.message)")
        #expect(!state.message.contains("sampled"), "\(state.message)")
        #expect(!state.message.contains("\n"), "\(state.message)")
    }

    @Test func attackLabGolden() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "pgd · fixture") { snapshot in
            let clean: [Float] = [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1]
            snapshot.images["clean"] = [Snapshot.Image(width: 4, height: 4, values: clean, caption: "3")]
            snapshot.images["adversarial"] = [
                Snapshot.Image(width: 4, height: 4, values: clean.map { min(1, $0 + 0.1) }, caption: "3 ≠ 8")
            ]
            snapshot.images["perturbation"] = [
                Snapshot.Image(width: 4, height: 4, values: clean.map { $0 > 0 ? -0.1 : 0.1 })
            ]
            snapshot.bars["clean"] = [.init(label: "3", value: 0.9), .init(label: "8", value: 0.1)]
            snapshot.bars["adversarial"] = [.init(label: "3", value: 0.2), .init(label: "8", value: 0.8)]
            snapshot.figures = [("method", "pgd"), ("eps", "0.1"), ("success", "1/1")]
            snapshot.series["success_rate"] = [0, 0.5, 1]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        state.message = ""
        state.messageTime = .distantPast
        expectLines(WorkbenchFixture.frame(state, width: 100, height: 24), WorkbenchGoldenTests.attackLab)
    }

    /// The Robustness screen: curves over eps with the worst case, the per-epoch history with the collapse
    /// marked, the figures and a fired sanity check with its suggestion.
    @Test func robustnessGolden() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .robustness, title: "robustness · fixture") { snapshot in
            let x = [0, 0.1, 0.2]
            snapshot.curves["pgd"] = (x, [0.8, 0.6, 0.3])
            snapshot.curves["square"] = (x, [0.8, 0.5, 0.4])
            snapshot.curves["worst case"] = (x, [0.8, 0.45, 0.25])
            snapshot.epochSeries["test_accuracy"] = [0.7, 0.75, 0.78]
            snapshot.epochSeries["train_fgsm_accuracy"] = [0.4, 0.45, 0.8]
            snapshot.epochSeries["train_pgd_accuracy"] = [0.35, 0.4, 0.05]
            snapshot.figures = [("images", "200"), ("collapse", "epoch 3")]
            snapshot.checks = [
                SanityFlag(
                    .blackBoxBeatsWhiteBox, status: .fired, value: 0.15,
                    figure: "robust accuracy: white-box pgd 0.600, black-box square 0.450"),
                SanityFlag(.randomisedOutputs, status: .clear, value: 0, figure: "largest output change 0"),
            ]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        state.message = ""
        state.messageTime = .distantPast
        #expect(state.screen is RobustnessScreen)
        expectLines(WorkbenchFixture.frame(state, width: 110, height: 26), WorkbenchGoldenTests.robustness)
    }

    /// Bug: below 80 columns the Robustness screen's figures kept 40 columns, leaving the curves over eps 10
    /// columns and the per-epoch curves 6 at 60x18: no axes, legends cut to "━p…". The figures now keep two
    /// fifths of a narrow row, so both charts keep their axes.
    @Test func robustnessCurvesStayReadableAt60x18() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .robustness, title: "robustness · fixture") { snapshot in
            let x = [0, 0.1, 0.2]
            snapshot.curves["pgd"] = (x, [0.8, 0.6, 0.3])
            snapshot.curves["worst case"] = (x, [0.8, 0.45, 0.25])
            snapshot.epochSeries["test_accuracy"] = [0.7, 0.75, 0.78]
            snapshot.figures = [("images", "200"), ("collapse", "none")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 60, height: 18)
        let text = frame.joined(separator: "\n")
        #expect(frame[1].hasPrefix("╭ robust accuracy… ─╮╭ accuracy p… ╮╭ evaluation ─"), "\(text)")
        #expect(frame[12].hasPrefix("│    0     0.1   0.2││    1   2   3││"), "\(text)")
        for piece in ["━pgd", "━wor", "images", "200", "collapse", "none"] {
            #expect(frame.contains { $0.contains(piece) }, "\(piece) missing:\n\(text)")
        }
    }

    /// Bug: the job's title on the right of the status line took up to half of it, so a message about the
    /// same job was cut (at 80 columns "started pgd → every class · mlp-synthetic…" left 22 columns for the
    /// message). A message now comes first: the title, then the key hints, make room for it; the job's state
    /// and step stay.
    @Test func aLongMessageIsShownWholeBeforeTheJobsTitle() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let title = "pgd → every class · mlp-synthetic-20261204-201020 | mlp-synthetic-20261204-201544"
        let job = WorkbenchFixture.job(kind: .attack, title: title) { _ in }
        defer { job.runner.send(.stop) }
        state.add(job)
        for width in [80, 120] {
            let status = WorkbenchFixture.frame(state, width: width, height: 24).last ?? ""
            #expect(status.contains("started \(title)") || width < 100, "\(width): \(status)")
            #expect(status.contains("started pgd → every class · mlp-synthetic-20261204-201020"), "\(width): \(status)")
            #expect(status.hasSuffix("paused step 3/12"), "\(width): \(status)")
        }
        state.messageTime = .distantPast
        let quiet = WorkbenchFixture.frame(state, width: 120, height: 24).last ?? ""
        // Without a message the title shows, cut in its middle where the right half cannot hold it: the step whole.
        #expect(quiet.hasPrefix(" q quit  ? keys ") && quiet.contains("paused pgd → every cla…"), "\(quiet)")
        #expect(quiet.hasSuffix("-201544 · step 3/12"), "\(quiet)")
    }

    /// The Attack lab's curve panel names the norm of its radii: L2 for a pgd-l2 lab (`c` draws it in L2).
    @Test func theLabsCurvePanelNamesItsNorm() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        for (names, title) in [(["fgsm", "pgd"], "robust accuracy over eps (L-inf)"), (["fgm-l2", "pgd-l2"], "(L2)")] {
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            let job = WorkbenchFixture.job(kind: .attack, title: "lab") { snapshot in
                snapshot.figures = [("method", "pgd"), ("eps", "0.1")]
                for name in names { snapshot.curves[name] = ([0, 1], [0.9, 0.1]) }
            }
            defer { job.runner.send(.stop) }
            state.add(job)
            let frame = WorkbenchFixture.frame(state, width: 120, height: 40)
            #expect(frame.contains { $0.contains("robust accuracy over eps \(title.hasPrefix("(") ? title : "")") })
            #expect(frame.contains { $0.contains(title) }, "\(frame.joined(separator: "\n"))")
        }
    }

    /// Bug: below about 100 columns the tab bar kept "Manifold workbench" on the right and cut the last tabs
    /// (at 60 columns "4 Atta…", and no 5, 6 or 7 to see or click). The name gives way first, then the other
    /// screens' titles (their numbers stay): every tab is in view at every size.
    @Test func everyTabStaysInViewAtSmallSizes() throws {
        let root = try WorkbenchGoldenTests.threeRuns()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("4")))
        let expected = [
            60: " 1 │ 2 │ 3 │ 4 Attack lab │ 5 │ 6 │ 7 ",
            70: " 1 │ 2 │ 3 │ 4 Attack lab │ 5 │ 6 │ 7 ",
            80: " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness ",
            120: " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness"
                + "                      Manifold workbench",
        ]
        for (width, header) in expected.sorted(by: { $0.key < $1.key }) {
            let frame = WorkbenchFixture.frame(state, width: width, height: 24)
            #expect(frame[0] + " " == header || frame[0] == header, "\(width): \(frame[0])")
        }
        // A click on a short tab still switches to its screen.
        _ = WorkbenchFixture.frame(state, width: 60, height: 18)
        let column = Array(" 1 │ 2 │ 3 │ 4 Attack lab │ 5 │ 6 │ 7 ").firstIndex(of: "6") ?? 0
        _ = state.handle(.mouse(MouseEvent(kind: .press(.left), x: column, y: 0)))
        #expect(state.screen is RunsScreen)
    }

    /// Writes two MLP runs with default names of the same day, differing only in their last digits, into
    /// `root`, and returns the names.
    @discardableResult
    static func writeTwoRunsOfOneDay(in root: String) throws -> [String] {
        let names = ["mlp-synthetic-20261205-011915", "mlp-synthetic-20261205-011957"]
        for name in names {
            try WorkbenchFixture.writeRun(
                name, in: root,
                config: WorkbenchFixture.config(model: "mlp", created: "2026-12-05T01:19:15Z", accuracy: 0.9958))
        }
        return names
    }

    /// Bug: at 60 columns the Runs list gave the names 4 columns ("m…ut" beside model, data, epochs and
    /// accuracy), at 70 eight. In a narrow list the epochs, then the data, now give way, so the names keep 12
    /// columns (a long one cut in the middle) and the other columns stay aligned under their headers.
    @Test func runsGoldenAt60x18() throws {
        let root = try WorkbenchGoldenTests.threeRuns()
        defer { cleanup(root) }
        try Self.writeTwoRunsOfOneDay(in: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        var frame = WorkbenchFixture.frame(state, width: 60, height: 18)
        frame.remove(at: 1)
        expectLines(frame, WorkbenchGoldenTests.runsAt60)
        // Wider, the data and the epochs come back (70 columns, the names keeping 14), and at 80 the names
        // have 20.
        let seventy = WorkbenchFixture.frame(state, width: 70, height: 20)
        #expect(seventy[2].hasPrefix("│run            model data      ep    acc│"), "\(seventy[2])")
        #expect(seventy[5].hasPrefix("│mlp-s…5-011915 mlp   synthetic  1 0.9958│"), "\(seventy[5])")
        let eighty = WorkbenchFixture.frame(state, width: 80, height: 24)
        #expect(eighty[2].hasPrefix("│run                  model data      ep    acc│"), "\(eighty[2])")
        #expect(eighty[5].hasPrefix("│mlp-syn…61205-011915 mlp   synthetic  1 0.9958│"), "\(eighty[5])")
    }

    /// Bug: at 100x30 the Runs list cut the default names (`mlp-synthetic-20261205-011915`, 29 characters)
    /// by two characters while its data and acc columns each kept a blank one; at 80x24 Home's recent runs
    /// cut them at the end, so two runs of the same day read the same (`mlp-synthetic-20261205…`). The
    /// columns beside the names are as wide as their entries, and Home cuts names in the middle as Runs does.
    @Test func defaultRunNamesShowWholeAt100AndApartOnHomeAt80() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let names = try Self.writeTwoRunsOfOneDay(in: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        let runs = WorkbenchFixture.frame(state, width: 100, height: 30)
        for name in names { #expect(runs.contains { $0.hasPrefix("│\(name) ") }, "\(runs.joined(separator: "\n"))") }
        _ = state.handle(.key(.character("1")))
        let home = WorkbenchFixture.frame(state, width: 80, height: 24)
        let rows = home.filter { $0.contains("mlp-") }.map { $0.split(separator: "│").last.map(String.init) ?? "" }
        #expect(rows.count == 2 && rows[0] != rows[1], "\(rows)")
        #expect(rows.allSatisfy { $0.contains("…") && $0.contains("-0119") }, "\(rows)")
    }

    /// Without the title line, which names the fixture's temporary folder.
    static let runsAt60: [String] = [
        " 1 │ 2 │ 3 │ 4 │ 5 │ 6 Runs │ 7",
        "│run                   model    acc││created:              │",
        "│alpha                 vae        -││\"2025-03-01T09:30:00Z\"│",
        "│mid                   cnn        -││data: \"synthetic\"     │",
        "│mlp-synt…61205-011915 mlp   0.9958││dataset: \"synthetic\"  │",
        "│mlp-synt…61205-011957 mlp   0.9958││epochs: 1             │",
        "│zeta                  mlp   0.9100││epochs_done: 1        │",
        "│                                  ││model: \"vae\"          │",
        "│                                  ││                      │",
        "│                                  ││↑ ↓ select · Enter    │",
        "│                                  ││attack (classifier) or│",
        "│                                  ││sample (generative) · │",
        "│                                  ││t train 5 more epochs │",
        "│                                  ││· e evaluate now · v  │",
        "│                                  ││watch · r reload · d  │",
        "╰──────────────────────────────────╯╰──────────────────────╯",
        " q quit  ? keys",
    ]

    static let robustness: [String] = [
        " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness            Manifold workbench",
        "╭ robust accuracy over eps (L-inf) ──────╮╭ accuracy per epoch · ca… ╮╭ evaluation ──────────────────────────╮",
        "│1.0┤                        ━pgd        ││1.0┤            ━clean (… ││                                      │",
        "│   │                        ━square     ││   │            ━FGSM (t… ││images                             200│",
        "│0.8┤⠒⠤⣤⣀⡀                   ━worst case ││0.8┤            ━PGD (tr… ││collapse                       epoch 3│",
        "│   │   ⠉⠛⠿⣵⢖⡢⠤⣀⣀                        ││   │⠤⠤⠤⠒⠒⠒⠒⠒⠊⠉⠉ ━collapse ││                                      │",
        "│0.6┤       ⠉⠚⠭⢖⡤⢍⡑⠒⠢⠤⢄⣀                 ││0.6┤               ⢀⠔⠁   ⢸││                                      │",
        "│   │           ⠈⠑⠪⢍⡒⠢⢄⣀⣉⠒⠢⢄⣀            ││   │             ⡠⠊⠁     ⢸││                                      │",
        "│   │               ⠈⠑⠢⠤⣀⣉⠉⠉⠑⠛⠒⠲⢤⣤⠤⢄⣀⣀⣀  ││   │   ⣀⣀⣀⣀⣀⡠⠤⠤⠔⠉        ⢸││                                      │",
        "│0.4┤                     ⠉⠉⠒⠒⠤⠤⣀⣀⠉⠒⠢⢄⣀⠉⠉││0.4┤⣉⣉⠭⠤⠤⠔⠒⠒⠒⠊⠉⠑⠤⡀       ⢸││                                      │",
        "│   │                             ⠉⠉⠒⠒⠤⠭⣒││   │             ⠈⠢⢄     ⢸││                                      │",
        "│0.2┤                                    ││0.2┤                ⠑⢄⡀  ⢸││                                      │",
        "│   │                                    ││   │                  ⠈⠢⣀⢸││                                      │",
        "│  0┤                                    ││  0┤                     ⢹││                                      │",
        "│   └┴─────────────────┴────────────────┴││   └┴──────────┴─────────┴││                                      │",
        "│    0                0.1             0.2││    1          2         3││                                      │",
        "╰────────────────────────────────────────╯╰──────────────────────────╯╰──────────────────────────────────────╯",
        "╭ sanity checks · 1 fired: the figures may overstate robustness ─────────────────────────────────────────────╮",
        "│FLAG black_box_beats_white_box: robust accuracy: white-box pgd 0.600, black-box square 0.450                │",
        "│     → the gradients mislead the white-box attacks (gradient masking) or they are too weak: trust the lower…│",
        "│ok   randomised_outputs: largest output change 0                                                            │",
        "╰────────────────────────────────────────────────────────────────────────────────────────────────────────────╯",
        "╭ progress ──────────────────────────────────────────────────────────╮╭ throughput ──────────────────────────╮",
        "│                            25% · paused                            ││paused                                │",
        "╰────────────────────────────────────────────────────────────────────╯╰──────────────────────────────────────╯",
        " q quit  ? keys                                                       paused robustness · fixture · step 3/12",
    ]

    static let home: [String] = [
        " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness",
        "╭ start a job ──────────────────────────────╮╭ recent runs ──────────────────────────────╮",
        "│  Train MLP classifier                     ││recent run                     model    acc│",
        "│  784-256-256-10 ReLU, Adam 1e-3; the mode…││mid                            cnn        -│",
        "│› Train CNN classifier                     ││alpha                          vae        -│",
        "│  two 3x3 conv layers, max-pool, two dense…││zeta                           mlp   0.9100│",
        "│  Train autoencoder (k=30)                 ││                                           │",
        "│  784-512-128-30 and back, MSE: a nonlinea…││                                           │",
        "│  Train VAE (k=20)                         ││                                           │",
        "│  Kingma & Welling: reconstruction + KL, t…││                                           │",
        "│  Train adversarial AE                     ││                                           │",
        "│  Makhzani et al.: a discriminator matches…││                                           │",
        "│                                           ││                                           │",
        "│  ↑ ↓ choose · ← → dataset · Enter start ·…││                                           │",
        "╰───────────────────────────────────────────╯│                                           │",
        "╭ data ─────────────────────────────────────╮╰───────────────────────────────────────────╯",
        "│ dataset: ‹ synthetic ›  (synthetic)       │╭ jobs ─────────────────────────────────────╮",
        "│                                           ││none                                       │",
        "╰───────────────────────────────────────────╯╰───────────────────────────────────────────╯",
        " q quit  ? keys",
    ]
    static let runs: [String] = [
        " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness",
        "╭ runs in /tmp/RUNS (3) ───────────────────╮╭ config.json ─────────────────────────╮",
        "│run          model data      ep    acc created            ││created: \"2025-03-01T09:30:00Z\"       │",
        "│alpha        vae   synthetic  1      - 2025-03-01T09:30:00││data: \"synthetic\"                     │",
        "│mid          cnn   ?          2      -                    ││dataset: \"synthetic\"                  │",
        "│zeta         mlp   synthetic  1 0.9100 2024-01-05T10:00:00││epochs: 1                             │",
        "│                                                          ││epochs_done: 1                        │",
        "│                                                          ││model: \"vae\"                          │",
        "│                                                          ││                                      │",
        "│                                                          ││↑ ↓ select · Enter attack (classifier)│",
        "│                                                          ││or sample (generative) · t train 5    │",
        "│                                                          ││more epochs · e evaluate now · v watch│",
        "│                                                          ││· r reload · d delete · R robustness  │",
        "│                                                          ││                                      │",
        "│                                                          ││                                      │",
        "│                                                          ││                                      │",
        "│                                                          ││                                      │",
        "│                                                          ││                                      │",
        "╰──────────────────────────────────────────────────────────╯╰──────────────────────────────────────╯",
        " q quit  ? keys",
    ]
    static let attackLab: [String] = [
        " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness",
        "╭ clean ─────────╮╭ adversarial ───╮╭ perturbation ────╮╭ attack ──────────────────────────────────╮",
        "│    @@@@@@@@    ││    @@@@@@@@    ││ ####========#### ││                                          │",
        "│    @@@@@@@@    ││    @@@@@@@@    ││ ####========#### ││method                                 pgd│",
        "│@@@@        @@@@││@@@@        @@@@││ ====########==== ││eps                                    0.1│",
        "│@@@@        @@@@││@@@@        @@@@││ ====########==== ││success                                1/1│",
        "│    @@@@@@@@    ││    @@@@@@@@    ││ ####========#### ││                                          │",
        "│    @@@@@@@@    ││    @@@@@@@@    ││ ####========#### ││                                          │",
        "│@@@@        @@@@││@@@@        @@@@││ ====########==== ││                                          │",
        "│@@@@        @@@@││@@@@        @@@@││ ====########==== ││                                          │",
        "│       3        ││     3 ≠ 8      ││                  ││                                          │",
        "╰────────────────╯╰────────────────╯╰──────────────────╯╰──────────────────────────────────────────╯",
        "╭ probabilities · clean ────────╮╭ probabilities · adversarial ──╮╭ success rate per iteration (c… ╮",
        "│3 █████████████████████▋   0.90││3 ████▊                    0.20││1.0┤               ━success ra… │",
        "│8 ██▍                      0.10││8 ███████████████████▎     0.80││0.5┤             ⢀⣀⠤⠤⠒⠒⠉⠉       │",
        "│                               ││                               ││   │      ⢀⣀⠤⠤⠒⠊⠉⠁              │",
        "│                               ││                               ││  0┤⣀⠤⠤⠒⠊⠉⠁                     │",
        "│                               ││                               ││   └┴─────────────┴────────────┴│",
        "│                               ││                               ││    0             1            2│",
        "╰───────────────────────────────╯╰───────────────────────────────╯╰────────────────────────────────╯",
        "╭ progress ────────────────────────────────────────────────╮╭ throughput ──────────────────────────╮",
        "│              ▌        25% · paused                       ││paused                                │",
        "╰──────────────────────────────────────────────────────────╯╰──────────────────────────────────────╯",
        " q quit  ? keys                                                    paused pgd · fixture · step 3/12",
    ]
}
