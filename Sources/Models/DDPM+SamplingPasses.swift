import TensorCore

extension DDPM {
    /// The most rows one U-Net pass takes while sampling. Its activations cost about 1.4 MB a row at 28x28
    /// (measured: 2,000 samples peaked at 2.8 GB), so `sample --n 10000` in one pass needed some 14 GB;
    /// passes of at most this many rows keep one near 400 MB. Every row is computed on its own (per-sample
    /// group norms, no batch statistics), so the values do not depend on how the rows are split.
    public static let samplingRowsPerPass = 256

    /// `predict` on consecutive chunks of at most `rowsPerPass` rows of `x`, each with its rows' steps and
    /// labels (nil stays nil), the outputs stacked back in order; one call when `x` fits in one pass.
    static func inPasses(
        _ x: Tensor, timesteps: [Int], labels: [Int]?, rowsPerPass: Int,
        _ predict: (Tensor, [Int], [Int]?) -> Tensor
    ) -> Tensor {
        precondition(rowsPerPass >= 1, "DDPM: rowsPerPass must be at least 1")
        let rows = x.shape[0]
        guard rows > rowsPerPass else { return predict(x, timesteps, labels) }
        var outputs: [Tensor] = []
        var start = 0
        while start < rows {
            let end = min(start + rowsPerPass, rows)
            outputs.append(
                predict(x.rows(start..<end), Array(timesteps[start..<end]), labels.map { Array($0[start..<end]) }))
            start = end
        }
        return Tensor.concatenate(outputs, axis: 0)
    }
}
