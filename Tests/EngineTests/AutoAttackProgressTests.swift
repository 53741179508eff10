import Attacks
import Engine
import Testing

/// The Attack lab's AutoAttack view data: the robust accuracy after each component, the component running
/// now, and which component broke each image.
struct AutoAttackProgressTests {
    static let names = ["apgd-ce", "apgd-t", "fab-t", "square"]

    @Test func rowsFollowTheLabelsAndTheRunningComponent() {
        let brokenBy = ["clean", "apgd-ce", "", "apgd-t", "", "apgd-ce", "", ""]
        let running = AutoAttackProgress(names: Self.names, brokenBy: brokenBy, running: (2, 30, 900))
        #expect(running.cleanAccuracy == 0.875 && running.misclassified == 1 && !running.isFinished)
        let runningAccuracies: [Double?] = [0.625, 0.5, nil, nil]
        #expect(running.rows.map(\.robustAccuracy) == runningAccuracies)
        #expect(running.rows.map(\.broken) == [2, 1, 0, 0])
        #expect(running.rows.map(\.state) == [.done, .done, .running(done: 30, total: 900), .pending])
        #expect(running.fate(image: 0) == .misclassified)
        #expect(running.fate(image: 3) == .broken(by: "apgd-t", position: 2, of: 4))
        #expect(running.fate(image: 3)?.sentence == "broken by apgd-t (2 of 4)")
        #expect(running.fate(image: 3)?.figure == "apgd-t (2 of 4)")
        #expect(running.fate(image: 2) == .unbrokenSoFar && running.fate(image: 8) == nil)
        let finished = AutoAttackProgress(names: Self.names, brokenBy: brokenBy, running: nil)
        #expect(finished.isFinished && finished.fate(image: 2) == .robust)
        let finishedAccuracies: [Double?] = [0.625, 0.5, 0.5, 0.5]
        #expect(finished.rows.map(\.robustAccuracy) == finishedAccuracies)
    }

    /// Stepped in the lab, AutoAttack shows its components one after another, each row filled once its
    /// component finished, and ends at the run's own robust accuracy per component and per image.
    @Test func theLabsAutoAttackReportsEachComponentAsItRuns() throws {
        let experiment = try AttackExperimentTests.experiment("autoattack", eps: 0.05, steps: 2)
        var running: [Int] = []
        while !experiment.isFinished {
            _ = try experiment.step()
            let progress = try #require(experiment.autoAttackProgress)
            guard let index = progress.rows.firstIndex(where: { $0.state != .done }) else { continue }
            if case .running(let done, let total) = progress.rows[index].state {
                #expect(done <= total)
                if running.last != index { running.append(index) }
            }
            // Rows before the running one are done with a figure, rows after it wait without one.
            #expect(progress.rows[..<index].allSatisfy { $0.robustAccuracy != nil })
            #expect(progress.rows[(index + 1)...].allSatisfy { $0.state == .pending && $0.robustAccuracy == nil })
        }
        #expect(running.first == 0 && running == running.sorted() && running.count >= 2, "\(running)")
        let progress = try #require(experiment.autoAttackProgress)
        let result = experiment.run.result()
        let brokenBy = try #require(result.perImageLabels["broken_by"])
        #expect(progress.isFinished && progress.brokenBy == brokenBy)
        #expect(
            progress.rows.map(\.robustAccuracy)
                == AutoAttack.componentAccuracies(brokenBy: brokenBy, components: Self.names).map(\.robustAccuracy))
        #expect(progress.rows.last?.robustAccuracy == result.adversarialAccuracy)
        for image in 0..<experiment.labels.count {
            experiment.selectedImage = image
            var snapshot = Snapshot()
            experiment.describe(into: &snapshot, includeHeavy: false)
            #expect(snapshot.autoAttack == progress)
            let figure = snapshot.figures.first { $0.name == "broken by" }?.value
            #expect(figure != nil && figure == progress.fate(image: image)?.figure)
            // The lab's adversarial image is the breaking component's: misclassified exactly when broken.
            let fooled = snapshot.figures.first { $0.name == "success" }?.value == "yes"
            #expect(fooled == (brokenBy[image] != ""), "image \(image): \(brokenBy[image])")
        }
        var pgd = Snapshot()
        let other = try AttackExperimentTests.experiment("pgd")
        other.describe(into: &pgd, includeHeavy: false)
        #expect(other.autoAttackProgress == nil && pgd.autoAttack == nil)
        #expect(!pgd.figures.contains { $0.name == "broken by" })
    }
}
