/// The class a class-conditional sampler is asked to draw (`sample ddpm|ddim --class K|all`).
public enum ClassRequest: Sendable, Equatable {
    /// Every sample from class `K`.
    case one(Int)
    /// A row of samples per class, classes in order.
    case all

    /// `K` (a whole number from 0) or `all`; nil for anything else.
    public init?(_ text: String) {
        if text == "all" {
            self = .all
        } else if let index = Int(text), index >= 0 {
            self = .one(index)
        } else {
            return nil
        }
    }

    /// The requested class of each sample: `count` of class K, or `count` of each class in turn.
    /// - Throws: `SamplingRequestError` when K is not one of the `classCount` classes.
    public func labels(count: Int, classCount: Int) throws -> [Int] {
        switch self {
        case .one(let index):
            guard (0..<classCount).contains(index) else {
                throw SamplingRequestError(
                    "option '--class' must be one of the run's classes, 0 to \(classCount - 1), or 'all'; got \(index)")
            }
            return [Int](repeating: index, count: count)
        case .all:
            return (0..<classCount).flatMap { [Int](repeating: $0, count: count) }
        }
    }

    /// As the command line writes it.
    public var text: String {
        switch self {
        case .one(let index): return String(index)
        case .all: return "all"
        }
    }
}
