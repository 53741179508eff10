import Attacks
import TensorCore
import Testing

/// The DLR loss of Croce & Hein 2020 against hand-computed values and central finite differences.
struct DLRLossTests {
    /// z = [3, 1, 2, 0.5, -1]: sorted 3 (class 0), 2 (class 2), 1 (class 1), 0.5 (class 3).
    static let logits: [Float] = [3, 1, 2, 0.5, -1]

    @Test func untargetedValueOnHandComputedLogits() {
        // y = 0: -(3 - 2) / (3 - 1) = -0.5 (correctly classified: negative).
        #expect(abs(DLRLoss.value(logits: Self.logits, label: 0) - -0.5) < 1e-6)
        // y = 2: -(2 - 3) / (3 - 1) = 0.5 (misclassified: positive).
        #expect(abs(DLRLoss.value(logits: Self.logits, label: 2) - 0.5) < 1e-6)
        // y = 4: -(-1 - 3) / 2 = 2.
        #expect(abs(DLRLoss.value(logits: Self.logits, label: 4) - 2) < 1e-6)
        // Invariant to shifting and scaling the logits.
        let moved = Self.logits.map { 7 * $0 - 4 }
        #expect(abs(DLRLoss.value(logits: moved, label: 1) - DLRLoss.value(logits: Self.logits, label: 1)) < 1e-5)
    }

    @Test func targetedValueOnHandComputedLogits() {
        // y = 0, t = 3: -(3 - 0.5) / (3 - (1 + 0.5) / 2) = -2.5 / 2.25.
        #expect(abs(DLRLoss.value(logits: Self.logits, label: 0, target: 3) - -2.5 / 2.25) < 1e-6)
        // y = 1, t = 0: -(1 - 3) / 2.25.
        #expect(abs(DLRLoss.value(logits: Self.logits, label: 1, target: 0) - 2 / 2.25) < 1e-6)
    }

    @Test func gradientMatchesCentralDifferences() {
        var generator = RandomGenerator(seed: 5)
        for trial in 0..<20 {
            // Well separated logits, so a step of h never reorders them.
            var logits = (0..<10).map { Float($0) * 0.7 + generator.uniform(0, 0.2) }
            for i in stride(from: logits.count - 1, to: 0, by: -1) { logits.swapAt(i, generator.index(below: i + 1)) }
            let label = generator.index(below: 10)
            let target: Int? = trial % 2 == 0 ? nil : (label + 1 + generator.index(below: 9)) % 10
            var gradient = [Float](repeating: 0, count: 10)
            _ = logits.withUnsafeBufferPointer { z in
                DLRLoss.value(logits: z.baseAddress!, classes: 10, label: label, target: target, gradient: &gradient)
            }
            let h: Float = 1e-2
            for k in 0..<10 {
                var up = logits
                var down = logits
                up[k] += h
                down[k] -= h
                let numeric =
                    (DLRLoss.value(logits: up, label: label, target: target)
                        - DLRLoss.value(logits: down, label: label, target: target)) / (2 * h)
                #expect(abs(numeric - gradient[k]) < 2e-3, "trial \(trial) class \(k): \(numeric) vs \(gradient[k])")
            }
        }
    }
}
