import Models
import TensorCore
import Testing

@testable import Attacks

/// The per-row passes that the attacks split over the compute threads (the perturbation norms, the sign
/// step, Carlini-Wagner's change of variables and chain rule) give the same bits at one thread and at two,
/// and batches joined by `AttackResult.merged` are a view only where they really lie end to end.
struct ThreadSplitTests {
    /// Runs `body` with the process-wide thread count set to `threads`, then restores it.
    static func with<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
        let original = ComputeThreads.count
        ComputeThreads.count = threads
        defer { ComputeThreads.count = original }
        return try body()
    }

    @Test func normsMatchARowByRowLoopAtOneAndTwoThreads() {
        // 200 rows of 784 pixels: two parts of at least 83 rows each, so the two-thread pass really splits.
        let (clean, _) = TinyModel.testBatch(200)
        var generator = RandomGenerator(seed: 4)
        let noise = Tensor.randomUniform(clean.shape, low: -0.2, high: 0.2, generator: &generator)
        let adversarial = (clean + noise).clamped(min: 0, max: 1)
        for row in stride(from: 0, to: 200, by: 7) {  // Some rows unchanged: l0 0, l2 0.
            (adversarial.data + row * 784).update(from: clean.data + row * 784, count: 784)
        }
        let one = Self.with(threads: 1) { PerturbationNorms.of(adversarial, from: clean) }
        let two = Self.with(threads: 2) { PerturbationNorms.of(adversarial, from: clean) }
        #expect(one == two)
        #expect(one[0] == PerturbationNorms(linf: 0, l2: 0, l0: 0))
        #expect(one[1].l0 > 100 && one[1].linf > 0.15)
        Self.expectNorms(one, of: adversarial, from: clean)
    }

    /// A row length that is no multiple of the eight lanes, and changes just at, above and below the
    /// threshold, positive and negative.
    @Test func normsOfOddRowsAndThresholdEdges() {
        let pixels = 21
        let t = PerturbationNorms.changeThreshold
        var clean = [Float](repeating: 0.5, count: 3 * pixels)
        var adversarial = clean
        adversarial[0] = 0.5 + 0.25  // Row 0: one pixel in the lanes, one in the tail (index 20), negative.
        adversarial[20] = 0.5 - 0.375
        // Row 1, from a clean 0 so that each change is exact (the last two in the tail after the lanes):
        // only the +-4t and +-0.5 count.
        for (i, d) in zip([0, 5, 10, 15, 18, 20], [t, -t, 4 * t, -4 * t, 0.5, -0.5]) {
            clean[pixels + i] = 0
            adversarial[pixels + i] = d
        }
        let a = Tensor(shape: [3, pixels], scalars: adversarial)
        let c = Tensor(shape: [3, pixels], scalars: clean)
        let norms = PerturbationNorms.of(a, from: c)
        #expect(norms[0].linf == 0.375 && norms[0].l0 == 2)
        #expect(norms[1].linf == 0.5 && norms[1].l0 == 4)
        #expect(norms[2] == PerturbationNorms(linf: 0, l2: 0, l0: 0))
        Self.expectNorms(norms, of: a, from: c)
    }

    /// L-inf and L0 exactly as a plain loop gives them, L2 within float round-off of a double sum.
    static func expectNorms(_ norms: [PerturbationNorms], of adversarial: Tensor, from clean: Tensor) {
        let pixels = clean.shape[1]
        for row in 0..<clean.shape[0] {
            var (linf, squares, changed): (Float, Double, Int) = (0, 0, 0)
            for i in (row * pixels)..<((row + 1) * pixels) {
                let d = abs(adversarial.data[i] - clean.data[i])
                linf = max(linf, d)
                squares += Double(d) * Double(d)
                if d > PerturbationNorms.changeThreshold { changed += 1 }
            }
            #expect(norms[row].linf == linf && norms[row].l0 == changed, "row \(row)")
            #expect(abs(Double(norms[row].l2) - squares.squareRoot()) <= 1e-6 * squares.squareRoot(), "row \(row)")
        }
    }

    @Test func fgsmAndCarliniWagnerGiveTheSameBitsAtOneAndTwoThreads() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(200)
        let attacks: [any Attack] = [FGSM(), CarliniWagnerL2(steps: 5, learningRate: 0.05, searchSteps: 1)]
        for attack in attacks {
            let threat = ThreatModel(epsilon: attack is FGSM ? 0.1 : 1)
            let one = try Self.with(threads: 1) {
                try attack.attack(model, images: images, labels: labels, threat: threat)
            }
            let two = try Self.with(threads: 2) {
                try attack.attack(model, images: images, labels: labels, threat: threat)
            }
            #expect(one.adversarial.scalars == two.adversarial.scalars, "\(attack.name)")
            #expect(one.outcomes == two.outcomes, "\(attack.name)")
            #expect(one.adversarial.scalars != images.scalars, "\(attack.name) changed nothing")
        }
    }

    @Test func fgsmLeavesTheCleanImagesAlone() throws {
        // FGSM's first iterate is the clean batch itself, shared rather than copied: the step must not write
        // into it.
        let (images, labels) = TinyModel.testBatch(20)
        let before = images.scalars
        let result = try FGSM().attack(
            TinyModel.make(), images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(images.scalars == before)
        #expect(result.adversarial.scalars != before)
    }

    @Test func joinedImagesAreAViewOnlyWhenTheyLieEndToEnd() {
        let storage = TensorStorage(uninitializedCount: 12)
        for i in 0..<12 { storage.pointer[i] = Float(i) }
        let first = Tensor(shape: [2, 2], storage: storage, offset: 0)
        let second = Tensor(shape: [1, 2], storage: storage, offset: 4)
        let joined = AttackResult.joined([first, second])
        #expect(joined.storage === storage && joined.shape == [3, 2] && joined.scalars == [0, 1, 2, 3, 4, 5])
        // A gap, the wrong order, or another storage: a copy with the rows in the order given.
        let gap = Tensor(shape: [1, 2], storage: storage, offset: 6)
        let copied = AttackResult.joined([first, gap])
        #expect(copied.storage !== storage && copied.scalars == [0, 1, 2, 3, 6, 7])
        let reversed = AttackResult.joined([second, first])
        #expect(reversed.storage !== storage && reversed.scalars == [4, 5, 0, 1, 2, 3])
        let other = Tensor(shape: [1, 2], scalars: [9, 9])
        #expect(AttackResult.joined([first, other]).scalars == [0, 1, 2, 3, 9, 9])
    }
}
