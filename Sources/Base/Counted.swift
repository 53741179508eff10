/// A count and its noun, in the singular for one: "1 epoch", "3 epochs", "1 class", "2 classes". Output
/// lines with counts that can be 1 use it, so that none reads "1 epochs".
public func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
