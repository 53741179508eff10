import Base
import Foundation

/// A full-screen demo of every widget driven by synthetic animated data: moving loss curves, a
/// scatter of 10 Gaussian clusters, digit-like images and a heatmap.
///
/// Keys: Tab / Shift-Tab (or Left / Right, 1-4) switch pages, `?` toggles the help, Up / Down move
/// the table selection, `s` toggles smoothing, `l` the log scale, Space pauses, Ctrl-Z suspends,
/// `q` or Ctrl-C quits with the terminal restored.
public enum WidgetGallery {
    /// Runs the gallery until the user quits.
    /// - Parameter themeName: a theme name or path (nil: `MANIFOLD_THEME`, else the default).
    /// - Throws: `TerminalError` when there is no terminal (e.g. stdout is redirected).
    public static func run(themeName: String?) throws {
        let loaded = ThemeLoader.load(request: themeName)
        if let warning = loaded.warning { printError(warning) }
        let terminal = try Terminal()
        defer { terminal.close() }
        var state = GalleryState(
            theme: loaded.theme.degraded(to: terminal.colorDepth),
            colorDepth: terminal.colorDepth, kittyGraphics: terminal.supportsKittyGraphics)
        var needsDraw = true
        var lastTick = Date()
        let frameInterval = 1.0 / 30
        while !state.quit && !terminal.inputClosed {
            if needsDraw {
                terminal.draw { buffer in state.render(into: &buffer) }
                needsDraw = false
            }
            let waited = Date().timeIntervalSince(lastTick)
            let timeout = state.paused ? 1.0 : max(0, frameInterval - waited)
            for event in terminal.readEvents(timeout: timeout) {
                switch state.handle(event) {
                case .suspend: terminal.suspend()
                case .redraw, .none: break
                }
                needsDraw = true
            }
            if !state.paused && Date().timeIntervalSince(lastTick) >= frameInterval {
                lastTick = Date()
                state.tick()
                needsDraw = true
            }
        }
    }
}

/// The gallery's state: the page, the animated data, the toggles.
struct GalleryState {
    enum Action { case none, redraw, suspend }

    static let pageTitles = ["Training", "Latent space", "Images", "Text & table"]
    static let minimumWidth = 60
    static let minimumHeight = 18

    let theme: Theme
    let colorDepth: ColorDepth
    let kittyGraphics: Bool
    var page = 0
    var showHelp = false
    var paused = false
    var quit = false
    var smoothing = true
    var logScale = false
    var selectedRow = 0
    var tableOffset = 0
    var frame = 0
    var generator = SplitMix(seed: 2024)
    var trainLoss: [Double] = []
    var testLoss: [Double] = []
    var accuracy: [Double] = []
    var gradientNorm: [Double] = []
    var clusterCenters: [(x: Double, y: Double)]
    var clusterOffsets: [(x: Double, y: Double, classIndex: Int)]
    var lastEvent = "none"

    init(theme: Theme, colorDepth: ColorDepth, kittyGraphics: Bool) {
        self.theme = theme
        self.colorDepth = colorDepth
        self.kittyGraphics = kittyGraphics
        clusterCenters = (0..<10).map { k in
            let angle = Double(k) / 10 * 2 * Double.pi
            return (5 * cos(angle), 5 * sin(angle))
        }
        var g = SplitMix(seed: 99)
        clusterOffsets = (0..<2000).map { i in (g.nextGaussian() * 0.9, g.nextGaussian() * 0.9, i % 10)
        }
        for _ in 0..<120 { tick() }
    }

    /// Advances the synthetic training run by one step.
    mutating func tick() {
        frame += 1
        let s = Double(trainLoss.count)
        let base = 2.3 * exp(-s / 180) + 0.08
        let noise = 0.06 * generator.nextGaussian() * exp(-s / 400)
        trainLoss.append(max(0.01, base + noise))
        testLoss.append(
            max(0.01, base * 1.08 + 0.04 + 0.02 * generator.nextGaussian() + 0.00015 * max(0, s - 500)))
        accuracy.append(min(0.99, 1 - 0.9 * exp(-s / 150) + 0.01 * generator.nextGaussian()))
        gradientNorm.append(abs(1.5 * exp(-s / 250) + 0.3 * generator.nextGaussian()))
        if trainLoss.count > 1500 {
            for _ in 0..<2 {
                trainLoss.removeFirst()
                testLoss.removeFirst()
                accuracy.removeFirst()
                gradientNorm.removeFirst()
            }
        }
    }

