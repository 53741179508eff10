import Foundation

/// Which micro-kernels compute the GEMM's 8-row tiles. `wide`: 8 rows by up to 48 columns in
/// `SIMD16<Float>` registers, 24 accumulators, for AVX-512's 32 zmm registers. `half`: each tile as two
/// halves of 4 rows by up to 24 columns in `SIMD8<Float>` registers, 12 accumulators, which fit AVX2's 16
/// ymm registers (the wide kernel spills there: 33 GFLOP/s a core against OpenBLAS's 93 on an AVX2 AMD
/// EPYC). Both read the same packed operands and sum every element in the same order: their results
/// are bitwise equal, so a run gives the same figures on either kind of CPU.
enum GEMMTiles: Sendable, Equatable {
    case wide, half

    /// `wide` where the CPU has AVX-512 (`avx512f` in `/proc/cpuinfo`), `half` elsewhere;
    /// `MANIFOLD_GEMM_TILES=wide|half` overrides it (to measure one against the other on one machine).
    static let detected: GEMMTiles = {
        switch ProcessInfo.processInfo.environment["MANIFOLD_GEMM_TILES"] {
        case "wide": return .wide
        case "half": return .half
        default: return cpuHasAVX512 ? .wide : .half
        }
    }()

    /// Whether the first processor's flags in `/proc/cpuinfo` include `avx512f` (false where the file is
    /// missing: the half tiles are the portable choice).
    static var cpuHasAVX512: Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        return flags.split(separator: " ").contains("avx512f")
    }
}
