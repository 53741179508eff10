import Base
import Foundation

/// Colours by role: what the widgets ask for instead of naming colours.
///
/// Themes are JSON files (`themes/*.json`) with the keys `name`, `background`, `text`, `muted`,
/// `accent`, `warning`, `border` (optional, defaults to `muted`), `series` (line colours),
/// `classes` (exactly 10 class colours), `sequential` and `diverging` (colormap stops, at least 2
/// and 3). Colours are `#rrggbb`, `#rgb`, a palette index `0`-`255`, or `default`.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var background: Color
    public var text: Color
    public var muted: Color
    public var accent: Color
    public var warning: Color
    public var border: Color
    /// Colours for line-chart series, used in order and cycled.
    public var series: [Color]
    /// Ten colours for class labels (digits 0-9, Fashion-MNIST classes).
    public var classes: [Color]
    /// Low-to-high colormap for images and magnitudes.
    public var sequential: Colormap
    /// Colormap centred at zero for signed values (perturbations).
    public var diverging: Colormap

    /// The colour of series `index` (cycled).
    public func seriesColor(_ index: Int) -> Color {
        series.isEmpty ? text : series[((index % series.count) + series.count) % series.count]
    }

    /// The colour of class `index` (cycled).
    public func classColor(_ index: Int) -> Color {
        classes.isEmpty ? text : classes[((index % classes.count) + classes.count) % classes.count]
    }

    /// Plain text on the theme background.
    public var textStyle: Style { Style(foreground: text, background: background) }
    /// Secondary text.
    public var mutedStyle: Style { Style(foreground: muted) }
    /// Highlighted text (titles, selection).
    public var accentStyle: Style { Style(foreground: accent, attributes: .bold) }
    /// Warnings.
    public var warningStyle: Style { Style(foreground: warning, attributes: .bold) }
    /// Block borders.
    public var borderStyle: Style { Style(foreground: border) }
    /// The selected row of a list or the current tab: the background colour on the accent, or reverse video
    /// where there are no colours (`NO_COLOR`: every colour the default), where the colours alone left the
    /// selected row drawn like every other.
    public var selectionStyle: Style {
        accent.isDefault ? Style(attributes: .reverse) : Style(foreground: background, background: accent)
    }

    /// This theme with every colour converted for a terminal of `depth`.
    ///
    /// With `.none` every colour becomes the terminal default; widgets then rely on attributes
    /// (bold, reverse) and characters (the image ramp) instead.
    public func degraded(to depth: ColorDepth) -> Theme {
        if depth == .trueColor { return self }
        var t = self
        t.background = background.degraded(to: depth)
        t.text = text.degraded(to: depth)
        t.muted = muted.degraded(to: depth)
        t.accent = accent.degraded(to: depth)
        t.warning = warning.degraded(to: depth)
        t.border = border.degraded(to: depth)
        // Series and classes are told apart by hue: in 16 colours each keeps a colour of its own.
        t.series = Color.degradedPalette(series, to: depth, background: background)
        t.classes = Color.degradedPalette(classes, to: depth, background: background)
        t.sequential = sequential.degraded(to: depth)
        t.diverging = diverging.degraded(to: depth, resolution: 17)
        return t
    }

    // MARK: Decoding

    /// Decodes a theme from JSON.
    /// - Parameters:
    ///   - data: the file contents.
    ///   - source: the file name used in error messages.
    /// - Throws: `ThemeError` naming the file and the offending key.
    public init(json data: Data, source: String) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ThemeError(file: source, key: nil, message: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw ThemeError(file: source, key: nil, message: "top level must be an object")
        }
        let unknown = Theme.unknownKeys(of: dictionary)
        // A required key that is missing because it was mistyped names the key written instead.
        func missing(_ key: String) -> ThemeError {
            let written = unknown.filter { SpellingSuggestion.closest(to: $0, among: [key]) == [key] }
            let hint = written.first.map { " ('\(sanitized($0))' is not a key: a typo?)" } ?? ""
            return ThemeError(file: source, key: key, message: "missing" + hint)
        }
        func color(_ key: String, optional: Bool = false) throws -> Color? {
            guard let value = dictionary[key] else {
                if optional { return nil }
                throw missing(key)
            }
            guard let text = value as? String, let c = Color(parsing: text) else {
                throw ThemeError(file: source, key: key, message: "invalid colour \(Theme.describe(value))")
            }
            return c
        }
        func colors(_ key: String, minimum: Int, exactly: Int? = nil) throws -> [Color] {
            guard let value = dictionary[key] else { throw missing(key) }
            guard let list = value as? [Any] else {
                throw ThemeError(file: source, key: key, message: "must be an array of colours")
            }
            var result: [Color] = []
            for (i, item) in list.enumerated() {
                guard let text = item as? String, let c = Color(parsing: text) else {
                    throw ThemeError(
                        file: source, key: "\(key)[\(i)]", message: "invalid colour \(Theme.describe(item))")
                }
                result.append(c)
            }
            if let exactly, result.count != exactly {
                throw ThemeError(
                    file: source, key: key, message: "needs exactly \(exactly) colours, has \(result.count)")
            }
            if result.count < minimum {
                throw ThemeError(
                    file: source, key: key, message: "needs at least \(counted(minimum, "colour")), has \(result.count)"
                )
            }
            return result
        }
        name = (dictionary["name"] as? String).map { sanitized($0) } ?? "unnamed"
        background = try color("background")!
        text = try color("text")!
        muted = try color("muted")!
        accent = try color("accent")!
        warning = try color("warning")!
        border = try color("border", optional: true) ?? muted
        series = try colors("series", minimum: 1)
        classes = try colors("classes", minimum: 10, exactly: 10)
        sequential = Colormap(stops: try colors("sequential", minimum: 2))
        diverging = Colormap(stops: try colors("diverging", minimum: 3))
    }

    /// The keys a theme file may have; any other is ignored, with a warning (`ThemeLoader`).
    public static let keys = [
        "name", "background", "text", "muted", "accent", "warning", "border", "series", "classes", "sequential",
        "diverging",
    ]

    /// The keys of a decoded theme object that are not theme keys, sorted.
    static func unknownKeys(of dictionary: [String: Any]) -> [String] {
        dictionary.keys.filter { !keys.contains($0) }.sorted()
    }

    /// A one-line warning naming the keys of a theme file that are not theme keys (a mistyped `boder`
    /// would otherwise leave the border at its default, silently), or nil when there are none.
    public static func unknownKeysWarning(json data: Data, source: String) -> String? {
        guard let dictionary = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        let unknown = unknownKeys(of: dictionary)
        guard !unknown.isEmpty else { return nil }
        let described = unknown.prefix(3).map { key -> String in
            let meant = SpellingSuggestion.closest(to: key, among: keys)
            let guess = meant.isEmpty ? "" : " (did you mean '" + meant.joined(separator: "' or '") + "'?)"
            return "'\(sanitized(key))'" + guess
        }
        let more = unknown.count > 3 ? " and \(unknown.count - 3) more" : ""
        let noun = unknown.count == 1 ? "key" : "keys"
        return "theme \(source): unknown \(noun) \(described.joined(separator: ", "))\(more) ignored"
    }

    private static func describe(_ value: Any) -> String {
        if let s = value as? String { return "'\(sanitized(s))'" }
        return "of the wrong type"
    }

    /// The built-in default theme (the same as `themes/dark.json`), usable with no themes folder.
    public static let dark: Theme = {
        do {
            return try Theme(json: Data(embeddedDarkThemeJSON.utf8), source: "embedded dark theme")
        } catch {
            fatalError("embedded dark theme is invalid: \(error)")
        }
    }()
}

/// Why a theme file could not be used; the message names the file and the key.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var message: String

    public var description: String {
        if let key { return "theme \(file): key '\(key)': \(message)" }
        return "theme \(file): \(message)"
    }
}

/// The default dark theme, embedded so the app works without a `themes/` folder.
/// Kept identical to `themes/dark.json` (a test checks).
let embeddedDarkThemeJSON = """
    {
      "name": "dark",
      "background": "#1a1b26",
      "text": "#c0caf5",
      "muted": "#737aa2",
      "accent": "#7aa2f7",
      "warning": "#e0af68",
      "border": "#414868",
      "series": ["#7aa2f7", "#f7768e", "#9ece6a", "#e0af68", "#bb9af7", "#7dcfff"],
      "classes": ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"],
      "sequential": ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
      "diverging": ["#4393c3", "#2b5a87", "#24283b", "#96313c", "#ef8a62"]
    }
    """