    /// Applies an input event.
    mutating func handle(_ event: InputEvent) -> Action {
        switch event {
        case .resize(let w, let h):
            lastEvent = "resize \(w)x\(h)"
            return .redraw
        case .paste(let text):
            lastEvent = "paste (\(text.count) characters)"
            return .redraw
        case .mouse(let m):
            lastEvent = "mouse \(m.kind) at \(m.x),\(m.y)"
            return .redraw
        case .key(let key):
            lastEvent = "key \(describe(key))"
            if showHelp && (key.key == .escape || key.key == .character("?")) {
                showHelp = false
                return .redraw
            }
            switch (key.key, key.modifiers) {
            case (.character("q"), []), (.character("c"), .control): quit = true
            case (.character("z"), .control): return .suspend
            case (.character("?"), _): showHelp.toggle()
            case (.tab, _), (.right, _): page = (page + 1) % GalleryState.pageTitles.count
            case (.backTab, _), (.left, _):
                page = (page + GalleryState.pageTitles.count - 1) % GalleryState.pageTitles.count
            case (.character(let c), []) where ("1"..."4").contains(c):
                page = Int(String(c))! - 1
            case (.character(" "), []): paused.toggle()
            case (.character("s"), []): smoothing.toggle()
            case (.character("l"), []): logScale.toggle()
            case (.up, _), (.character("k"), []): selectedRow = max(0, selectedRow - 1)
            case (.down, _), (.character("j"), []):
                selectedRow = min(GalleryState.tableRows.count - 1, selectedRow + 1)
            case (.pageUp, _): selectedRow = max(0, selectedRow - 10)
            case (.pageDown, _): selectedRow = min(GalleryState.tableRows.count - 1, selectedRow + 10)
            case (.home, _): selectedRow = 0
            case (.end, _): selectedRow = GalleryState.tableRows.count - 1
            default: break
            }
            return .redraw
        }
    }

    private func describe(_ event: KeyEvent) -> String {
        var parts: [String] = []
        if event.modifiers.contains(.control) { parts.append("Ctrl") }
        if event.modifiers.contains(.alt) { parts.append("Alt") }
        if event.modifiers.contains(.shift) { parts.append("Shift") }
        switch event.key {
        case .character(let c): parts.append(c == " " ? "Space" : String(c))
        case .function(let n): parts.append("F\(n)")
        default: parts.append("\(event.key)")
        }
        return parts.joined(separator: "-")
    }

    /// The scatter points for the current frame: clusters slowly rotating and breathing.
    var scatterPoints: [ScatterPlot.Point] {
        let angle = Double(frame) * 0.01
        let spread = 1 + 0.25 * sin(Double(frame) * 0.05)
        let c = cos(angle)
        let s = sin(angle)
        return clusterOffsets.map { o in
            let center = clusterCenters[o.classIndex]
            let x = center.x + o.x * spread
            let y = center.y + o.y * spread
            return ScatterPlot.Point(x: c * x - s * y, y: s * x + c * y, classIndex: o.classIndex)
        }
    }

    static let classNames = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ]

    static let tableRows: [[String]] = (0..<40).map { i in
        let names = ["pca", "ae", "vae", "aae", "wae", "dae", "ddpm", "mlp", "cnn"]
        let loss = 0.05 + Double((i * 37) % 100) / 400
        return [
            "run-\(String(format: "%02d", i))", names[i % names.count], String(format: "%.4f", loss),
            "\((i * 7) % 50 + 1)", i % 3 == 0 ? "done" : (i % 3 == 1 ? "paused" : "running"),
        ]
    }
}
