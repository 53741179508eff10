import Base
import Foundation
import Testing

/// End-to-end tests of `--data PATH` on IDX folders that are not MNIST's shape: images of other sizes,
/// few images, odd file names. Each test writes its own tiny folder.
@Suite(.serialized) struct IDXFolderCLITests {
    /// Bug: `sample` on a run of 28x20 images drew its grid as tiles of 23x24 pixels (the square root of
    /// 560), so every sample came out sheared and cut. The tiles are now 20 wide and 28 tall.
    @Test func sampleGridKeepsTheShapeOfNonSquareImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/tall"
        try writeIDXDataset(folder: data, side: 28, width: 20, count: 40)
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--data", data, "--epochs", "1", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let out = "\(root)/grid.png"
        let drawn = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--n", "4", "--no-scores", "--out", out, "--quiet"], runsRoot: root)
        try #require(drawn.status == 0, "\(drawn.stderr)")
        // 2 x 2 tiles of 20x28 with a 1-pixel gap around each.
        let size = try pngSize(out)
        #expect(size.width == 2 * 21 + 1 && size.height == 2 * 29 + 1, "\(size)")
    }
}
