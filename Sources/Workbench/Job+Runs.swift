import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// The Runs screen's evaluate-now job (`e`).
extension Job {
    /// Recomputes a run's test metrics from its checkpoint now (the Runs screen shows them next to the
    /// saved ones).
    static func evaluate(run: RunDirectory) -> Job {
        let runner = Runner(experiment: RunEvaluation(run: run), label: "evaluate")
        runner.start(running: true)
        return Job(kind: .evaluation, title: "evaluate \(run.name)", runner: runner, classNames: [], run: run)
    }
}
