/// Differentiable matrix products through the packed GEMM kernel.
extension Tensor {
    /// op(self) x op(other) for 2-D tensors, transposes taken by the kernel's packing, not by copies.
    /// - Parameters: transposeSelf: use self^T ([k, m] stored); transposeOther: use other^T ([n, k] stored).
    /// - Returns: [m, n].
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs 2-D tensors, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul: inner dimensions \(shape) x \(other.shape) differ")
        let out = Tensor(shape: [m, n], storage: TensorStorage(uninitializedCount: m * n))
        GEMM.multiply(
            m: m, n: n, k: k, a: data, lda: shape[1], transA: transposeSelf,
            b: other.data, ldb: other.shape[1], transB: transposeOther, c: out.data, ldc: n)
        return Tensor.record(out, inputs: [self, other]) { [self] g, _ in
            var gradSelf: Tensor?
            var gradOther: Tensor?
            if self.requiresGrad {
                // d op(A) = G op(B)^T; stored A is op(A) or its transpose.
                gradSelf = transposeSelf
                    ? other.matmul(g, transposeSelf: transposeOther, transposeOther: true)
                    : g.matmul(other, transposeSelf: false, transposeOther: !transposeOther)
            }
            if other.requiresGrad {
                // d op(B) = op(A)^T G.
                gradOther = transposeOther
                    ? g.matmul(self, transposeSelf: true, transposeOther: transposeSelf)
                    : self.matmul(g, transposeSelf: !transposeSelf, transposeOther: false)
            }
            return [gradSelf, gradOther]
        }
    }

    /// x W^T + b, the Linear layer's product with the bias fused into the output pass.
    /// - Parameters: self [batch, in], weight [out, in], bias [out].
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        let product = matmul(weight, transposeOther: true)
        guard let bias else { return product }
        precondition(bias.count == product.shape[1], "linear: bias \(bias.shape) for \(product.shape[1]) outputs")
        // Fused row-broadcast add; the product is fresh, so it is updated in place.
        let (rows, width) = (product.shape[0], product.shape[1])
        let out = Tensor(shape: product.shape, storage: product.storage)
        ElementwiseKernels.addRows(out.data, rows: rows, width: width, bias.data)
        return Tensor.record(out, inputs: [product, bias]) { g, _ in
            var gradBias: Tensor?
            if bias.requiresGrad {
                let sums = Tensor(shape: bias.shape, storage: TensorStorage(uninitializedCount: width))
                ElementwiseKernels.sumRows(g.data, rows: rows, width: width, into: sums.data)
                gradBias = sums
            }
            return [g, gradBias]
        }
    }
}
