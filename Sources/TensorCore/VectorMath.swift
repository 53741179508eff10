#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
    import _Builtin_intrinsics.intel
#endif

/// Single-precision `exp`, `log` and `sin`/`cos` on 16 lanes at once, for the hot elementwise loops
/// (SiLU, Gaussian draws) where libm's scalar calls cost more than the matrix products around them.
///
/// Range reduction plus the minimax polynomials of Cephes (Moshier 1989, `expf`, `logf`, `sinf`,
/// `cosf`); within a few ulp of libm over the ranges documented per function.
public enum VectorMath {
    public typealias Vector = SIMD16<Float>

    /// 1.5 * 2^23: adding it to a float of magnitude below 2^22 rounds it to a whole number (ties to
    /// even) held in the low mantissa bits, so float -> integer needs no conversion instruction. (The
    /// generic `SIMD16<Int32>(_: SIMD16<Float>)` and `rounded(_:)` went element by element through
    /// the standard library here: 38% of DDPM sampling.)
    @usableFromInline static let roundingShift = Vector(repeating: 12_582_912)
    @usableFromInline static let roundingShiftBits = SIMD16<Int32>(repeating: 0x4B40_0000)

    /// The correctly rounded square root of each lane (`vsqrtps`). `SIMD16<Float>.squareRoot()`
    /// compiles to 16 scalar `vsqrtss`, each with a branch to libm's `sqrtf` for negative inputs
    /// (errno): that loop, not memory, was most of Adam's update. Same bits as `squareRoot()`. (x86-64
    /// builds thus assume AVX, which every x86-64 CPU since 2011 has.)
    @inlinable @inline(__always)
    public static func squareRoot(_ x: Vector) -> Vector {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
            return Vector(lowHalf: _mm256_sqrt_ps(x.lowHalf), highHalf: _mm256_sqrt_ps(x.highHalf))
        #else
            return x.squareRoot()
        #endif
    }

