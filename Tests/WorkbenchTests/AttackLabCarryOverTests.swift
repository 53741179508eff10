import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// `n` (next method) and `w` (AutoAttack) start a new attack with what the user set in the lab: the eps
/// (README: AutoAttack runs "at the lab's eps"), the perceptual bound from LPA to PPGD, and the image.
@Suite struct AttackLabCarryOverTests {
    /// A runs folder with a classifier run `clf` that has weights.
    static func runsRoot() throws -> String {
        let root = WorkbenchFixture.runsRoot()
        try WorkbenchFixture.writeRun(
            "clf", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2025-01-01T00:00:00Z"))
        var generator = RandomGenerator(seed: 1)
        let model = Classifier(kind: .mlp, generator: &generator)
        try Data(try SafeTensorsFormat.encode(Checkpoint.file(of: model)))
            .write(to: URL(fileURLWithPath: "\(root)/clf/model.safetensors"))
        return root
    }

    /// Presses `key` on the Attack lab showing `job` and returns the figure `name` of the attack it started.
    static func figure(_ name: String, after key: String, on job: Job, root: String) throws -> String? {
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(job)
        _ = state.handle(.key(.character(Character(key))))
        let started = try #require(state.jobs.count == 2 ? state.jobs.last : nil, "\(key): \(state.message)")
        defer { started.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if case .failed(let reason) = started.runner.snapshot.status { Issue.record("\(reason)") }
            if let value = started.runner.snapshot.figures.first(where: { $0.name == name })?.value { return value }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    /// A job on `clf` whose runner shows `figures`.
    static func fixture(method: String, figures: [(name: String, value: String)], root: String) -> Job {
        let fixture = WorkbenchFixture.job(kind: .attack, title: "\(method) · clf") { $0.figures = figures }
        let job = Job(
            kind: .attack, title: "\(method) · clf", runner: fixture.runner, classNames: [],
            run: RunDirectory(root: root, name: "clf"))
        job.method = method
        return job
    }

    /// Bug: after `+` had taken eps to 0.2, `w` ran AutoAttack at 0.1 and `n` the next method at 0.1.
    @Test func nAndWKeepTheLabsEps() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        // bim: the method after it (ll) has an L-inf eps too (after pgd comes pgd-l2, whose L2 radius is
        // scaled: AttackLabL2RadiusTests).
        for key in ["n", "w"] {
            let job = Self.fixture(
                method: "bim", figures: [("method", "bim"), ("eps", "0.2"), ("image", "5 (true: 3)")], root: root)
            defer { job.runner.send(.stop) }
            let eps = try Self.figure("eps", after: key, on: job, root: root)
            #expect(eps == "0.2", "\(key): eps \(eps ?? "not shown")")
        }
    }

    /// A method without an eps-ball (one-pixel shows "eps none") passes on the eps it was started with.
    @Test func nAfterAMethodWithoutEpsKeepsTheEpsBeforeIt() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        let job = try Job.attack(
            run: RunDirectory(root: root, name: "clf"), method: "onepixel", epsilon: 0.2, running: false)
        defer { job.runner.send(.stop) }
        let shown = { job.runner.snapshot.figures.first { $0.name == "eps" }?.value }
        let deadline = Date().addingTimeInterval(60)
        while shown() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(shown() == "none")
        let eps = try Self.figure("eps", after: "n", on: job, root: root)
        #expect(eps == "0.2", "eps \(eps ?? "not shown")")
    }

    /// `n` from LPA to PPGD keeps the perceptual bound `+` `-` set.
    @Test func nFromLPAToPPGDKeepsThePerceptualBound() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        let job = Self.fixture(
            method: "lpa", figures: [("method", "lpa"), ("eps", "none"), ("perceptual bound", "0.3")], root: root)
        defer { job.runner.send(.stop) }
        let bound = try Self.figure("perceptual bound", after: "n", on: job, root: root)
        #expect(bound == "0.3", "bound \(bound ?? "not shown")")
    }

