import Foundation
import TensorCore

/// Frozen weights and reusable buffers of `DDPM.makeSamplingPredictor`: the noise MLP's forward pass
/// for sampling, where the same weights run 1,000 times on a batch that shares one step.
///
/// - Weights are packed once into GEMM's panel layout (`GEMMPackedMatrix`), not on every call.
/// - Every term that depends on `t` only (biases, the first layer's embedding columns `W_1e e(t)`,
///   and `mlp-t`'s projections) is summed once per step index into a row that seeds the GEMM's `C`,
///   instead of concatenating `[x, e(t)]` to every row.
/// - SiLU runs in place with `VectorMath`; hidden buffers are reused between calls.
///
/// Used from one thread at a time.
final class SamplingPredictorState {
    let first: GEMMPackedMatrix
    let second: GEMMPackedMatrix
    let third: GEMMPackedMatrix
    /// Per layer: weight `[out, in]` of the embedding's contribution and the first column used.
    let timeWeights: [(weight: [Float], columns: Int, offset: Int)]
    let biases: [[Float]]
    let pixels: Int
    let embedding: Int
    var hidden1 = Tensor(zeros: [0])
    var hidden2 = Tensor(zeros: [0])
    /// The three layers' `t`-only rows, per step index.
    var rowsByStep: [Int: [[Float]]] = [:]

    /// - Parameters: weights `[out, in]` as in `Linear`; `time2`/`time3` are `mlp-t`'s projections.
    init(
        w1: Tensor, w2: Tensor, w3: Tensor, b1: [Float], b2: [Float], b3: [Float], time2: Tensor?, time3: Tensor?,
        pixels: Int, embedding: Int
    ) {
        let columns1 = w1.shape[1]
        first = GEMMPackedMatrix(k: pixels, n: w1.shape[0], b: w1.data, ldb: columns1, transB: true)
        second = GEMMPackedMatrix(k: w2.shape[1], n: w2.shape[0], b: w2.data, ldb: w2.shape[1], transB: true)
        third = GEMMPackedMatrix(k: w3.shape[1], n: w3.shape[0], b: w3.data, ldb: w3.shape[1], transB: true)
        timeWeights = [
            (w1.scalars, columns1, pixels), (time2?.scalars ?? [], embedding, 0), (time3?.scalars ?? [], embedding, 0),
        ]
        biases = [b1, b2, b3]
        self.pixels = pixels
        self.embedding = embedding
    }

    /// `bias + W_e e(t)` for each layer.
    func rows(_ t: Int) -> [[Float]] {
        if let rows = rowsByStep[t] { return rows }
        let e = TimeEmbedding.sinusoidal([t], dimension: embedding)
        let rows = zip(biases, timeWeights).map { bias, time -> [Float] in
            guard !time.weight.isEmpty else { return bias }
            var row = bias
            for j in 0..<row.count {
                let base = j * time.columns + time.offset
                var sum: Float = 0
                for i in 0..<embedding { sum += time.weight[base + i] * e[i] }
                row[j] += sum
            }
            return row
        }
        rowsByStep[t] = rows
        return rows
    }

    /// `out = silu?(rows(t_r) + a W)` for every row r.
    func layer(
        _ a: UnsafePointer<Float>, rows count: Int, lda: Int, weight: GEMMPackedMatrix, into c: Tensor,
        seeds: [[Float]], silu: Bool
    ) {
        let width = weight.n
        for r in 0..<count {
            seeds[r].withUnsafeBufferPointer { (c.data + r * width).update(from: $0.baseAddress!, count: width) }
        }
        GEMM.multiply(m: count, a: a, lda: lda, packed: weight, c: c.data, ldc: width, beta: 1)
        if silu { VectorMath.silu(c.data, c.data, count: count * width) }
    }

    func predict(_ x: Tensor, timesteps: [Int]) -> Tensor {
        let count = x.shape[0]
        precondition(
            x.shape == [count, pixels] && timesteps.count == count, "predictor: \(x.shape) for \(pixels) pixels")
        if hidden1.count != count * first.n { hidden1 = Tensor(zeros: [count, first.n]) }
        if hidden2.count != count * second.n { hidden2 = Tensor(zeros: [count, second.n]) }
        let out = Tensor(zeros: [count, third.n])
        var seeds: [[[Float]]] = [[], [], []]
        var cached: (t: Int, rows: [[Float]])? = nil
        for t in timesteps {
            if cached?.t != t { cached = (t, rows(t)) }
            for layer in 0..<3 { seeds[layer].append(cached!.rows[layer]) }
        }
        layer(x.data, rows: count, lda: pixels, weight: first, into: hidden1, seeds: seeds[0], silu: true)
        layer(hidden1.data, rows: count, lda: first.n, weight: second, into: hidden2, seeds: seeds[1], silu: true)
        layer(hidden2.data, rows: count, lda: second.n, weight: third, into: out, seeds: seeds[2], silu: false)
        return out
    }
}
