import Foundation
import Models

/// The Home screen's menu: what to train, on which data, with a one-line hint per item.
struct HomeMenu {
    struct Item {
        let model: Classifier.Kind
        let title: String
        let hint: String
    }

    static let items: [Item] = [
        Item(model: .mlp, title: "Train MLP classifier", hint: "784-256-256-10 ReLU, Adam 1e-3: about a second per epoch; the model the attacks use"),
        Item(model: .cnn, title: "Train CNN classifier", hint: "two 3x3 conv layers + max-pool + two dense layers: slower, more accurate, more robust"),
    ]

    var selected = 0
    var datasetIndex = 0

    /// Datasets offered: the embedded digits, and Fashion-MNIST when Debian's package is installed.
    var datasets: [String] {
        var list = ["synthetic"]
        if FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") {
            list.append("fashion")
        }
        return list
    }

    var dataset: String { datasets[min(datasetIndex, datasets.count - 1)] }
    var selectedModel: Classifier.Kind { HomeMenu.items[selected].model }

    mutating func move(_ delta: Int) {
        selected = (selected + delta + HomeMenu.items.count) % HomeMenu.items.count
    }

    mutating func cycleDataset(_ delta: Int) {
        datasetIndex = (datasetIndex + delta + datasets.count) % datasets.count
    }
}
