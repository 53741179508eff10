extension Classifier {
    /// How many weights (every parameter's elements) a classifier of these sizes has, worked out without
    /// building it: a run's `config.json` names the sizes, and a damaged one (`"image_height": 4096`) must
    /// be refused before 17 GB of weights are allocated for it, not after (`RunCheckpoint.checkRoom`).
    /// - Precondition: `sizeProblem` finds none (the cnn's sides are divisible by 4).
    public static func parameterCount(
        kind: Kind, architecture: Architecture = .standard, imageHeight: Int, imageWidth: Int, classCount: Int,
        hiddenWidth: Int = 256
    ) -> Int {
        /// A `Linear` layer's weight and bias, or a convolution's (`inputs` = input channels x kernel area).
        func layer(_ inputs: Int, _ outputs: Int) -> Int { inputs * outputs + outputs }
        let quarter = (imageHeight / 4) * (imageWidth / 4)
        switch (kind, architecture) {
        case (.mlp, _):
            return layer(imageHeight * imageWidth, hiddenWidth) + layer(hiddenWidth, hiddenWidth)
                + layer(hiddenWidth, classCount)
        case (.cnn, .standard):
            return layer(9, 32) + layer(32 * 9, 64) + layer(64 * quarter, 128) + layer(128, classCount)
        case (.cnn, .madry):
            return layer(25, 32) + layer(32 * 25, 64) + layer(64 * quarter, 1024) + layer(1024, classCount)
        case (.cnn, .wong):
            return layer(16, 16) + layer(16 * 16, 32) + layer(32 * quarter, 100) + layer(100, classCount)
        }
    }
}
