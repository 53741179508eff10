import Foundation
import Testing

@testable import Datasets

/// Writes an MNIST-format folder: `train` and `test` examples of `height`x`width` images.
private func writeMNISTFolder(
    _ folder: String, train: Int = 6, test: Int = 4, height: Int = 5, width: Int = 3, gzipped: Set<String> = []
) throws {
    let files: [(String, [UInt8])] = [
        (DatasetLoader.trainImagesFile, idxBytes([train, height, width])),
        (DatasetLoader.trainLabelsFile, idxBytes([train], payload: (0..<train).map { UInt8($0 % 10) })),
        (DatasetLoader.testImagesFile, idxBytes([test, height, width])),
        (DatasetLoader.testLabelsFile, idxBytes([test], payload: (0..<test).map { UInt8(9 - $0 % 10) })),
    ]
    for (name, bytes) in files {
        if gzipped.contains(name) {
            try writeFile(gzip(bytes), to: folder + "/" + name + ".gz")
        } else {
            try writeFile(bytes, to: folder + "/" + name)
        }
    }
}

@Suite struct DatasetLoaderTests {
    /// Bug: a data file that is a symbolic link to a file no longer there was reported as missing; it is
    /// named as the dangling link it is.
    @Test func aDanglingLinkIsNamedAsOne() throws {
        let folder = try makeTemporaryFolder("mnist-dangling")
        defer { removeFolder(folder) }
        try writeMNISTFolder(folder)
        let file = folder + "/" + DatasetLoader.testLabelsFile
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: folder + "/gone")
        let message = datasetErrorMessage { _ = try DatasetLoader.load(folder, seed: 0) }
        #expect(
            message == "\(file): cannot read: a symbolic link to '\(folder)/gone', which is not there",
            "\(message ?? "")")
    }

    @Test func loadsAnMNISTFolderRawAndGzipped() throws {
        let folder = try makeTemporaryFolder("mnist")
        defer { removeFolder(folder) }
        try writeMNISTFolder(folder, gzipped: [DatasetLoader.trainImagesFile, DatasetLoader.testLabelsFile])
        let data = try DatasetLoader.load(folder + "/", seed: 0)
        #expect(data.name == URL(fileURLWithPath: folder).lastPathComponent)
        #expect(data.classNames == (0..<10).map(String.init))
        #expect(data.imageHeight == 5 && data.imageWidth == 3)
        #expect(data.trainCount == 6 && data.testCount == 4)
        #expect(data.trainLabels == [0, 1, 2, 3, 4, 5])
        #expect(data.testLabels == [9, 8, 7, 6])
        #expect(data.trainImages[1] == Float(7) / 255)
        #expect(data.trainImages.allSatisfy { $0 >= 0 && $0 <= 1 })
        let small = data.subset(train: 2, test: 10)
        #expect(small.trainCount == 2 && small.testCount == 4)
        #expect(small.trainImages == Array(data.trainImages[0..<30]))
    }

    /// Bug: a folder as some MNIST downloads unpack it (`train-images.idx3-ubyte`, a dot before `idx`) was
    /// refused as missing `train-images-idx3-ubyte`, though the files were all there. Both spellings load,
    /// raw or gzipped.
    @Test func loadsTheDottedSpellingOfSomeDownloads() throws {
        let folder = try makeTemporaryFolder("mnist-dotted")
        defer { removeFolder(folder) }
        try writeMNISTFolder(folder, gzipped: [DatasetLoader.testImagesFile])
        let canonical = try DatasetLoader.load(folder, seed: 0)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let dotted = file.replacingOccurrences(of: "-idx", with: ".idx")
            try FileManager.default.moveItem(atPath: folder + "/" + file, toPath: folder + "/" + dotted)
        }
        let data = try DatasetLoader.load(folder, seed: 0)
        #expect(data.trainImages == canonical.trainImages && data.trainLabels == canonical.trainLabels)
        #expect(data.testImages == canonical.testImages && data.testLabels == canonical.testLabels)
        #expect(data.imageHeight == 5 && data.imageWidth == 3)
    }

    @Test func readsTheTestSplitAloneWhenAsked() throws {
        let folder = try makeTemporaryFolder("mnist-test-only")
        defer { removeFolder(folder) }
        try writeMNISTFolder(folder, gzipped: [DatasetLoader.testImagesFile])
        let both = try DatasetLoader.load(folder, seed: 0)
        let testOnly = try DatasetLoader.load(folder, seed: 0, withTraining: false)
        #expect(testOnly.trainCount == 0 && testOnly.trainImages.isEmpty)
        #expect(testOnly.testImages == both.testImages && testOnly.testLabels == both.testLabels)
        #expect(testOnly.imageHeight == 5 && testOnly.imageWidth == 3 && testOnly.name == both.name)
        #expect(testOnly.subset(train: 1, test: 2).testCount == 2)
        // The training images are not read at all (the training labels are, for the class count): a folder
        // without them still gives its test split.
        try FileManager.default.removeItem(atPath: folder + "/" + DatasetLoader.trainImagesFile)
        #expect(try DatasetLoader.load(folder, seed: 0, withTraining: false).testLabels == both.testLabels)
        #expect(
            datasetErrorMessage { _ = try DatasetLoader.load(folder, seed: 0) }?.contains("missing train-images")
                == true)
        // The synthetic digits draw their test split from its own stream: the same images either way.
        let synthetic = try DatasetLoader.load("synthetic", seed: 5, withTraining: false)
        #expect(synthetic.trainCount == 0 && synthetic.testImages == SyntheticDigits.make(seed: 5).testImages)
    }

    @Test func reportsWhatIsWrongWithAFolder() throws {
        let folder = try makeTemporaryFolder("mnist-bad")
        defer { removeFolder(folder) }
        func expectMessage(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let message = datasetErrorMessage { _ = try DatasetLoader.load(folder, seed: 0) }
            #expect(message?.contains(fragment) == true, "\(message ?? "accepted")", sourceLocation: sourceLocation)
            #expect(message?.contains("\n") == false, sourceLocation: sourceLocation)
        }
        func reset() throws {
            removeFolder(folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try writeMNISTFolder(folder)
        }

        try reset()
        try FileManager.default.removeItem(atPath: folder + "/t10k-labels-idx1-ubyte")
        expectMessage("\(folder): missing t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)")

        try reset()
        try writeFile(idxBytes([5], payload: [0, 1, 2, 3, 4]), to: folder + "/train-labels-idx1-ubyte")
        expectMessage("\(folder)/train-labels-idx1-ubyte: 5 labels for 6 images in \(folder)/train-images-idx3-ubyte")

        // A folder's classes are as many as its labels need; named classes (Fashion's ten) bound them.
        try reset()
        try writeFile(idxBytes([4], payload: [0, 1, 12, 3]), to: folder + "/t10k-labels-idx1-ubyte")
        #expect(try DatasetLoader.load(folder, seed: 0).classNames == (0...12).map(String.init))
        #expect(try DatasetLoader.load(folder, seed: 0, withTraining: false).classCount == 13)
        let named = datasetErrorMessage {
            _ = try DatasetLoader.loadFolder(folder, name: "ten", classNames: (0..<10).map(String.init))
        }
        #expect(named == "\(folder)/t10k-labels-idx1-ubyte: label 12 at index 2 is outside 0...9", "\(named ?? "")")

        try reset()
        try writeFile(idxBytes([6, 15]), to: folder + "/train-images-idx3-ubyte")
        expectMessage(
            "\(folder)/train-images-idx3-ubyte: its IDX header (magic number 00 00 08 02) has 2 dimensions, but images "
                + "[count, height, width] need 3")

        try reset()
        try writeFile(idxBytes([4, 3, 5]), to: folder + "/t10k-images-idx3-ubyte")
        expectMessage("\(folder)/t10k-images-idx3-ubyte: images are 3x5 but the training images are 5x3")

        try reset()
        try FileManager.default.removeItem(atPath: folder + "/train-images-idx3-ubyte")
        try writeFile(Array(gzip(idxBytes([6, 5, 3])).dropLast(12)), to: folder + "/train-images-idx3-ubyte.gz")
        expectMessage("\(folder)/train-images-idx3-ubyte.gz: truncated gzip stream")

        try reset()
        try FileManager.default.removeItem(atPath: folder + "/train-labels-idx1-ubyte")
        var corrupt = gzip(idxBytes([6], payload: [0, 1, 2, 3, 4, 5]))
        corrupt[12] ^= 0xFF
        try writeFile(corrupt, to: folder + "/train-labels-idx1-ubyte.gz")
        expectMessage("\(folder)/train-labels-idx1-ubyte.gz: corrupt gzip stream")

        // Bug: a folder with no training images (count 0 in the header) trapped in the first training
        // step; one with no test images trained and reported "test accuracy 0.0000, loss 0.0000".
        try reset()
        try writeFile(idxBytes([0, 5, 3]), to: folder + "/train-images-idx3-ubyte")
        try writeFile(idxBytes([0]), to: folder + "/train-labels-idx1-ubyte")
        expectMessage("\(folder)/train-images-idx3-ubyte: holds no images (its count is 0)")
        try reset()
        try writeFile(idxBytes([0, 5, 3]), to: folder + "/t10k-images-idx3-ubyte")
        try writeFile(idxBytes([0]), to: folder + "/t10k-labels-idx1-ubyte")
        expectMessage("\(folder)/t10k-images-idx3-ubyte: holds no images (its count is 0)")
    }

    @Test func unknownSpec() {
        let message = datasetErrorMessage { _ = try DatasetLoader.load("/no/such/folder", seed: 0) }
        #expect(message?.hasPrefix("no such folder '/no/such/folder'") == true)
        #expect(
            datasetErrorMessage { _ = try DatasetLoader.load("mnist-please", seed: 0) }
                == "unknown dataset 'mnist-please' (known: synthetic, fashion, or a folder path)")
    }

    @Test func syntheticIsTheDefault() throws {
        let start = Date()
        let data = try DatasetLoader.load("synthetic", seed: 3)
        print("SyntheticDigits 20,000 + 4,000 rendered in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(data.name == "synthetic" && data.trainCount == 20_000 && data.testCount == 4_000)
    }

    static let fashionInstalled = FileManager.default.fileExists(atPath: DatasetLoader.fashionFolder)

    @Test(
        .enabled(
            if: fashionInstalled,
            "Fashion-MNIST is not installed at /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)"
        ))
    func loadsFashionMNIST() throws {
        let start = Date()
        let data = try DatasetLoader.load("fashion", seed: 0)
        let seconds = Date().timeIntervalSince(start)
        print("Fashion-MNIST loaded in \(String(format: "%.2f", seconds)) s")
        #expect(data.name == "fashion")
        #expect(
            data.classNames.count == 10 && data.classNames[0] == "T-shirt/top" && data.classNames[9] == "Ankle boot")
        #expect(data.imageHeight == 28 && data.imageWidth == 28)
        #expect(data.trainCount == 60_000 && data.testCount == 10_000)
        #expect(data.trainImages.count == 60_000 * 784)
        #expect(Set(data.trainLabels) == Set(0..<10) && Set(data.testLabels) == Set(0..<10))
        #expect(data.trainImages.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(data.trainImages.contains(1) && data.trainImages.contains(0))
    }
}
