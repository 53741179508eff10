import TensorCore

/// The elementwise part of one ancestral DDPM step (MATH.md section 8), fused into one SIMD pass:
/// `x_0_hat = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t)`, then
/// `x_{t-1} = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - alphaBar_t) eps) + sigma_t z`, or with `clip`
/// the posterior mean `c0 clip(x_0_hat) + ct x_t` in place of the first term.
struct DiffusionUpdate {
    typealias Vector = SIMD16<Float>

    let sqrtOneMinusAlphaBar: Float
    let inverseSqrtAlphaBar: Float
    let clip: Bool
    let c0: Float
    let ct: Float
    let inverseSqrtAlpha: Float
    let noiseCoefficient: Float
    let sigma: Float
    /// `|x_{t-1}|` or `|eps|` beyond this (or NaN/Inf) counts as divergence: with `clip`, a noise
    /// prediction of a network whose weights overflow would otherwise give a finite, wrong step.
    var limit: Float = 1e6

    @inline(__always)
    func lanes(_ x: Vector, _ eps: Vector, _ z: Vector) -> (predicted: Vector, next: Vector) {
        var predicted = (x - sqrtOneMinusAlphaBar * eps) * inverseSqrtAlphaBar
        var mean: Vector
        if clip {
            // clamp to [-1, 1] as (|p + 1| - |p - 1|) / 2: arithmetic stays in vector registers, where
            // pointwiseMin/Max went lane by lane (error at most one rounding of 1, 6e-8).
            predicted = 0.5 * (abs(predicted + 1) - abs(predicted - 1))
            mean = c0 * predicted + ct * x
        } else {
            mean = inverseSqrtAlpha * (x - noiseCoefficient * eps)
        }
        mean += sigma * z
        return (predicted, mean)
    }

    /// Writes `predicted` and `next` for `count` values; `noise` nil means `z = 0`.
    /// - Returns: false when a value of `next` or `eps` is NaN, infinite or beyond `limit`.
    func ancestral(
        x: UnsafePointer<Float>, eps: UnsafePointer<Float>, noise: UnsafePointer<Float>?,
        predicted: UnsafeMutablePointer<Float>, next: UnsafeMutablePointer<Float>, count: Int
    ) -> Bool {
        // Masks and pointwiseMax went lane by lane here. As integers, |next|'s bits exceed `limit`'s
        // exactly when it is larger, infinite or NaN; OR-ing `limitBits - bits` keeps a sign bit.
        let limitBits = SIMD16<Int32>(repeating: Int32(bitPattern: limit.bitPattern))
        var flags = SIMD16<Int32>(repeating: 0)
        var tailBad = false
        let zero = Vector(repeating: 0)
        @inline(__always) func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
            UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
        }
        var i = 0
        while i + 16 <= count {
            let e = load(eps, i)
            let (p, n) = lanes(load(x, i), e, noise.map { load($0, i) } ?? zero)
            UnsafeMutableRawPointer(predicted + i).storeBytes(of: p, as: Vector.self)
            UnsafeMutableRawPointer(next + i).storeBytes(of: n, as: Vector.self)
            flags |= limitBits &- (unsafeBitCast(n, to: SIMD16<Int32>.self) & Int32.max)
            flags |= limitBits &- (unsafeBitCast(e, to: SIMD16<Int32>.self) & Int32.max)
            i += 16
        }
        if i < count {
            var (xv, ev, zv) = (zero, zero, zero)
            for j in i..<count {
                (xv[j - i], ev[j - i]) = (x[j], eps[j])
                if let noise { zv[j - i] = noise[j] }
            }
            let (p, n) = lanes(xv, ev, zv)
            for j in i..<count {
                (predicted[j], next[j]) = (p[j - i], n[j - i])
                if !(Swift.abs(n[j - i]) <= limit && Swift.abs(ev[j - i]) <= limit) { tailBad = true }
            }
        }
        return !tailBad && (0..<16).allSatisfy { flags[$0] >= 0 }
    }

    @inline(__always)
    private func abs(_ v: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: Vector.self)
    }
}
