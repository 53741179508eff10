import TensorCore

/// Pixel-level transforms of batches of grayscale images `[count, height, width]` with values in [0, 1].
public enum ImageTransforms {
    /// Adds Gaussian noise with standard deviation `sigma` to every pixel (the corruption of a
    /// denoising autoencoder), optionally clamping to [0, 1].
    public static func addGaussianNoise(
        _ images: [Float], sigma: Float, clamp: Bool = true, generator: inout RandomGenerator
    ) -> [Float] {
        images.map { pixel in
            let noisy = pixel + sigma * generator.gaussian()
            return clamp ? min(max(noisy, 0), 1) : noisy
        }
    }

    /// A trigger pattern for backdoor poisoning (Gu, Dolan-Gavitt & Garg 2017, "BadNets").
    public struct Trigger: Sendable, Equatable {
        /// Row-major pattern values in [0, 1].
        public var pattern: [Float]
        public var height: Int
        public var width: Int
        /// Top-left corner of the patch in the image.
        public var row: Int
        public var column: Int

        public init(pattern: [Float], height: Int, width: Int, row: Int, column: Int) {
            precondition(pattern.count == height * width, "pattern must hold height * width values")
            self.pattern = pattern
            self.height = height
            self.width = width
            self.row = row
            self.column = column
        }

        /// A `size`x`size` checkerboard in the bottom-right corner of a `imageHeight`x`imageWidth`
        /// image, one pixel from the edges: the classic BadNets trigger.
        public static func checkerboard(size: Int = 4, imageHeight: Int = 28, imageWidth: Int = 28) -> Trigger {
            let pattern = (0..<(size * size)).map { i in Float((i / size + i % size) % 2 == 0 ? 1 : 0) }
            return Trigger(
                pattern: pattern, height: size, width: size,
                row: imageHeight - size - 1, column: imageWidth - size - 1)
        }
    }

    /// Stamps `trigger` onto every image (pixels under the patch are replaced; parts outside the image
    /// are clipped).
    public static func stampTrigger(_ images: [Float], trigger: Trigger, imageHeight: Int, imageWidth: Int) -> [Float] {
        var out = images
        stampTrigger(&out, trigger: trigger, imageHeight: imageHeight, imageWidth: imageWidth)
        return out
    }

    /// Stamps `trigger` onto every image in place; with `indices`, only onto those images.
    public static func stampTrigger(
        _ images: inout [Float], trigger: Trigger, imageHeight: Int, imageWidth: Int, indices: [Int]? = nil
    ) {
        let pixels = imageHeight * imageWidth
        precondition(pixels > 0 && images.count % pixels == 0, "images must be [count, height, width]")
        let targets = indices ?? Array(0..<(images.count / pixels))
        for image in targets {
            for r in 0..<trigger.height {
                let y = trigger.row + r
                guard y >= 0, y < imageHeight else { continue }
                for c in 0..<trigger.width {
                    let x = trigger.column + c
                    guard x >= 0, x < imageWidth else { continue }
                    images[image * pixels + y * imageWidth + x] = trigger.pattern[r * trigger.width + c]
                }
            }
        }
    }
}
