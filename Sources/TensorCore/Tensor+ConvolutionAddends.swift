/// A convolution whose output then takes a per-channel shift and a residual: the end of a U-Net block
/// (the time embedding added after its first convolution, the skip connection after its second).
extension Tensor {
    /// `conv2d(weight:bias:stride:padding:allowWinograd:)`, then `shiftedPerChannel(by: shift)` where a
    /// shift (`[batch, outC]`) is given, then `+ residual` where one is given: bitwise those ops' result.
    /// Where nothing is recorded, Winograd applies and the residual has the output's shape, the output
    /// transform adds the shift and the residual as it writes each row (`WinogradOutputAddends`),
    /// instead of two more passes that each read and write the whole feature map; otherwise it runs
    /// the three ops, and records them where they are recorded.
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, allowWinograd: Bool = false,
        shiftedPerChannelBy shift: Tensor?, adding residual: Tensor?
    ) -> Tensor {
        let recorded =
            GradMode.isEnabled
            && [self, weight, bias, shift, residual].contains { $0?.requiresGrad == true }
        if allowWinograd && !recorded
            && Self.winogradApplies(input: self, weight: weight, stride: stride, padding: padding)
            && shift.map({ $0.shape == [shape[0], weight.shape[0]] }) != false
            && residual.map({ $0.shape == [shape[0], weight.shape[0], shape[2], shape[3]] }) != false
        {
            return conv2dWinograd(weight: weight, bias: bias, shift: shift, residual: residual)
        }
        var out = conv2d(weight: weight, bias: bias, stride: stride, padding: padding, allowWinograd: allowWinograd)
        if let shift { out = out.shiftedPerChannel(by: shift) }
        if let residual { out = out + residual }
        return out
    }
}
