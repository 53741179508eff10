import TensorCore

/// The gradient steps and projections shared by the iterative attacks, written over raw buffers of
/// `[batch, pixels]` tensors (no autograd: they act on detached iterates).
enum Projection {
    /// `x' = clip_[0,1](x + clip_[-eps,eps](x_m + step * sign(g) - x))`: a signed-gradient step projected onto
    /// the L-inf ball of radius `epsilon` around `clean` and the pixel range (Madry et al. 2018; with a
    /// negative `step` for a targeted descent). `mask` (per image) leaves images with `false` untouched.
    static func signStep(
        _ current: Tensor, gradient: Tensor, clean: Tensor, step: Float, epsilon: Float, mask: [Bool]? = nil
    ) -> Tensor {
        let out = uninitialized(like: clean)
        let (batch, pixels) = (clean.shape[0], clean.shape[1])
        let buffers = StepBuffers(out: out.data, x: current.data, gradient: gradient.data, clean: clean.data)
        // Rows split over the compute threads; each element's result is the same whichever thread writes it.
        ParallelSplit.ranges(count: batch, minimumPerThread: max(1, 65_536 / max(pixels, 1))) { rows in
            for row in rows {
                let start = row * pixels
                guard mask?[row] ?? true else {
                    (buffers.out + start).update(from: buffers.x + start, count: pixels)
                    continue
                }
                signStep(
                    x: buffers.x + start, gradient: buffers.gradient + start, clean: buffers.clean + start,
                    into: buffers.out + start, count: pixels, step: step, epsilon: epsilon)
            }
        }
        return out
    }

    /// The buffers of one step, handed to the threads that write disjoint parts of `out` (also Carlini-Wagner's
    /// chain rule: `out` its gradient, `gradient` the margin's).
    struct StepBuffers: @unchecked Sendable {
        let out: UnsafeMutablePointer<Float>
        let x: UnsafeMutablePointer<Float>
        let gradient: UnsafeMutablePointer<Float>
        let clean: UnsafeMutablePointer<Float>
    }

    /// One signed-gradient step projected onto the L-inf ball and [0, 1], for `count` pixels:
    /// `o = clip_[0,1](c + clip_[-eps,eps](x + step * sign(g) - c))`.
    ///
    /// A plain scalar loop on purpose: LLVM vectorises it (AVX-512 compares, blends, min/max), whereas
    /// `SIMD16<Float>`'s `pointwiseMin`/`pointwiseMax` and `replacing(with:where:)` compiled to one lane at a
    /// time through the stack with this toolchain (a 16-lane sign step took 16% of a PGD run; the scalar
    /// loop under 4%).
    static func signStep(
        x: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, clean c: UnsafePointer<Float>,
        into o: UnsafeMutablePointer<Float>, count: Int, step: Float, epsilon: Float
    ) {
        for i in 0..<count {
            let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
            let delta = min(max(x[i] + step * s - c[i], -epsilon), epsilon)
            o[i] = min(max(c[i] + delta, 0), 1)
        }
    }

