import Foundation
import NeuralNet
import TensorCore

/// The noise MLP of `DDPM.makeSamplingPredictor` on the frozen-network fast path, for sampling, where
/// the same weights run 1,000 times on a batch that shares one step.
///
/// - The three layers run as a `FrozenNetwork` with packed weights (packed once, not on every call) on
///   the pixel columns of the first layer only.
/// - Every term that depends on `t` only (biases, the first layer's embedding columns `W_1e e(t)`,
///   and `mlp-t`'s projections) is summed once per step index into a bias row that seeds the layer's
///   product, instead of concatenating `[x, e(t)]` to every row.
///
/// Used from one thread at a time.
final class DDPMSamplingPredictor {
    let network: FrozenNetwork
    /// Per layer: weight `[out, in]` of the embedding's contribution, its row length and the first
    /// column used (empty for a layer without one).
    let timeWeights: [(weight: [Float], columns: Int, offset: Int)]
    let biases: [[Float]]
    let pixels: Int
    let embedding: Int
    /// The three layers' `t`-only rows, per step index.
    var rowsByStep: [Int: [[Float]]] = [:]

    /// - Parameters: weights `[out, in]` as in `Linear` (`w1` takes `[x, e(t)]`); `time2`/`time3` are
    ///   `mlp-t`'s projections.
    init(
        w1: Tensor, w2: Tensor, w3: Tensor, b1: Tensor, b2: Tensor, b3: Tensor, time2: Tensor?, time3: Tensor?,
        pixels: Int, embedding: Int
    ) {
        let (hidden, columns1) = (w1.shape[0], w1.shape[1])
        let pixelColumns = Tensor(shape: [hidden, pixels], storage: TensorStorage(uninitializedCount: hidden * pixels))
        for row in 0..<hidden {
            (pixelColumns.data + row * pixels).update(from: w1.data + row * columns1, count: pixels)
        }
        network = FrozenNetwork(
            layers: [
                FrozenDense(weight: pixelColumns, bias: b1, activation: .silu),
                FrozenDense(weight: w2, bias: b2, activation: .silu),
                FrozenDense(weight: w3, bias: b3),
            ], packsWeights: true)
        timeWeights = [
            (w1.scalars, columns1, pixels), (time2?.scalars ?? [], embedding, 0), (time3?.scalars ?? [], embedding, 0),
        ]
        biases = [b1.scalars, b2.scalars, b3.scalars]
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
            time.weight.withUnsafeBufferPointer { weight in
                e.withUnsafeBufferPointer { step in
                    for j in 0..<row.count {
                        let base = weight.baseAddress! + j * time.columns + time.offset
                        row[j] += ElementwiseKernels.dot(base, step.baseAddress!, embedding)
                    }
                }
            }
            return row
        }
        rowsByStep[t] = rows
        return rows
    }

    /// `eps_theta(x, t_r)` for `x` `[rows, pixels]` and one step index per row.
    func predict(_ x: Tensor, timesteps: [Int]) -> Tensor {
        let count = x.shape[0]
        precondition(
            x.shape == [count, pixels] && timesteps.count == count, "predictor: \(x.shape) for \(pixels) pixels")
        var biasRows: [[[Float]]] = [[], [], []]
        var cached: (t: Int, rows: [[Float]])? = nil
        for t in timesteps {
            if cached?.t != t { cached = (t, rows(t)) }
            for layer in 0..<3 { biasRows[layer].append(cached!.rows[layer]) }
        }
        return network(x, biasRows: biasRows)
    }
}
