import Datasets
import TensorCore

/// Label-flipping poisoning (MATH.md section 10; Biggio, Nelson & Laskov 2012, "Poisoning Attacks against
/// Support Vector Machines", random flips as their baseline): a fraction of the training labels is
/// changed to a different class drawn uniformly, the images untouched. Measured by the clean test
/// accuracy of a model trained on the poisoned set, as a curve over fractions.
public enum LabelFlipPoisoning {
    /// The dataset with `round(fraction * trainCount)` training labels flipped (test set untouched).
    /// - Parameters: `fraction` in [0, 1]; `seed` picks the images and the new labels.
    /// - Returns: the poisoned dataset and the indices of the flipped training images.
    public static func poison(_ dataset: Dataset, fraction: Double, seed: UInt64) -> (dataset: Dataset, flipped: [Int])
    {
        precondition((0...1).contains(fraction), "flip fraction must be in [0, 1]")
        precondition(dataset.classCount >= 2, "label flipping needs two classes")
        var generator = RandomGenerator(seed: seed)
        let count = Int((fraction * Double(dataset.trainCount)).rounded())
        let chosen = Array(generator.permutation(dataset.trainCount).prefix(count)).sorted()
        var poisoned = dataset
        for index in chosen {
            let shift = 1 + generator.index(below: dataset.classCount - 1)
            poisoned.trainLabels[index] = (dataset.trainLabels[index] + shift) % dataset.classCount
        }
        return (poisoned, chosen)
    }
}
