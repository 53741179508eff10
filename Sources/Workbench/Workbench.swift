import Base
import Engine
import Foundation
import TerminalUI

/// The full-screen workbench: opens on the Train screen with the MLP already training on the embedded
/// synthetic digits, redraws at once after input and otherwise only when a snapshot changed (at most
/// `engineFrameRate` frames a second, see `FramePacer`), and
/// never waits on the engine: screens read the newest snapshot of each job's runner.
public enum Workbench {
    /// Frames a second drawn while only the engine changes the screen (input is drawn at once).
    static let engineFrameRate = 20.0

    /// How the workbench opens: theme, data, paused or not, or following another process's run.
    public struct Options {
        public var themeName: String?
        public var dataSpec = "synthetic"
        public var startPaused = false
        /// Follow this run instead of starting a training job (`manifold watch RUN`).
        public var watchRun: RunDirectory?

        public init() {}
    }

    public static func run(_ options: Options) throws {
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" {
            throw WorkbenchError(
                "TERM=dumb cannot show the full-screen workbench; use the headless commands (manifold train mlp, manifold --help)"
            )
        }
        let loaded = ThemeLoader.load(request: options.themeName)
        // Printed too, to be read after the workbench closes (the full screen hides it at once).
        if let warning = loaded.warning { printError(warning) }
        // A signal that ends the workbench (`kill`, a closed tmux pane) removes what the headless commands
        // remove: its trainings' lock files, the temporary files of a save under way, empty new run folders.
        Terminal.runBeforeSignalEnd {
            TemporaryFiles.shared.removeAll()
            TemporaryFolders.shared.removeAll()
        }
        let terminal: Terminal
        do {
            // Mouse reporting only here, in the full-screen workbench; Terminal.close turns it off again.
            terminal = try Terminal(options: Terminal.Options(mouse: true))
        } catch {
            throw WorkbenchError(error.description)
        }
        defer { terminal.close() }
        var state = WorkbenchState(
            theme: loaded.theme.degraded(to: terminal.colorDepth), colorDepth: terminal.colorDepth,
            kittyGraphics: terminal.supportsKittyGraphics, dataSpec: options.dataSpec)
        state.open(options, warning: loaded.warning)
        var pacer = FramePacer()
        while !state.quit && !terminal.inputClosed {
            if pacer.shouldDraw(signature: state.snapshotSignature()) {
                state.prepareFrame()
                terminal.draw { buffer in state.render(into: &buffer) }
                pacer.drew()
            }
            state.freedMemory.returnIfDue()
            state.terminalTooSmall =
                terminal.width < WorkbenchState.minimumWidth || terminal.height < WorkbenchState.minimumHeight
            for event in terminal.readEvents(timeout: pacer.wait) {
                if case .suspend = state.handle(event), !terminal.suspend() {
                    state.message =
                        "Ctrl-Z: no shell here can resume a suspended workbench (started without job control); q quits"
                }
                pacer.inputArrived()
            }
        }
        endJobs(state.jobs)
    }

    /// Ends the jobs as the workbench quits (`q`, Ctrl-C), without waiting for them: stops each, gives up each
    /// training's run lock, and removes the temporary files of a checkpoint that a training is writing now,
    /// with no rename after (`TemporaryFiles.removeAll`, as a signal's end does). Before, the process ended
    /// in the middle of such a save and left its `.model.safetensors.tmp-N`, `.optimizer.safetensors.tmp-N` and
    /// `.metrics.csv.tmp-N` in the run's folder, whole or half-written.
    static func endJobs(_ jobs: [Job], temporaries: TemporaryFiles = .shared) {
        for job in jobs {
            job.runner.send(.stop)
            job.releaseOnQuit?()
        }
        temporaries.removeAll()
    }
}
