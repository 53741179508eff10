import TensorCore

/// The L0, L2 and L-inf norms of one image's perturbation `x' - x`.
public struct PerturbationNorms: Sendable, Equatable {
    public var linf: Float
    public var l2: Float
    /// Pixels that changed by more than `PerturbationNorms.changeThreshold`.
    public var l0: Int

    /// A pixel counts as changed above this (float32 round-off of a clipped pixel stays below it).
    public static let changeThreshold: Float = 1e-6

    public init(linf: Float, l2: Float, l0: Int) {
        self.linf = linf
        self.l2 = l2
        self.l0 = l0
    }

    /// Per-image norms of `adversarial - clean`, both `[batch, pixels]`. The rows are split over the compute
    /// threads; each row is summed in pixel order, so the result does not depend on the thread count.
    public static func of(_ adversarial: Tensor, from clean: Tensor) -> [PerturbationNorms] {
        precondition(
            adversarial.shape == clean.shape && clean.rank == 2, "norms: shapes \(adversarial.shape), \(clean.shape)")
        let (batch, pixels) = (clean.shape[0], clean.shape[1])
        let rows = RowBuffers(adversarial: adversarial.data, clean: clean.data, pixels: pixels)
        return [PerturbationNorms](unsafeUninitializedCapacity: batch) { buffer, initialized in
            let out = OutputBuffer(pointer: buffer.baseAddress)
            ParallelSplit.ranges(count: batch, minimumPerThread: max(1, 65_536 / max(pixels, 1))) { range in
                for row in range { (out.pointer! + row).initialize(to: rows.norms(row)) }
            }
            initialized = batch
        }
    }

    /// The two images' buffers, read by the threads that measure disjoint rows.
    private struct RowBuffers: @unchecked Sendable {
        let adversarial: UnsafeMutablePointer<Float>
        let clean: UnsafeMutablePointer<Float>
        let pixels: Int

        /// Eight lanes at a time, each lane summing its pixels in order, then the lanes in order: the
        /// same result on every thread count. (The scalar loop's one sum chain took 8% of an FGSM run on
        /// 10,000 images; this loop is about 3x faster. `replacing(with:where:)` compiles to blends here,
        /// `pointwiseMax` and a bit-cast `abs` did not.)
        func norms(_ row: Int) -> PerturbationNorms {
            typealias Vector = SIMD8<Float>
            let a = UnsafeRawPointer(adversarial + row * pixels)
            let c = UnsafeRawPointer(clean + row * pixels)
            let threshold = Vector(repeating: changeThreshold)
            let one = Vector(repeating: 1)
            var (largest, squares, changed) = (Vector(), Vector(), Vector())
            let stride = MemoryLayout<Float>.stride
            var i = 0
            while i + Vector.scalarCount <= pixels {
                let d =
                    a.loadUnaligned(fromByteOffset: i * stride, as: Vector.self)
                    - c.loadUnaligned(fromByteOffset: i * stride, as: Vector.self)
                let negated = -d
                largest = largest.replacing(with: d, where: d .> largest)
                largest = largest.replacing(with: negated, where: negated .> largest)
                squares.addProduct(d, d)
                // Float counts are exact: at most pixels / 8 per lane.
                changed += Vector().replacing(with: one, where: (d .> threshold) .| (negated .> threshold))
                i += Vector.scalarCount
            }
            var linf = largest.max()
            var sum = squares.sum()
            var count = Int(changed.sum())
            while i < pixels {
                let d = abs(
                    a.load(fromByteOffset: i * stride, as: Float.self)
                        - c.load(fromByteOffset: i * stride, as: Float.self))
                linf = max(linf, d)
                sum += d * d
                if d > changeThreshold { count += 1 }
                i += 1
            }
            return PerturbationNorms(linf: linf, l2: sum.squareRoot(), l0: count)
        }
    }

    /// The result array's storage, written by the threads at disjoint rows.
    private struct OutputBuffer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<PerturbationNorms>?
    }
}

/// What an attack did to one image.
public struct ImageOutcome: Sendable, Equatable {
    public var label: Int
    /// The target class when the attack was targeted.
    public var target: Int?
    public var cleanPrediction: Int
    public var adversarialPrediction: Int
    /// A wrong class (untargeted) or the target class (targeted) on the adversarial image.
    public var success: Bool
    public var norms: PerturbationNorms
}

