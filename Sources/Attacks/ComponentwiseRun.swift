/// An attack run made of attacks run one after another, each on the images the earlier ones left correctly
/// classified (AutoAttack's ensemble), as a view follows it: the components and the one running now. Which
/// component broke each image is in `perImageLabels["broken_by"]`.
public protocol ComponentwiseRun: AnyObject {
    /// The components' names, in the order they run.
    var componentNames: [String] { get }
    /// The component running now (its index in `componentNames`) with its iterations done and planned; nil
    /// once the run is finished.
    var runningComponent: (index: Int, done: Int, total: Int)? { get }
}
