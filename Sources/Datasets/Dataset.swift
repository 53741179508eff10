/// A labelled image dataset held in memory: grayscale images with pixels in [0, 1], split into a
/// training and a test set.
public struct Dataset: Sendable {
    /// A short name for listings ("synthetic", "fashion", or the folder's name).
    public var name: String
    /// The name of each class, indexed by label.
    public var classNames: [String]
    public var imageHeight: Int
    public var imageWidth: Int
    /// Training images, `[trainCount, imageHeight, imageWidth]` row-major, pixels in [0, 1].
    public var trainImages: [Float]
    /// One label per training image, in `0..<classNames.count`.
    public var trainLabels: [Int]
    /// Test images, `[testCount, imageHeight, imageWidth]` row-major, pixels in [0, 1].
    public var testImages: [Float]
    /// One label per test image, in `0..<classNames.count`.
    public var testLabels: [Int]

    public init(
        name: String, classNames: [String], imageHeight: Int, imageWidth: Int,
        trainImages: [Float], trainLabels: [Int], testImages: [Float], testLabels: [Int]
    ) {
        precondition(
            trainImages.count == trainLabels.count * imageHeight * imageWidth, "train images and labels disagree")
        precondition(testImages.count == testLabels.count * imageHeight * imageWidth, "test images and labels disagree")
        self.name = name
        self.classNames = classNames
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.trainImages = trainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
    }

    /// Pixels per image (`imageHeight * imageWidth`).
    public var pixelCount: Int { imageHeight * imageWidth }
    public var trainCount: Int { trainLabels.count }
    public var testCount: Int { testLabels.count }
    public var classCount: Int { classNames.count }

    /// The first `train` training and first `test` test examples (fewer if the dataset is smaller).
    public func subset(train: Int, test: Int) -> Dataset {
        let n = min(max(train, 0), trainCount)
        let m = min(max(test, 0), testCount)
        return Dataset(
            name: name, classNames: classNames, imageHeight: imageHeight, imageWidth: imageWidth,
            trainImages: Array(trainImages[0..<(n * pixelCount)]), trainLabels: Array(trainLabels[0..<n]),
            testImages: Array(testImages[0..<(m * pixelCount)]), testLabels: Array(testLabels[0..<m]))
    }

    /// The pixels of training image `index`.
    public func trainImage(_ index: Int) -> ArraySlice<Float> {
        trainImages[(index * pixelCount)..<((index + 1) * pixelCount)]
    }

    /// The pixels of test image `index`.
    public func testImage(_ index: Int) -> ArraySlice<Float> {
        testImages[(index * pixelCount)..<((index + 1) * pixelCount)]
    }
}
