import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's class sweep (`g`): the partner run it picks, and the view of its strips.
@Suite struct ClassSweepViewTests {
    /// The partner is the newest classifier run on the same data trained the other way (a robust run for
    /// a standard one and the reverse), of the same model when there is one; generative runs, other data
    /// and the run itself are skipped.
    @Test func thePartnerIsTheNewestRunTrainedTheOtherWay() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        func write(_ name: String, model: String, created: String, data: String = "synthetic", robust: Bool) throws {
            let adversarial = robust ? #", "adversarial": {"method": "pgd", "eps": 0.1}"# : ""
            try WorkbenchFixture.writeRun(
                name, in: root,
                config: #"{"model": "\#(model)", "data": "\#(data)", "created": "\#(created)"\#(adversarial)}"#)
        }
        try write("std-old", model: "mlp", created: "2026-01-01T00:00:00Z", robust: false)
        try write("std-new", model: "cnn", created: "2026-03-01T00:00:00Z", robust: false)
        try write("rob-old", model: "mlp", created: "2026-01-02T00:00:00Z", robust: true)
        try write("rob-new", model: "cnn", created: "2026-02-01T00:00:00Z", robust: true)
        try write("rob-fashion", model: "cnn", created: "2026-04-01T00:00:00Z", data: "fashion", robust: true)
        try write("vae", model: "vae", created: "2026-05-01T00:00:00Z", robust: true)
        #expect(Job.sweepPartner(of: RunDirectory(root: root, name: "std-old"), root: root)?.name == "rob-old")
        #expect(Job.sweepPartner(of: RunDirectory(root: root, name: "std-new"), root: root)?.name == "rob-new")
        #expect(Job.sweepPartner(of: RunDirectory(root: root, name: "rob-old"), root: root)?.name == "std-old")
        // Without a run of the same model, the newest of another.
        try write("rob-mlp-only", model: "mlp", created: "2026-06-01T00:00:00Z", data: "kmnist", robust: true)
        try write("std-cnn-only", model: "cnn", created: "2026-06-02T00:00:00Z", data: "kmnist", robust: false)
        #expect(
            Job.sweepPartner(of: RunDirectory(root: root, name: "rob-mlp-only"), root: root)?.name == "std-cnn-only")
        #expect(Job.sweepPartner(of: RunDirectory(root: root, name: "rob-fashion"), root: root) == nil)
    }

    /// A sweep snapshot renders as a strip per classifier titled with its run, captions under the images,
    /// and the figures below.
    @Test func theViewShowsAStripPerClassifier() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "sweep") { snapshot in
            let image = Snapshot.Image(width: 4, height: 4, values: [Float](repeating: 0.5, count: 16))
            for index in 0..<2 {
                var strip = image
                strip.caption = "clean"
                snapshot.images["sweep \(index)"] =
                    [strip]
                    + (0..<10).map { target in
                        var item = image
                        item.caption = index == 0 ? "→\(target) 0.99" : "→\(target) ≠ 3"
                        return item
                    }
            }
            snapshot.figures = [
                ("image", "true class 7"), ("attack", "targeted PGD"), ("eps", "L-inf 0.5"),
                ("standard", "10/10 targets, mean p 0.99"), ("robust", "0/10 targets, mean p 0.10"),
            ]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is AttackScreen)
        let frame = WorkbenchFixture.frame(state, width: 160, height: 40)
        let text = frame.joined(separator: "\n")
        #expect(frame.contains { $0.contains("standard · clean, then targeted PGD towards each class") }, "\(text)")
        #expect(frame.contains { $0.contains("robust · clean, then targeted PGD towards each class") }, "\(text)")
        // All eleven captions fit across, in order.
        let captions = try #require(frame.first { $0.contains("→9 0.99") }, "\(text)")
        #expect(captions.contains("clean") && captions.contains("→0 0.99"), "\(captions)")
        #expect(frame.contains { $0.contains("→9 ≠ 3") }, "\(text)")
        #expect(frame.contains { $0.contains("10/10 targets, mean p 0.99") }, "\(text)")
        // No Attack lab panels in this view.
        #expect(!frame.contains { $0.contains("probabilities · clean") }, "\(text)")
    }

    /// Bug: `g` on a classifier without a run trained the other way showed one strip and said nothing of
    /// the second. The status line now says which run is missing and the command that trains one.
    @Test func gWithoutAPartnerSaysWhatIsMissing() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "std", in: root, config: #"{"model": "cnn", "data": "fashion", "created": "2026-01-01T00:00:00Z"}"#)
        try WorkbenchFixture.writeRun(
            "rob", in: root,
            config: #"{"model": "mlp", "data": "synthetic", "adversarial": {"method": "pgd", "eps": 0.1}}"#)
        func pressG(on name: String) -> WorkbenchState {
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            let fixture = WorkbenchFixture.job(kind: .attack, title: "pgd · \(name)") { snapshot in
                snapshot.figures = [("image", "2 (true: 1)")]
            }
            fixture.runner.send(.stop)
            let job = Job(
                kind: .attack, title: "pgd · \(name)", runner: fixture.runner, classNames: [],
                run: RunDirectory(root: root, name: name))
            job.method = "pgd"
            state.add(job)
            _ = state.handle(.key(.character("g")))
            #expect(state.jobs.count == 2, "\(state.message)")
            state.jobs.last?.runner.send(.stop)
            return state
        }
        let standard = pressG(on: "std")
        #expect(
            standard.message
                == "one strip: no robust run on fashion (manifold train cnn --data fashion --adversarial pgd)",
            "\(standard.message)")
        let status = WorkbenchFixture.frame(standard, width: 120, height: 30).last ?? ""
        #expect(status.contains("--adversarial pgd)"), "\(status)")
        let robust = pressG(on: "rob")
        #expect(
            robust.message == "one strip: no standard run on synthetic (manifold train mlp)", "\(robust.message)")
    }

    /// Bug: when starting the sweep dropped an older stopped job, the hint was not given at all (the job count
    /// had not grown, which read as a failed start) and the status line said only "started ... · dropped ...".
    /// Now the hint comes first and the dropped job is still named.
    @Test func gThatDropsAnOlderJobKeepsItsHint() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "std", in: root, config: #"{"model": "mlp", "data": "synthetic", "created": "2026-01-01T00:00:00Z"}"#)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        defer { state.jobs.forEach { $0.runner.send(.stop) } }
        let compared = (0...WorkbenchState.keptStoppedJobs).map { index in
            WorkbenchFixture.job(kind: .comparison, title: "compare \(index)") { _ in }
        }
        compared.forEach { state.add($0) }
        state.add(WorkbenchFixture.pgdLabJob(root: root, run: "std", image: "2 (true: 1)"))
        // One stopped job more than the workbench keeps, the oldest shown nowhere: the next start drops it.
        compared.forEach { $0.stoppedByUser = true }
        _ = state.handle(.key(.character("g")))
        let hint = "one strip: no robust run on synthetic (manifold train mlp --adversarial pgd)"
        // (The sweep's set-up fails here, there being no weights to load: where it fails before the drop, it
        // counts as done, and a second stopped job goes too.)
        #expect(
            state.message.hasPrefix(
                hint + " · dropped the stopped compare 0 (the workbench keeps \(WorkbenchState.keptStoppedJobs))"),
            "\(state.message)")
        #expect(!state.jobs.contains { $0.title == "compare 0" })
        let status = WorkbenchFixture.frame(state, width: 120, height: 30).last ?? ""
        #expect(status.contains(hint), "\(status)")
    }
}
