import Foundation
import Testing

/// The L2 radius of `attack --norm 2` / `pgd-l2` and `bench threats --l2` against the image size of the data
/// (README: a folder's images may have any height and width). No two images in [0, 1] of P pixels are more
/// than sqrt(P) apart in L2.
@Suite struct L2RadiusImageSizeCLITests {
    /// Bug: the L2 radius was held to (0, 28], the bound of 28x28 images: on 32x32 images `pgd-l2 --eps 30`
    /// was refused as out of range, and on 1x1 images `--eps 1.5` was taken and the attack failed after
    /// loading with exit status 1 ("pgd-l2: L2 radius eps must be in (0, 1.0]"), as did `bench threats`
    /// with its default `--l2 1.5`. The bound is now the data's sqrt(pixels), and a radius above it is a
    /// usage error naming the option.
    @Test func theRadiusIsBoundedByTheImagesPixels() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: "\(root)/one", side: 1, count: 30, classes: 3)
        try writeIDXDataset(folder: "\(root)/big", side: 32, count: 30, classes: 3)
        try trainRuns(
            [
                ["mlp", "--run", "one", "--data", "\(root)/one"], ["mlp", "--run", "one-b", "--data", "\(root)/one"],
                ["mlp", "--run", "big", "--data", "\(root)/big"],
            ],
            options: ["--quiet"], runsRoot: root)
        let wide = try ManifoldBinary.run(
            ["attack", "pgd-l2", "--run", "big", "--eps", "30", "--steps", "2", "--n", "3", "--quiet"], runsRoot: root)
        #expect(wide.status == 0, "pgd-l2 --eps 30 on 32x32: \(wide.stderr)")
        let tooWide = try ManifoldBinary.run(
            ["attack", "pgd-l2", "--run", "big", "--eps", "33", "--steps", "2", "--n", "3", "--quiet"], runsRoot: root)
        expectOneLine(tooWide, status: 2, "option '--eps' 33", "pgd-l2 --eps 33 on 32x32")
        for method in [
            ["pgd-l2", "--steps", "2"], ["square", "--norm", "2"], ["fab", "--norm", "2", "--steps", "2"],
        ] {
            let label = method[0] + " --eps 1.5 on 1x1"
            let tiny = try ManifoldBinary.run(
                ["attack"] + method + ["--run", "one", "--eps", "1.5", "--n", "3", "--quiet"], runsRoot: root)
            expectOneLine(tiny, status: 2, "option '--eps' 1.5", label)
            #expect(tiny.stderr.contains("at most 1"), "\(label): \(tiny.stderr)")
        }
        let fits = try ManifoldBinary.run(
            ["attack", "pgd-l2", "--run", "one", "--eps", "1", "--steps", "2", "--n", "3", "--quiet"], runsRoot: root)
        #expect(fits.status == 0, "pgd-l2 --eps 1 on 1x1: \(fits.stderr)")
        let threats = try ManifoldBinary.run(
            ["bench", "threats", "--runs", "one,one-b", "--n", "3", "--steps", "2", "--quiet"], runsRoot: root)
        expectOneLine(threats, status: 2, "option '--l2' 1.5", "bench threats on 1x1")
    }
}
