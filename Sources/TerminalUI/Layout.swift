/// How much space one slot of a `Layout` asks for.
public enum Constraint: Hashable, Sendable {
    /// Exactly `n` cells (less only when space runs out).
    case length(Int)
    /// `p` percent of the total (0-100).
    case percentage(Int)
    /// At least `n` cells; grows like `fill(1)` when there is room.
    case min(Int)
    /// A share of the space left over, proportional to the weight.
    case fill(Int)
}

/// Splits a rectangle into rows or columns from a small vocabulary of constraints, greedily.
///
/// Fixed lengths, percentages and minimums are satisfied first (in that order of priority when
/// space is short: later slots shrink first); the remainder is shared between `fill` and `min`
/// slots by weight. The parts never overlap and never leave the rectangle.
public struct Layout: Sendable {
    /// Split direction.
    public enum Direction: Sendable { case vertical, horizontal }

    public var direction: Direction
    public var constraints: [Constraint]
    /// Empty cells between parts.
    public var spacing: Int

    public init(_ direction: Direction, _ constraints: [Constraint], spacing: Int = 0) {
        self.direction = direction
        self.constraints = constraints
        self.spacing = max(0, spacing)
    }

    /// Stacks rows top to bottom.
    public static func vertical(_ constraints: [Constraint], spacing: Int = 0) -> Layout {
        Layout(.vertical, constraints, spacing: spacing)
    }

    /// Places columns left to right.
    public static func horizontal(_ constraints: [Constraint], spacing: Int = 0) -> Layout {
        Layout(.horizontal, constraints, spacing: spacing)
    }

    /// The parts of `area`, one per constraint.
    public func split(_ area: Rect) -> [Rect] {
        let count = constraints.count
        guard count > 0 else { return [] }
        let total = direction == .vertical ? area.height : area.width
        let gaps = spacing * (count - 1)
        let available = Swift.max(0, total - gaps)
        var sizes = [Int](repeating: 0, count: count)
        var weights = [Int](repeating: 0, count: count)
        for (i, c) in constraints.enumerated() {
            switch c {
            case .length(let n): sizes[i] = Swift.max(0, n)
            case .percentage(let p): sizes[i] = available * Swift.max(0, Swift.min(100, p)) / 100
            case .min(let n):
                sizes[i] = Swift.max(0, n)
                weights[i] = 1
            case .fill(let w): weights[i] = Swift.max(1, w)
            }
        }
        var used = sizes.reduce(0, +)
        // Shrink from the last slot when the fixed demands exceed the space.
        var i = count - 1
        while used > available && i >= 0 {
            let cut = Swift.min(sizes[i], used - available)
            sizes[i] -= cut
            used -= cut
            i -= 1
        }
        // Share what is left between fill and min slots.
        let weightSum = weights.reduce(0, +)
        if weightSum > 0 && used < available {
            let extra = available - used
            var given = 0
            var lastWeighted = 0
            for j in 0..<count where weights[j] > 0 {
                let share = extra * weights[j] / weightSum
                sizes[j] += share
                given += share
                lastWeighted = j
            }
            sizes[lastWeighted] += extra - given
        }
        var parts: [Rect] = []
        var offset = 0
        for j in 0..<count {
            let size = Swift.max(0, Swift.min(sizes[j], total - offset))
            switch direction {
            case .vertical:
                parts.append(Rect(x: area.x, y: area.y + offset, width: area.width, height: size))
            case .horizontal:
                parts.append(Rect(x: area.x + offset, y: area.y, width: size, height: area.height))
            }
            offset = Swift.min(total, offset + size + spacing)
        }
        return parts
    }
}
