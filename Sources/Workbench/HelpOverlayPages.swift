/// How many pages the help overlay had in the last frame that drew it, which decides what `↓` `↑` do
/// (turn the page, or close a single page like any other key). A class so the non-mutating `render` can
/// record into the state's instance; used on the UI thread only.
final class HelpOverlayPages {
    /// The pages of the last overlay drawn (1: its keys fit); nil before one was drawn.
    var count: Int?
}