    /// A fresh `[batch, pixels]` tensor whose every element the caller writes (no zero fill, no copy).
    static func uninitialized(like tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, storage: TensorStorage(uninitializedCount: tensor.count))
    }

    /// `x' = clip_[0,1](x + delta * min(1, eps / ||delta||))` with `delta = x_m + step * g / ||g|| - x`:
    /// a normalised-gradient step projected onto the L2 ball (PGD-L2, Madry et al. 2018).
    static func l2Step(
        _ current: Tensor, gradient: Tensor, clean: Tensor, step: Float, epsilon: Float, mask: [Bool]? = nil
    ) -> Tensor {
        let out = current.copy()
        let (batch, pixels) = (clean.shape[0], clean.shape[1])
        let o = out.data
        let g = gradient.data
        let c = clean.data
        for row in 0..<batch where mask?[row] ?? true {
            let range = (row * pixels)..<((row + 1) * pixels)
            var gradientNorm: Float = 0
            for i in range { gradientNorm += g[i] * g[i] }
            let scale = step / (gradientNorm.squareRoot() + 1e-10)
            var deltaNorm: Float = 0
            for i in range {
                o[i] += scale * g[i]
                let d = o[i] - c[i]
                deltaNorm += d * d
            }
            projectL2(o, clean: c, range: range, squaredNorm: deltaNorm, epsilon: epsilon)
        }
        return out
    }

    /// Scales `o - c` over `range` into the L2 ball of radius `epsilon` and clips to [0, 1].
    static func projectL2(
        _ o: UnsafeMutablePointer<Float>, clean c: UnsafeMutablePointer<Float>, range: Range<Int>, squaredNorm: Float,
        epsilon: Float
    ) {
        let factor = min(1, epsilon / max(squaredNorm.squareRoot(), 1e-12))
        for i in range { o[i] = min(max(c[i] + (o[i] - c[i]) * factor, 0), 1) }
    }

    /// A random start: uniform in the L-inf ball, or a uniform direction with radius `eps * u` in the L2
    /// ball (as torchattacks' PGD-L2), clipped to [0, 1]. The rows are drawn in turn from `generator`.
    static func randomStart(
        around clean: Tensor, norm: PerturbationNorm, epsilon: Float, generator: inout RandomGenerator
    ) -> Tensor {
        let out = clean.copy()
        for row in 0..<clean.shape[0] {
            drawStart(row: row, around: clean, into: out, norm: norm, epsilon: epsilon, generator: &generator)
        }
        return out
    }

    /// The same random start with each row drawn from its own generator, seeded by `seed` and the row's
    /// pixels (`imageGenerators`): an image starts at the same point whichever batch, position or subset it
    /// is attacked in (AutoAttack's later components see only the images still robust).
    static func randomStart(around clean: Tensor, norm: PerturbationNorm, epsilon: Float, seed: UInt64) -> Tensor {
        let out = clean.copy()
        var generators = imageGenerators(seed, images: clean)
        for row in 0..<clean.shape[0] {
            drawStart(row: row, around: clean, into: out, norm: norm, epsilon: epsilon, generator: &generators[row])
        }
        return out
    }

    /// One generator per row of `images` (`[batch, pixels]`), each seeded by `seed` and the row's pixels
    /// (`RandomGenerator.imageSeed`): the random starts and searches (PGD, Square, one-pixel) draw an
    /// image's randomness from its own generator, the same whichever batch, position or subset it is in.
    static func imageGenerators(_ seed: UInt64, images: Tensor) -> [RandomGenerator] {
        RandomGenerator.perImage(seed, images: images.data, rows: images.shape[0], pixels: images.shape[1])
    }

    /// Draws row `row` of a random start around `clean` into `out`.
    private static func drawStart(
        row: Int, around clean: Tensor, into out: Tensor, norm: PerturbationNorm, epsilon: Float,
        generator: inout RandomGenerator
    ) {
        let pixels = clean.shape[1]
        let o = out.data
        let c = clean.data
        let range = (row * pixels)..<((row + 1) * pixels)
        if norm == .l2 {
            var direction = [Float](repeating: 0, count: pixels)
            var length: Float = 0
            for j in 0..<pixels {
                direction[j] = generator.gaussian()
                length += direction[j] * direction[j]
            }
            let radius = epsilon * generator.uniform() / max(length.squareRoot(), 1e-12)
            for (j, i) in range.enumerated() { o[i] = min(max(c[i] + radius * direction[j], 0), 1) }
        } else {
            for i in range { o[i] = min(max(c[i] + generator.uniform(-epsilon, epsilon), 0), 1) }
        }
    }

    /// Copies rows of `source` where `mask` is true into `destination` (both `[batch, pixels]`).
    static func copyRows(from source: Tensor, into destination: Tensor, where mask: [Bool]) {
        let pixels = source.shape[1]
        for (row, take) in mask.enumerated() where take {
            (destination.data + row * pixels).update(from: source.data + row * pixels, count: pixels)
        }
    }
}