    /// Bug: every `n` started the next method while the previous attacks ran on; pressed until the method
    /// is autoattack (as the README suggests), or held down (50 presses: 50 attacks loading at once, 52
    /// threads, 3.4 GB, the shown one still loading half a minute later). The job `n` leaves is paused.
    @Test func nPausesTheAttackItLeaves() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        let job = Self.fixture(method: "fgsm", figures: [("eps", "0.1")], root: root)
        job.runner.send(.run)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(job)
        var deadline = Date().addingTimeInterval(10)
        while job.runner.snapshot.status != .running && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(job.runner.snapshot.status == .running)
        _ = state.handle(.key(.character("n")))
        let started = try #require(state.jobs.count == 2 ? state.jobs.last : nil, "\(state.message)")
        defer { started.runner.send(.stop) }
        deadline = Date().addingTimeInterval(10)
        while job.runner.snapshot.status != .paused && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(job.runner.snapshot.status == .paused)
        job.runner.send(.stop)
    }

    /// Bug: each attack `n` left stayed paused with its model, data and images (about 70 MB each on the
    /// synthetic digits): pressed on through the methods, 40 presses held 1.9 GB and it grew without bound.
    /// The lab keeps the newest four of them and drops the oldest, saying so.
    @Test func nKeepsOnlyTheNewestAttacksItLeft() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        let first = Self.fixture(method: "fgsm", figures: [("eps", "0.1")], root: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(first)
        defer { for job in state.jobs + [first] { job.runner.send(.stop) } }
        let kept = 4  // AttackScreen.keptLeftAttacks, as the README says
        for press in 1...(kept + 2) {
            _ = state.handle(.key(.character("n")))
            // The attack shown last is the one `n` just started, on the Attack lab.
            #expect(state.active === state.jobs.last, "press \(press)")
            #expect(state.jobs.count == min(press, kept) + 1, "press \(press): \(state.jobs.map(\.title))")
            // Wait until the attacks left are paused, as a user pressing n now and then finds them.
            let deadline = Date().addingTimeInterval(30)
            while state.jobs.dropLast().contains(where: { $0.runner.snapshot.status == .running }), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        #expect(!state.jobs.contains { $0 === first })
        // The memory the dropped attacks freed goes back to the system a second after the drop.
        #expect(state.freedMemory.droppedAt != nil)
        let returned = state.freedMemory.returnIfDue(at: Date().addingTimeInterval(FreedMemory.delay))
        #expect(returned)
        #expect(state.freedMemory.droppedAt == nil)
        // fgsm (the first) went at the fifth press, bim (the next) at the sixth.
        #expect(
            state.message.hasSuffix(" · dropped the paused bim · clf (the lab keeps \(kept) paused attacks)"),
            "\(state.message)")
        // `[` still walks back through the attacks kept.
        _ = state.handle(.key(.character("[")))
        #expect(state.active === state.jobs[state.jobs.count - 2])
    }

    /// Bug: memory the dropped attacks freed stayed with the process (glibc keeps it in its arenas): with
    /// `n` pressed 30 times the workbench held about 1.05 GB where its live jobs needed about 420 MB. A drop
    /// now has the free memory returned (`malloc_trim`) once it is a second old, once per drop.
    @Test func aDropReturnsTheFreedMemoryASecondLater() {
        var memory = FreedMemory()
        let now = Date()
        let times = [100, 0.5, 1, 2].map { now.addingTimeInterval($0) }
        var returned = [memory.returnIfDue(at: times[0])]
        memory.jobDropped(at: now)
        #expect(!memory.isDue(at: times[1]))
        for time in times[1...] { returned.append(memory.returnIfDue(at: time)) }
        // Nothing dropped yet; dropped half a second ago; a second ago; already returned.
        #expect(returned == [false, false, true, false])
    }
}
