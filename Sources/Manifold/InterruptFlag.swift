import Foundation
import Synchronization

/// Ctrl-C during a headless training: the first SIGINT only raises a flag, so the training loop can
/// stop between steps and say which epoch is saved and how to resume; a second one ends the process at
/// once (the handler puts the default action back).
enum InterruptFlag {
    private static let raised = Atomic<Bool>(false)

    /// Installs the handler (once per process).
    static func install() {
        signal(SIGINT) { _ in
            InterruptFlag.raised.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)
        }
    }

    static var isRaised: Bool { raised.load(ordering: .relaxed) }
}
