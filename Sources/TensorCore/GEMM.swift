/// Row-major general matrix multiply. (Interim plain version; the packed SIMD kernel replaces it.)
public enum GEMM {
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0, threads: Int? = nil
    ) {
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
            for p in 0..<k {
                let av = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
                if transB {
                    for j in 0..<n { c[i * ldc + j] += av * b[j * ldb + p] }
                } else {
                    for j in 0..<n { c[i * ldc + j] += av * b[p * ldb + j] }
                }
            }
        }
    }
}

/// Process-wide default thread count for kernels. (Interim; replaced with the packed kernel.)
public enum ComputeThreads {
    nonisolated(unsafe) private static var stored = 1
    public static var count: Int {
        get { stored }
        set { stored = max(1, newValue) }
    }
}