    /// `e^x`; inputs are clamped to [-87.3, 88.7] (results from about 1.2e-38 to 3.3e38, never inf).
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let clamped = pointwiseMin(pointwiseMax(x, Vector(repeating: -87.33)), Vector(repeating: 88.72))
        let shifted = clamped * 1.442_695_04 + roundingShift
        let n = shifted - roundingShift  // Nearest whole number, ties to even.
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Vector = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * r * r + r + 1
        // 2^n through the exponent bits: n in [-126, 128]; split so both factors stay normal.
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- roundingShiftBits
        let half = ni &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((ni &- half &+ 127) &<< 23, to: Vector.self)
        return p * scaleA * scaleB
    }

    /// The natural logarithm of positive, normal `x`.
    @inline(__always)
    public static func log(_ x: Vector) -> Vector {
        // In integer and bit operations: Swift's float comparisons, `replacing(with:where:)` and
        // int -> float conversions on SIMD16 went lane by lane here (a third of a Gaussian draw).
        let bits = unsafeBitCast(x, to: SIMD16<Int32>.self)
        // Mantissa in [0.5, 1); below sqrt(1/2) (0x3f3504f3) it is doubled and the exponent lowered.
        let mantissaBits = (bits & Int32(bitPattern: 0x807f_ffff)) | 0x3f00_0000
        let small = (mantissaBits &- 0x3f35_04f3) &>> 31  // All ones where m < sqrt(1/2).
        let exponentBits = roundingShiftBits &+ ((bits &>> 23) & 0xff) &- 126 &+ small
        let exponent = unsafeBitCast(exponentBits, to: Vector.self) - roundingShift
        let m0 = unsafeBitCast(mantissaBits, to: Vector.self)
        let large = unsafeBitCast(m0 - 1, to: SIMD16<Int32>.self)
        let doubled = unsafeBitCast(m0 + m0 - 1, to: SIMD16<Int32>.self)
        let m = unsafeBitCast((doubled & small) | (large & ~small), to: Vector.self)
        let z = m * m
        var y: Vector = Vector(repeating: 7.037_683_629_2e-2)
        y = y * m - 1.151_461_031_0e-1
        y = y * m + 1.167_699_874_0e-1
        y = y * m - 1.242_014_084_6e-1
        y = y * m + 1.424_932_278_7e-1
        y = y * m - 1.666_805_766_5e-1
        y = y * m + 2.000_071_476_5e-1
        y = y * m - 2.499_999_399_3e-1
        y = y * m + 3.333_333_117_4e-1
        y = y * m * z
        y = y - 2.121_944_4e-4 * exponent
        y = y - 0.5 * z
        return m + y + 0.693_359_375 * exponent
    }

    /// `(cos, sin)` of `2 pi u - pi / 4` for `u` in [0, 1): a uniformly random angle when `u` is
    /// uniform (the quarter-turn shift keeps the reduced argument in [-pi/4, pi/4)).
    @inline(__always)
    public static func cosSinOfTurn(_ u: Vector) -> (cos: Vector, sin: Vector) {
        // Nearest quarter turn q (0...3) of the angle 2 pi u - pi/4 = (4u - 1/2) pi/2, and the rest x
        // in [-pi/4, pi/4].
        let centred = u * 4 - 0.5
        let shifted = centred + roundingShift
        let q = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- roundingShiftBits
        let x = (centred - (shifted - roundingShift)) * (Float.pi / 2)
        let z = x * x
        var s: Vector = Vector(repeating: -1.951_529_589_1e-4)
        s = s * z + 8.332_160_873_6e-3
        s = s * z - 1.666_665_461_1e-1
        s = s * z * x + x
        var c: Vector = Vector(repeating: 2.443_315_711_809_948e-5)
        c = c * z - 1.388_731_625_493_765e-3
        c = c * z + 4.166_664_568_298_827e-2
        c = c * z * z - 0.5 * z + 1
        // Rotate by the quadrant's quarter turns: q 0 (c, s), 1 (-s, c), 2 (-c, -s), 3 (s, -c), with
        // bit operations (comparisons and `replacing` on masks went lane by lane here).
        let swap = SIMD16<Int32>(repeating: 0) &- (q & 1)
        let cBits = unsafeBitCast(c, to: SIMD16<Int32>.self)
        let sBits = unsafeBitCast(s, to: SIMD16<Int32>.self)
        let cosBits = ((cBits & ~swap) | (sBits & swap)) ^ (((q &+ 1) & 2) &<< 30)
        let sinBits = ((sBits & ~swap) | (cBits & swap)) ^ ((q & 2) &<< 30)
        return (unsafeBitCast(cosBits, to: Vector.self), unsafeBitCast(sinBits, to: Vector.self))
    }

    /// Each lane, or +0 where it is subnormal (or zero): what a CPU's flush-to-zero mode would store.
    /// With bit operations: the exponent field is zero exactly for zeros and subnormals. (Optimizer
    /// moments of parameters whose gradient stays zero decay into subnormals and stay there; on Intel
    /// CPUs every arithmetic operation on them then takes a slow microcode assist.)
    @inlinable @inline(__always)
    public static func flushingSubnormals(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: SIMD16<Int32>.self)
        // 0 - exponent is negative, so its sign spread over the lane is all ones, exactly when the
        // exponent field is not zero.
        let keep = (SIMD16<Int32>(repeating: 0) &- (bits & 0x7F80_0000)) &>> 31
        return unsafeBitCast(bits & keep, to: Vector.self)
    }

    /// `x`, or +0 where it is subnormal or zero: the one-lane form of `flushingSubnormals(_: Vector)`.
    @inlinable @inline(__always)
    public static func flushingSubnormals(_ x: Float) -> Float {
        x.isSubnormal || x == 0 ? 0 : x
    }

    /// `x * sigmoid(x)` (SiLU).
    @inline(__always)
    public static func silu(_ x: Vector) -> Vector {
        x / (1 + exp(-x))
    }
}

extension ElementwiseKernels {
    /// y = x * sigmoid(x), 16 lanes at a time (in place when `x == y`).
    public static func silu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n {
            store(VectorMath.silu(load(x, i)), y, i)
            i += 16
        }
        if i < n {
            var tail = Vector(repeating: 0)
            for j in i..<n { tail[j - i] = x[j] }
            let out = VectorMath.silu(tail)
            for j in i..<n { y[j] = out[j - i] }
        }
    }

    /// dx = g * s (1 + x (1 - s)) with s = sigmoid(x): SiLU's backward pass from its input (in place when
    /// `g == dx`).
    public static func siluBackward(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        var i = 0
        let one = Vector(repeating: 1)
        while i + 16 <= n {
            let xv = load(x, i)
            let s = one / (one + VectorMath.exp(-xv))
            store(load(g, i) * s * (one + xv * (one - s)), dx, i)
            i += 16
        }
        if i < n {
            var (gt, xt) = (Vector(repeating: 0), Vector(repeating: 0))
            for j in i..<n { (gt[j - i], xt[j - i]) = (g[j], x[j]) }
            let s = one / (one + VectorMath.exp(-xt))
            let out = gt * s * (one + xt * (one - s))
            for j in i..<n { dx[j] = out[j - i] }
        }
    }
}
