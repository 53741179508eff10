import Base
import Engine
import Foundation
import SafeTensors
import Testing

@testable import Workbench

/// Bug: the Attack lab (Runs `Enter`) attacked a classifier run whose config.json said `image_height: 0`,
/// building the classifier from the data's sizes, where `attack` and `eval` refuse that config. The lab
/// refuses it too, with their message.
struct DamagedConfigAttackLabTests {
    @Test func theLabRefusesADamagedImageSize() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let path = "\(root)/clf/config.json"
        guard case .object(var config) = try JSONValue.parse(try FileIO.readAll(path: path)) else {
            Issue.record("config.json is no object")
            return
        }
        config["image_height"] = .integer(0)
        try FileIO.writeAtomically(Array(JSONValue.object(config).serialized().utf8), path: path)
        #expect {
            _ = try Job.attack(run: RunDirectory(root: root, name: "clf"), running: false)
        } throws: { error in
            "\(error)".contains("clf/config.json: image_height must be a whole number from 1 to 4096, got 0")
        }
    }
}
