import Foundation

/// The themes shipped in `themes/`, built into the binary, so that `--theme light` (and the others the help
/// lists) works wherever the binary is: copied out of the repository (`cp .build/release/manifold ~/bin`) it
/// found no `themes/` folder and fell back to dark. A `themes/NAME.json` found on disk still wins (it may
/// have been edited). Kept identical to the files (a test checks).
extension Theme {
    /// The names of the built-in themes, sorted.
    public static var builtInNames: [String] { builtInJSON.keys.sorted() }

    /// The built-in theme `name`, or nil when there is none of that name.
    public static func builtIn(named name: String) -> Theme? {
        if name == "dark" { return .dark }
        guard let json = builtInJSON[name] else { return nil }
        return try? Theme(json: Data(json.utf8), source: "built-in \(name) theme")
    }

    /// Each built-in theme's JSON, by name (`dark` is `embeddedDarkThemeJSON`).
    static let builtInJSON: [String: String] = [
        "dark": embeddedDarkThemeJSON,
        "light": """
        {
          "name": "light",
          "background": "#fafafa",
          "text": "#24292f",
          "muted": "#6e7781",
          "accent": "#0550ae",
          "warning": "#9a6700",
          "border": "#afb8c1",
          "series": ["#0550ae", "#cf222e", "#116329", "#953800", "#8250df", "#1b7c83"],
          "classes": ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"],
          "sequential": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
          "diverging": ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"]
        }
        """,
        "high-contrast": """
        {
          "name": "high-contrast",
          "background": "#000000",
          "text": "#ffffff",
          "muted": "#c0c0c0",
          "accent": "#ffff00",
          "warning": "#ff8700",
          "border": "#ffffff",
          "series": ["#00ffff", "#ff00ff", "#ffff00", "#00ff00", "#ff8700", "#ffffff"],
          "classes": ["#00ffff", "#ff8700", "#00ff00", "#ff0000", "#ff00ff",
                      "#ffff00", "#ffffff", "#5f87ff", "#ff87d7", "#afff00"],
          "sequential": ["#000000", "#5f5f5f", "#afafaf", "#ffffff"],
          "diverging": ["#00afff", "#005f87", "#000000", "#af0000", "#ffaf00"]
        }
        """,
        "colorblind": """
        {
          "name": "colorblind",
          "background": "#111111",
          "text": "#e8e8e8",
          "muted": "#9a9a9a",
          "accent": "#56b4e9",
          "warning": "#e69f00",
          "border": "#4a4a4a",
          "series": ["#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7", "#d55e00"],
          "classes": ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2",
                      "#d55e00", "#cc79a7", "#999999", "#ffffff", "#88ccee"],
          "sequential": ["#00204d", "#414d6b", "#7c7b78", "#bcaf6f", "#ffea46"],
          "diverging": ["#0072b2", "#1d4f6e", "#1e1e1e", "#8a4a12", "#e69f00"]
        }
        """,
    ]
}
