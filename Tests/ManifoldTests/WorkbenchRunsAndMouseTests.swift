import Foundation
import Testing

/// The workbench's Runs actions on a saved generative run (continue training, evaluate now), a job
/// started from Home, and the mouse (tabs, menu items, run rows, the wheel), driven through tmux.
@Suite(.serialized, .enabled(if: TmuxSession.available, "tmux is not installed (apt-get install tmux)"))
struct WorkbenchRunsAndMouseTests {
    @Test func runsScreenResumesAndEvaluatesAGenerativeRun() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            [
                "train", "vae", "--run", "gen", "--epochs", "1", "--train-limit", "300", "--test-limit", "100",
                "--quiet",
            ],
            runsRoot: "\(root)/runs")
        #expect(trained.status == 0, "\(trained.stderr)")
        let session = try TmuxSession.pausedWorkbench(runs: "\(root)/runs", height: 36)
        defer { session.close() }
        session.send("6")
        #expect(session.waitFor("gen "), "\(session.screen())")
        session.send("e")
        // The evaluation recomputes the saved test metrics from the checkpoint with the training's seed.
        #expect(session.waitFor("evaluation now · finished"), "\(session.screen())")
        #expect(session.screen().contains("test neg_elbo"), "\(session.screen())")
        #expect(session.screen().contains("(saved"), "\(session.screen())")
        session.send("t")
        #expect(session.waitFor("vae · gen (resumed)"), "\(session.screen())")
        #expect(session.waitFor("finished", timeout: 30), "\(session.screen())")
        session.send("q")
        let config = try String(contentsOfFile: "\(root)/runs/gen/config.json", encoding: .utf8)
        #expect(config.contains("\"epochs_done\": 6"), "\(config)")
        let metrics = try String(contentsOfFile: "\(root)/runs/gen/metrics.csv", encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 7, "\(metrics)")
    }

    /// Home's "Train DDPM (U-Net)" starts a ddpm job with the U-Net's learning rate (the MLP's is
    /// 0.0002), and quitting stops it.
    @Test func homeStartsTheDDPMUNet() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession.pausedWorkbench(runs: "\(root)/runs")
        defer { session.close() }
        session.send("1")
        #expect(session.waitFor("Train DDPM (U-Net)"), "\(session.screen())")
        for _ in 0..<8 { session.send("Down") }
        #expect(session.waitFor("› Train DDPM (U-Net)"), "\(session.screen())")
        session.send("Enter")
        #expect(session.waitFor("running ddpm · synthetic", timeout: 30), "\(session.screen())")
        #expect(session.waitFor("steps/s · lr 0.001"), "\(session.screen())")
        session.send("q")
    }

    /// Home's fast-FGSM item starts adversarial training; `R` on a classifier in Runs opens the Robustness
    /// screen, which sweeps eps to the end and shows the sanity checks.
    @Test func homeStartsAdversarialTrainingAndRunsOpensTheRobustnessView() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            [
                "train", "mlp", "--run", "victim", "--epochs", "1", "--train-limit", "300", "--test-limit", "60",
                "--quiet",
            ],
            runsRoot: "\(root)/runs")
        #expect(trained.status == 0, "\(trained.stderr)")
        let session = try TmuxSession.pausedWorkbench(runs: "\(root)/runs", height: 40)
        defer { session.close() }
        session.send("6")
        #expect(session.waitFor("victim "), "\(session.screen())")
        session.send("R")
        #expect(session.waitFor("robustness · victim"), "\(session.screen())")
        #expect(session.waitFor("finished robustness", timeout: 120), "\(session.screen())")
        let screen = session.screen()
        #expect(screen.contains("worst case") && screen.contains("sanity checks ·"), "\(screen)")
        #expect(screen.contains("vanishing_gradients"), "\(screen)")
        session.send("1")
        #expect(session.waitFor("Train MLP classifier"), "\(session.screen())")
        for _ in 0..<14 { session.send("Down") }
        #expect(session.waitFor("› Adversarial training: MLP, fast FGSM"), "\(session.screen())")
        session.send("Enter")
        #expect(session.waitFor("running mlp · synthetic · fgsm-rs eps 0.1", timeout: 30), "\(session.screen())")
        session.send("q")
    }

    @Test func mouseSwitchesTabsSelectsItemsAndIsTurnedOffOnExit() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for name in ["alpha", "beta"] {
            let trained = try ManifoldBinary.run(
                [
                    "train", "mlp", "--run", name, "--epochs", "1", "--train-limit", "300", "--test-limit", "100",
                    "--quiet",
                ],
                runsRoot: "\(root)/runs")
            #expect(trained.status == 0, "\(trained.stderr)")
        }
        let session = try TmuxSession(
            command:
                "MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused; echo exited > \(root)/done; sleep 30",
            width: 100, height: 30)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        #expect(session.format("#{mouse_any_flag}") == "1", "mouse reporting is on in the workbench")
        // Tabs: " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs"; SGR columns are 1-based.
        session.sendBytes("\u{1B}[<0;64;1M\u{1B}[<0;64;1m")
        #expect(session.waitFor("runs in"), "\(session.screen())")
        // Screen row 5 is the second run ("beta"), under the table's header; e then evaluates it.
        session.sendBytes("\u{1B}[<0;10;5M")
        session.send("e")
        #expect(session.waitFor("evaluate beta"), "\(session.screen())")
        session.sendBytes("\u{1B}[<0;4;1M")
        #expect(session.waitFor("start a job"), "\(session.screen())")
        // Wheel down twice over the menu, then Enter starts the third item: the autoencoder.
        session.sendBytes("\u{1B}[<65;10;5M\u{1B}[<65;10;5M")
        #expect(session.waitFor("› Train autoencoder"), "\(session.screen())")
        session.send("Enter")
        #expect(session.waitFor("ae · synthetic"), "\(session.screen())")
        #expect(session.waitFor("running"), "\(session.screen())")
        session.send("q")
        #expect(waitUntilFile("\(root)/done"))
        #expect(session.format("#{mouse_any_flag}") == "0", "mouse reporting is off after the workbench exits")
    }
}
