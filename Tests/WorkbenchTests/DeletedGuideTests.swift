import Engine
import Foundation
import Models
import NeuralNet
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// Classifier guidance on the Sample screen when a guiding classifier run is deleted from the runs folder
/// while the sampler runs: `k` offers only the runs there now (it cycled through the list the sampler was
/// started with, deleted runs included), and a guide that is gone when it is used says so on the status line.
@Suite struct DeletedGuideTests {
    /// A runs folder with an unconditional DDPM run's config.json (16 pixels, three classes) and the classifier
    /// runs `names`, which can all guide it.
    static func runs(_ names: [String]) throws -> String {
        let root = WorkbenchFixture.runsRoot()
        try WorkbenchFixture.writeRun(
            "ddpm", in: root,
            config: #"{"model": "ddpm", "data": "synthetic", "pixels": 16, "class_names": ["a", "b", "c"]}"#)
        for (index, name) in names.enumerated() {
            try SampleSteeringViewTests.saveClassifier(name, in: root, seed: UInt64(index + 1))
        }
        return root
    }

    /// A sampler of a tiny untrained DDPM guided by the classifier runs of `root`, as the workbench starts one.
    static func sampler(root: String) throws -> SamplingExperiment {
        var generator = RandomGenerator(seed: 3)
        let ddpm = DDPM(
            pixels: 16, hidden: 24, embedding: 8, network: .mlpTime, schedule: DiffusionSchedule(steps: 20),
            generator: &generator)
        return try SamplingExperiment(
            model: ddpm, method: .ddim, pixels: 16, n: 4, steps: 4, seed: 0, options: SamplingOptions(),
            classNames: ["a", "b", "c"], guides: guides(root: root)())
    }

    /// The workbench's lister of the classifier runs that can guide `root`'s DDPM run, read at each call.
    static func guides(root: String) -> @Sendable () -> [RunDirectory] {
        { Job.guidingClassifiers(for: RunDirectory(root: root, name: "ddpm"), root: root) }
    }

    static func press(_ key: Character, on experiment: SamplingExperiment, root: String) throws -> String {
        let controls = Job.samplingControls(KeyEvent(.character(key)), guides: guides(root: root))
        let change = try #require(controls)
        return change(experiment)
    }

    static func guide(of experiment: SamplingExperiment) -> String? {
        if case .classifier(let name) = experiment.steering?.guidance { return name }
        return nil
    }

    @Test func kNeverOffersAClassifierRunDeletedMeanwhile() throws {
        let root = try Self.runs(["first", "second", "third"])
        defer { cleanup(root) }
        let experiment = try Self.sampler(root: root)
        let current = try #require(Self.guide(of: experiment))
        let others = ["first", "second", "third"].filter { $0 != current }
        try FileManager.default.removeItem(atPath: "\(root)/\(others[0])")
        var offered: [String] = []
        for _ in 0..<4 {
            let message = try Self.press("k", on: experiment, root: root)
            #expect(message.hasSuffix("chain restarted"), "\(message)")
            offered.append(try #require(Self.guide(of: experiment)))
        }
        #expect(!offered.contains(others[0]), "\(offered)")
        #expect(Set(offered) == [current, others[1]], "\(offered)")
    }

    @Test func aGuideThatIsGoneWhenUsedSaysSo() throws {
        let root = try Self.runs(["only"])
        defer { cleanup(root) }
        let experiment = try Self.sampler(root: root)
        #expect(Self.guide(of: experiment) == "only")
        try FileManager.default.removeItem(atPath: "\(root)/only")
        // `c` picks a class, which loads the guide: it is gone.
        #expect(
            try Self.press("c", on: experiment, root: root)
                == "the guiding classifier run 'only' is gone from the runs folder; k picks another")
        #expect(experiment.steering?.classRequest == nil)
        #expect(
            try Self.press("k", on: experiment, root: root)
                == "k: the guiding classifier run 'only' is gone, and no other run on this data can guide")
    }

    /// Each press of `k` reads the runs folder once, also when it changes nothing and its status line says
    /// why (that check read the folder a second time).
    @Test func kReadsTheRunsFolderOncePerPress() throws {
        let root = try Self.runs(["only"])
        defer { cleanup(root) }
        let experiment = try Self.sampler(root: root)
        let reads = ReadCount()
        let counted: @Sendable () -> [RunDirectory] = {
            reads.add()
            return Self.guides(root: root)()
        }
        let press = try #require(Job.samplingControls(KeyEvent(.character("k")), guides: counted))
        #expect(press(experiment) == "no other classifier run on this data to guide with")
        #expect(reads.value == 1)
        try FileManager.default.removeItem(atPath: "\(root)/only")
        let again = try #require(Job.samplingControls(KeyEvent(.character("k")), guides: counted))
        #expect(
            again(experiment) == "k: the guiding classifier run 'only' is gone, and no other run on this data can guide"
        )
        #expect(reads.value == 2)
    }
}

/// A thread-safe count of calls.
private final class ReadCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