/// An attack's output: adversarial images `[batch, pixels]` and what happened to each.
public struct AttackResult: @unchecked Sendable {
    public var method: String
    public var adversarial: Tensor
    public var outcomes: [ImageOutcome]
    public var gradientEvaluations: Int
    public var queries: Int
    /// Attack-specific per-image numbers ("c" for Carlini-Wagner, "queries" for black-box attacks).
    public var perImageExtras: [String: [Double]]
    /// Attack-specific scalars (fooling rates of a universal perturbation, transfer success...).
    public var metrics: [String: Double]
    /// The universal perturbation `v` (`[pixels]`) when the attack computed one.
    public var universalPerturbation: [Float]? = nil
    /// Attack-specific per-image words ("broken_by" for AutoAttack).
    public var perImageLabels: [String: [String]] = [:]

    public var count: Int { outcomes.count }
    public var cleanAccuracy: Double { fraction { $0.cleanPrediction == $0.label } }
    public var adversarialAccuracy: Double { fraction { $0.adversarialPrediction == $0.label } }
    /// Fraction of images where the attack succeeded (see `ImageOutcome.success`).
    public var successRate: Double { fraction(\.success) }
    public var meanLinf: Double { mean { Double($0.norms.linf) } }
    public var meanL2: Double { mean { Double($0.norms.l2) } }
    public var meanL0: Double { mean { Double($0.norms.l0) } }
    /// Among the images the model classified correctly, the fraction the attack succeeded on (`successRate`
    /// also counts the clean mistakes; libraries' figures, e.g. torchattacks', are often quoted this way);
    /// nil when the model got none right.
    public var successRateOnCorrect: Double? {
        let correct = outcomes.filter { $0.cleanPrediction == $0.label }
        return correct.isEmpty ? nil : Double(correct.filter(\.success).count) / Double(correct.count)
    }
    /// Mean L2 of the perturbation over the successes counted by `successRateOnCorrect` (nil if none).
    public var meanL2OnCorrectSuccesses: Double? {
        let fooled = outcomes.filter { $0.cleanPrediction == $0.label && $0.success }
        return fooled.isEmpty ? nil : fooled.reduce(0) { $0 + Double($1.norms.l2) } / Double(fooled.count)
    }

    private func fraction(_ predicate: (ImageOutcome) -> Bool) -> Double {
        outcomes.isEmpty ? 0 : Double(outcomes.filter(predicate).count) / Double(outcomes.count)
    }

    private func mean(_ value: (ImageOutcome) -> Double) -> Double {
        outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + value($1) } / Double(outcomes.count)
    }

    /// The batches' images stacked: a view when each starts where the previous one ends in the same storage.
    static func joined(_ images: [Tensor]) -> Tensor {
        var end = images[0].offset
        for image in images {
            guard image.storage === images[0].storage, image.offset == end, image.rank >= 1,
                image.shape.dropFirst() == images[0].shape.dropFirst()
            else {
                return Tensor.concatenate(images, axis: 0)
            }
            end += image.count
        }
        var shape = images[0].shape
        shape[0] = images.reduce(0) { $0 + $1.shape[0] }
        return Tensor(shape: shape, storage: images[0].storage, offset: images[0].offset)
    }

    /// Joins the results of consecutive batches of the same attack (extras concatenated, metrics
    /// averaged weighted by batch size, counters summed). Adversarial images that already lie one after
    /// the other in one storage (as `TestSetAttack` writes them) are joined as a view, without a copy.
    public static func merged(_ parts: [AttackResult]) -> AttackResult {
        precondition(!parts.isEmpty, "merged: no parts")
        guard parts.count > 1 else { return parts[0] }
        var extras: [String: [Double]] = [:]
        var metrics: [String: Double] = [:]
        var labels: [String: [String]] = [:]
        let total = Double(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            for (key, values) in part.perImageExtras { extras[key, default: []] += values }
            for (key, values) in part.perImageLabels { labels[key, default: []] += values }
            for (key, value) in part.metrics { metrics[key, default: 0] += value * Double(part.count) / total }
        }
        return AttackResult(
            method: parts[0].method, adversarial: joined(parts.map(\.adversarial)),
            outcomes: parts.flatMap(\.outcomes), gradientEvaluations: parts.reduce(0) { $0 + $1.gradientEvaluations },
            queries: parts.reduce(0) { $0 + $1.queries }, perImageExtras: extras, metrics: metrics,
            universalPerturbation: parts[0].universalPerturbation, perImageLabels: labels)
    }
}
