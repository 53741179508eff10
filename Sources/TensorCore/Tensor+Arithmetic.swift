/// Differentiable add, subtract, multiply and divide with NumPy broadcasting, and their operators.
extension Tensor {
    public func add(_ other: Tensor) -> Tensor {
        let out = Broadcast.apply(self, other, FloatSum.self)
        let (sa, sb) = (shape, other.shape)
        return Tensor.record(out, inputs: [self, other]) { g, _ in
            [g.summed(toShape: sa), g.summed(toShape: sb)]
        }
    }

    public func subtract(_ other: Tensor) -> Tensor {
        let out = Broadcast.apply(self, other, FloatDifference.self)
        let (sa, sb) = (shape, other.shape)
        return Tensor.record(out, inputs: [self, other]) { g, _ in
            [g.summed(toShape: sa), g.negated().summed(toShape: sb)]
        }
    }

    public func multiply(_ other: Tensor) -> Tensor {
        let out = Broadcast.apply(self, other, FloatProduct.self)
        return Tensor.record(out, inputs: [self, other]) { [self] g, _ in
            [
                self.requiresGrad ? Broadcast.apply(g, other, FloatProduct.self).summed(toShape: self.shape) : nil,
                other.requiresGrad ? Broadcast.apply(g, self, FloatProduct.self).summed(toShape: other.shape) : nil,
            ]
        }
    }

    public func divide(_ other: Tensor) -> Tensor {
        let out = Broadcast.apply(self, other, FloatQuotient.self)
        return Tensor.record(out, inputs: [self, other]) { [self] g, output in
            [
                self.requiresGrad ? Broadcast.apply(g, other, FloatQuotient.self).summed(toShape: self.shape) : nil,
                other.requiresGrad
                    ? Broadcast.apply(Broadcast.apply(g, output, FloatProduct.self), other, FloatNegatedQuotient.self)
                        .summed(toShape: other.shape)
                    : nil,
            ]
        }
    }

    /// -self.
    public func negated() -> Tensor {
        mapped({ -$0 }, derivative: { _, _ in -1 })
    }

    /// self * scalar.
    public func scaled(by factor: Float) -> Tensor {
        mapped({ $0 * factor }, derivative: { _, _ in factor })
    }

    /// self + scalar.
    public func shifted(by amount: Float) -> Tensor {
        mapped({ $0 + amount }, derivative: { _, _ in 1 })
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.add(b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.subtract(b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.multiply(b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.divide(b) }
    public static func + (a: Tensor, b: Float) -> Tensor { a.shifted(by: b) }
    public static func + (a: Float, b: Tensor) -> Tensor { b.shifted(by: a) }
    public static func - (a: Tensor, b: Float) -> Tensor { a.shifted(by: -b) }
    public static func - (a: Float, b: Tensor) -> Tensor { b.negated().shifted(by: a) }
    public static func * (a: Tensor, b: Float) -> Tensor { a.scaled(by: b) }
    public static func * (a: Float, b: Tensor) -> Tensor { b.scaled(by: a) }
    public static func / (a: Tensor, b: Float) -> Tensor { a.scaled(by: 1 / b) }
    public static prefix func - (a: Tensor) -> Tensor { a.negated() }
}
