import Base
import Datasets

/// The height and width of a generative run's images, for drawing its samples as pictures (a grid PNG,
/// the workbench's Sample screen): a run of non-square images (28x20) is not drawn as square tiles.
public enum RunImageSize {
    /// `image_height` x `image_width` from config.json when they are there and give `pixels` (every run
    /// trained since they were recorded); else a square when `pixels` is a square number; else the size of the test
    /// images of the run's `data` (an older run of non-square images); else one row of `pixels`.
    public static func of(config: [String: JSONValue], pixels: Int) -> (height: Int, width: Int) {
        if let height = config["image_height"]?.integerValue, let width = config["image_width"]?.integerValue,
            height > 0, width > 0, height * width == pixels
        {
            return (height, width)
        }
        let side = Int(Double(pixels).squareRoot().rounded())
        if side * side == pixels { return (side, side) }
        if let spec = config["data"]?.stringValue,
            let dataset = try? DatasetLoader.load(spec, seed: 0, withTraining: false), dataset.pixelCount == pixels
        {
            return (dataset.imageHeight, dataset.imageWidth)
        }
        return (1, max(pixels, 1))
    }
}
