import Foundation
import TensorCore
import Testing

@testable import NeuralNet

@Suite struct OptimizerTests {
    @Test func adamMatchesHandComputedSteps() {
        // Two steps on p = [1, -2] with constant gradient g = [0.5, -0.1], lr 0.1, defaults.
        let p = Tensor(shape: [2], scalars: [1, -2]).requiringGrad()
        let adam = Adam(parameters: [("p", p)], learningRate: 0.1)
        var expected: [Double] = [1, -2]
        var m: [Double] = [0, 0]
        var v: [Double] = [0, 0]
        let g: [Double] = [0.5, -0.1]
        for t in 1...2 {
            p.grad = Tensor(shape: [2], scalars: g.map(Float.init))
            adam.step()
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mHat = m[i] / (1 - pow(0.9, Double(t)))
                let vHat = v[i] / (1 - pow(0.999, Double(t)))
                expected[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<2 { #expect(abs(Double(p.data[i]) - expected[i]) < 1e-5) }
        #expect(adam.stepCount == 2)
    }

    @Test func adamStateRoundTripContinuesIdentically() throws {
        func run(split: Bool) throws -> [Float] {
            let p = Tensor(shape: [3], scalars: [0.3, -0.2, 0.9]).requiringGrad()
            var adam = Adam(parameters: [("w", p)], learningRate: 0.05, weightDecay: 0.01)
            for step in 0..<6 {
                if split && step == 3 {
                    let state = adam.stateDict()
                    let copies = Dictionary(uniqueKeysWithValues: state.tensors.map { ($0.name, $0.tensor.copy()) })
                    adam = Adam(parameters: [("w", p)], learningRate: 0.05, weightDecay: 0.01)
                    try adam.loadStateDict(tensors: copies, counters: state.counters)
                }
                p.grad = (p * p).scaled(by: 2).detached().copy()
                adam.step()
            }
            return p.scalars
        }
        #expect(try run(split: false) == run(split: true))
    }

    @Test func sgdMomentumMatchesPyTorchRule() throws {
        let p = Tensor(shape: [1], scalars: [1]).requiringGrad()
        let sgd = SGD(parameters: [("p", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
        // step 1: d = 2 + 0.5*1 = 2.5, b = 2.5, p = 1 - 0.25 = 0.75
        p.grad = Tensor(shape: [1], scalars: [2])
        sgd.step()
        #expect(abs(p.data[0] - 0.75) < 1e-6)
        // step 2: d = 2 + 0.375 = 2.375, b = 0.9*2.5 + 2.375 = 4.625, p = 0.75 - 0.4625 = 0.2875
        sgd.step()
        #expect(abs(p.data[0] - 0.2875) < 1e-6)
        // The step count travels with the state; PyTorch's SGD state has none and reads as 0.
        #expect(sgd.stepCount == 2)
        let state = sgd.stateDict()
        let copy = SGD(parameters: [("p", p)], learningRate: 0.1, momentum: 0.9)
        try copy.loadStateDict(
            tensors: Dictionary(uniqueKeysWithValues: state.tensors.map { ($0.name, $0.tensor) }),
            counters: state.counters)
        #expect(copy.stepCount == 2)
        try copy.loadStateDict(tensors: [:], counters: [:])
        #expect(copy.stepCount == 0)
    }

    @Test func namedOptimizersMakeOneOptimizerPerGroupInOrder() {
        let a = Tensor(zeros: [2]).requiringGrad()
        let b = Tensor(zeros: [3]).requiringGrad()
        let groups = [ParameterGroup("first", [("a", a)]), ParameterGroup("second", [("a", a), ("b", b)])]
        let optimizers = NamedOptimizers(groups) { Adam(parameters: $0.parameters, learningRate: 0.5) }
        #expect(optimizers.entries.map(\.name) == ["first", "second"])
        #expect(optimizers["second"].parameters.map(\.name) == ["a", "b"])
        #expect(optimizers["first"].parameters[0].tensor === a && optimizers["first"].learningRate == 0.5)
        #expect(!optimizers.isEmpty && NamedOptimizers([]).isEmpty)
    }

    /// A parameter whose gradient turns zero has its first moment decay by beta1 a step. Without the
    /// flush it becomes subnormal after about 750 steps and stays there; Adam stores zero instead.
    /// A gradient of 1e-20 makes a subnormal second moment on the first step, flushed the same way.
    /// 20 elements: the 16-lane loop and the scalar tail.
    @Test func adamFlushesSubnormalMomentsToZero() {
        let count = 20
        let p = Tensor(shape: [count], scalars: (0..<count).map { 0.5 + Float($0) }).requiringGrad()
        let adam = Adam(parameters: [("p", p)], learningRate: 1e-3)
        // The unflushed first moments of the even (gradient 1e-3, then 0) and odd (gradient 1e-20) elements.
        let beta1: Float = 0.9
        var (reference, odd): (Float, Float) = (0, 0)
        for step in 0..<900 {
            let g: Float = step == 0 ? 1e-3 : 0
            p.grad = Tensor(shape: [count], scalars: (0..<count).map { $0 % 2 == 0 ? g : 1e-20 })
            adam.step()
            reference = beta1 * reference + (1 - beta1) * g
            odd = beta1 * odd + (1 - beta1) * 1e-20
            let state = Dictionary(uniqueKeysWithValues: adam.stateDict().tensors.map { ($0.name, $0.tensor.scalars) })
            let (m, v) = (state["p.exp_avg"]!, state["p.exp_avg_sq"]!)
            #expect(!(m + v).contains { $0.isSubnormal }, "step \(step)")
            if reference.isNormal {
                #expect((0..<count).allSatisfy { m[$0] == ($0 % 2 == 0 ? reference : odd) })
            } else {
                #expect((0..<count).allSatisfy { m[$0] == ($0 % 2 == 0 ? 0 : odd) })
            }
            // 0.001 * (1e-20)^2 is far below the smallest normal float.
            #expect((0..<count).allSatisfy { $0 % 2 == 0 || v[$0] == 0 })
        }
        // The decay without the flush does reach the subnormals (so the loop above tested the flush).
        #expect(reference.isSubnormal)
        #expect(p.scalars.allSatisfy { $0.isNormal })
    }

    @Test func sgdFlushesASubnormalMomentumBufferToZero() {
        let p = Tensor(shape: [1], scalars: [1]).requiringGrad()
        let sgd = SGD(parameters: [("p", p)], learningRate: 1e-6, momentum: 0.9)
        var reference: Float = 1
        p.grad = Tensor(shape: [1], scalars: [1])
        sgd.step()
        p.grad = Tensor(shape: [1], scalars: [0])
        for _ in 0..<900 {
            sgd.step()
            reference *= 0.9
            let buffer = sgd.stateDict().tensors[0].tensor.scalars[0]
            #expect(buffer == (reference.isNormal ? reference : 0))
        }
        #expect(reference.isSubnormal)
    }

    @Test func loadingMismatchedStateThrows() {
        let p = Tensor(zeros: [2]).requiringGrad()
        let adam = Adam(parameters: [("w", p)])
        #expect(throws: OptimizerStateError.self) {
            try adam.loadStateDict(
                tensors: ["w.exp_avg": Tensor(zeros: [3]), "w.exp_avg_sq": Tensor(zeros: [2])], counters: ["step": 1])
        }
        #expect(throws: OptimizerStateError.self) { try adam.loadStateDict(tensors: [:], counters: [:]) }
    }
}

/// Adam's update over the compute threads gives exactly the single-pass result.
@Suite struct ThreadedAdamTests {
    @Test func largeTensorsUpdateAsOnePass() {
        var generator = RandomGenerator(seed: 3)
        let count = 200_003
        let parameter = Tensor.randomUniform([count], low: -1, high: 1, generator: &generator).requiringGrad()
        let reference = parameter.copy()
        let adam = Adam(parameters: [("p", parameter)], learningRate: 0.01, weightDecay: 0.1)
        let (m, v) = (Tensor(zeros: [count]), Tensor(zeros: [count]))
        for step in 1...3 {
            let gradient = Tensor.randomUniform([count], low: -1, high: 1, generator: &generator)
            parameter.grad = gradient
            adam.step()
            let correction1 = 1 - Foundation.pow(Float(0.9), Float(step))
            let correction2 = 1 - Foundation.pow(Float(0.999), Float(step))
            Adam.update(
                count: count, parameter: reference.data, gradient: gradient.data, firstMoment: m.data,
                secondMoment: v.data, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1,
                stepSize: 0.01 / correction1, inverseRootCorrection2: 1 / correction2.squareRoot())
        }
        #expect(parameter.scalars == reference.scalars)
    }
}
