import Foundation
import Testing

/// The runs the guidance refusal tests share (`sample --classifier-guidance`, `bench guidance`): an
/// unconditional MLP DDPM run `ddpm`, a classifier `clf` of the same data, `clf14` of 14x14 images and
/// `clf5`, a copy of `clf` whose config names five classes; all trained with `small` in `root`.
func writeGuidanceRuns(root: String, ddpm: String, small: [String]) throws {
    let folder = "\(root)/tiny14"
    try writeIDXDataset(folder: folder, side: 14, count: 20)
    for arguments in [
        ["train", "ddpm", "--net", "mlp", "--epochs", "1", "--run", ddpm],
        ["train", "mlp", "--epochs", "1", "--run", "clf"],
        ["train", "mlp", "--epochs", "1", "--run", "clf14", "--data", folder],
    ] {
        let result = try ManifoldBinary.run(arguments + small, runsRoot: root)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }
    try FileManager.default.copyItem(atPath: "\(root)/clf", toPath: "\(root)/clf5")
    let configPath = "\(root)/clf5/config.json"
    let config = try String(contentsOfFile: configPath, encoding: .utf8)
    let five = try #require(config.range(of: #""class_names"\s*:\s*\[[^\]]*\]"#, options: .regularExpression))
    try config.replacingCharacters(in: five, with: #""class_names": ["0", "1", "2", "3", "4"]"#)
        .write(toFile: configPath, atomically: true, encoding: .utf8)
}
