import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the terminal could not be set up.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    /// stdin or stdout is not a terminal: the caller should run headless.
    case notATerminal(String)
    /// A system call failed (name, errno).
    case systemCall(String, Int32)
    /// Only one `Terminal` may be open at a time.
    case alreadyOpen

    public var description: String {
        switch self {
        case .notATerminal(let which):
            return
                "\(which) is not a terminal; the full-screen UI needs one (use the headless commands, e.g. manifold train mlp)"
        case .systemCall(let name, let code):
            return "\(name) failed: \(String(cString: strerror(code)))"
        case .alreadyOpen: return "a Terminal is already open"
        }
    }
}

/// The controlling terminal in full-screen mode: raw input, alternate screen, hidden cursor,
/// bracketed paste, optional SGR mouse, resize events, and a frame loop through a diff `Renderer`.
///
/// Setup happens in `init`; the previous state is restored exactly (in reverse order of setup) by
/// `close()`, on deinit, at process exit, on SIGINT/SIGTERM/SIGHUP/SIGQUIT (which are then re-raised
/// with their default action), on crashes and runtime traps (SIGSEGV, SIGILL, SIGTRAP, SIGABRT,
/// SIGBUS), and around suspend/resume (SIGTSTP/SIGCONT; a resume yields a `.resize` event and a full
/// redraw). Raw mode clears ISIG, so Ctrl-C and Ctrl-Z arrive as keys; call `suspend()` for Ctrl-Z.
///
/// ```swift
/// let terminal = try Terminal()
/// defer { terminal.close() }
/// while running {
///     terminal.draw { buffer in buffer.render(myWidget, in: buffer.area) }
///     for event in terminal.readEvents(timeout: 0.033) { ... }
/// }
/// ```
public final class Terminal {
    /// Set-up choices.
    public struct Options: Sendable {
        /// Report mouse clicks, drags and the wheel (SGR encoding).
        public var mouse: Bool
        /// Ask the terminal whether it supports kitty graphics (fenced by `CSI c`, short timeout).
        public var detectGraphics: Bool
        /// How long start-up waits for replies to its queries.
        public var queryTimeout: Double
        /// Colour depth to use instead of detecting it from the environment.
        public var colorDepth: ColorDepth?

        public init(
            mouse: Bool = false, detectGraphics: Bool = true, queryTimeout: Double = 0.2,
            colorDepth: ColorDepth? = nil
        ) {
            self.mouse = mouse
            self.detectGraphics = detectGraphics
            self.queryTimeout = queryTimeout
            self.colorDepth = colorDepth
        }
    }

    /// The colour depth frames are degraded to.
    public let colorDepth: ColorDepth
    /// Whether the terminal answered the kitty graphics query.
    public private(set) var supportsKittyGraphics = false
    /// Current size in cells (updated on resize events and before each frame).
    public private(set) var width: Int
    public private(set) var height: Int

    private var renderer: Renderer
    private var decoder = InputDecoder()
    private var pendingEvents: [InputEvent] = []
    private var output: [UInt8] = []
    private var frame = Buffer(width: 0, height: 0)
    private let environment: [String: String]
    private let wakePipe: (read: Int32, write: Int32)
    private var isOpen = true
    private static let openCount = Mutex(0)
    private static let exitHandlerInstalled = Mutex(false)

    /// Sets the terminal up.
    /// - Throws: `TerminalError.notATerminal` when stdin or stdout is not a tty (nothing is written
    ///   then), `.alreadyOpen`, or `.systemCall` when termios or signals cannot be set up.
    public init(
        options: Options = Options(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(TerminalError)
    {
        guard Platform.isTerminal(STDOUT_FILENO) else { throw .notATerminal("stdout") }
        guard Platform.isTerminal(STDIN_FILENO) else { throw .notATerminal("stdin") }
        let claimed = Terminal.openCount.withLock { count -> Bool in
            guard count == 0 else { return false }
            count = 1
            return true
        }
        guard claimed else { throw .alreadyOpen }
        self.environment = environment
        colorDepth = options.colorDepth ?? ColorDepth.detect(environment: environment)
        renderer = Renderer(colorDepth: colorDepth)
        (width, height) = Platform.terminalSize(STDOUT_FILENO, environment: environment)
        do {
            wakePipe = try Platform.makePipe()
            let saved = try Platform.attributes(STDIN_FILENO)
            let raw = Platform.rawMode(from: saved)
            // Setup order; restore is its exact reverse.
            var setup =
                EscapeSequences.enterAlternateScreen + EscapeSequences.hideCursor
                + EscapeSequences.disableAutowrap + EscapeSequences.enableBracketedPaste
            var restore =
                EscapeSequences.disableBracketedPaste + EscapeSequences.enableAutowrap
                + EscapeSequences.resetStyle + EscapeSequences.showCursor
                + EscapeSequences.leaveAlternateScreen
            if options.mouse {
                setup += EscapeSequences.enableMouse
                restore = EscapeSequences.disableMouse + restore
            }
            SignalState.inputFD = STDIN_FILENO
            SignalState.outputFD = STDOUT_FILENO
            SignalState.wakeFD = wakePipe.write
            SignalState.savedTermios = saved
            SignalState.rawTermios = raw
            SignalState.prepare(restore: restore, setup: setup)
            _ = SignalState.resized.exchange(false, ordering: .sequentiallyConsistent)
            _ = SignalState.resumed.exchange(false, ordering: .sequentiallyConsistent)
            try Platform.installSignalHandlers()
            Terminal.exitHandlerInstalled.withLock { installed in
                if !installed {
                    atexit { terminalExitHandler() }
                    installed = true
                }
            }
            try Platform.setAttributes(STDIN_FILENO, raw)
            SignalState.active.store(true, ordering: .sequentiallyConsistent)
            let setupBytes = Array(setup.utf8)
            setupBytes.withUnsafeBytes { _ = Platform.writeAll(STDOUT_FILENO, $0) }
        } catch {
            SignalState.restoreIfActive()
            Platform.uninstallSignalHandlers()
            Terminal.openCount.withLock { $0 = 0 }
            throw error
        }
        if options.detectGraphics && environment["MANIFOLD_GRAPHICS"] != "none"
            && !KittyGraphics.isMultiplexer(environment)
        {
            detectGraphics(timeout: options.queryTimeout)
        }
        renderer.usesKittyGraphics = supportsKittyGraphics
    }

    deinit { close() }

    /// Restores the terminal's previous state and removes the signal handlers. Safe to call twice.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        if supportsKittyGraphics {
            let clear = Array(
                (EscapeSequences.kittyGraphicsStart + "a=d,d=A,q=2" + EscapeSequences.stringTerminator).utf8
            )
            clear.withUnsafeBytes { _ = Platform.writeAll(STDOUT_FILENO, $0) }
        }
        SignalState.restoreIfActive()
        Platform.uninstallSignalHandlers()
        SignalState.wakeFD = -1
        Glibc.close(wakePipe.read)
        Glibc.close(wakePipe.write)
        Terminal.openCount.withLock { $0 = 0 }
    }

    /// Stops the process like Ctrl-Z in a shell: restores the terminal, stops, and on resume sets it
    /// up again and reports a `.resize` so the next frame is drawn in full. Returns false, doing nothing,
    /// where no shell could continue the process (`Platform.shellCanContinue`).
    @discardableResult public func suspend() -> Bool {
        guard Platform.shellCanContinue() else { return false }
        _ = raise(SIGTSTP)
        return true
    }

    /// Draws one frame: `body` fills a blank buffer of the current size, then the changes are written
    /// in one `write`, wrapped in synchronized-output markers.
    public func draw(_ body: (inout Buffer) -> Void) {
        guard isOpen else { return }
        (width, height) = Platform.terminalSize(STDOUT_FILENO, environment: environment)
        if frame.width != width || frame.height != height {
            frame.resize(width: width, height: height)
        } else {
            frame.clear()
        }
        body(&frame)
        renderer.render(frame, into: &output)
        output.withUnsafeBytes { _ = Platform.writeAll(STDOUT_FILENO, $0) }
    }

    /// Forces the next frame to be drawn in full (e.g. after something else wrote to the screen).
    public func invalidate() { renderer.invalidate() }

    /// Whether the terminal's input has ended (the terminal hung up or was closed): no key will ever
    /// arrive again, and the caller should shut down.
    public private(set) var inputClosed = false

    /// Waits up to `timeout` seconds for input and returns the events that arrived (possibly none).
    public func readEvents(timeout: Double) -> [InputEvent] {
        guard isOpen else { return [] }
        if !pendingEvents.isEmpty {
            defer { pendingEvents.removeAll() }
            return pendingEvents
        }
        var events: [InputEvent] = []
        let milliseconds = Int32(max(0, min(60_000, timeout * 1000)))
        let ready = Platform.waitForInput(
            inputFD: STDIN_FILENO, wakeFD: wakePipe.read, milliseconds: milliseconds)
        if ready.wake { Platform.drain(wakePipe.read) }
        let resumed = SignalState.resumed.exchange(false, ordering: .sequentiallyConsistent)
        let resized = SignalState.resized.exchange(false, ordering: .sequentiallyConsistent)
        if resumed { renderer.invalidate() }
        if resumed || resized {
            (width, height) = Platform.terminalSize(STDOUT_FILENO, environment: environment)
            events.append(.resize(width: width, height: height))
        }
        if ready.input {
            let read = Platform.readAvailable(STDIN_FILENO)
            if read.closed { inputClosed = true }
            events += decoder.feed(read.bytes)
            // An unfinished sequence (a lone ESC) resolves if nothing follows quickly.
            if decoder.hasPendingInput {
                let more = Platform.waitForInput(inputFD: STDIN_FILENO, wakeFD: -1, milliseconds: 30)
                if more.input { events += decoder.feed(Platform.readAvailable(STDIN_FILENO).bytes) }
                if decoder.hasPendingInput && !more.input { events += decoder.flush() }
            }
        }
        return events
    }

    /// Sends the kitty graphics query and `CSI c` in one write, then reads replies until the `CSI c`
    /// answer arrives or `timeout` passes; other bytes read meanwhile are kept as input.
    private func detectGraphics(timeout: Double) {
        let query = Array(
            (EscapeSequences.kittyGraphicsQuery + EscapeSequences.primaryDeviceAttributesQuery).utf8)
        query.withUnsafeBytes { _ = Platform.writeAll(STDOUT_FILENO, $0) }
        var reply: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            let ready = Platform.waitForInput(inputFD: STDIN_FILENO, wakeFD: -1, milliseconds: left)
            guard ready.input else { break }
            let bytes = Platform.readAvailable(STDIN_FILENO).bytes
            if bytes.isEmpty { break }
            reply += bytes
            if TerminalReplies.containsDeviceAttributes(reply) { break }
        }
        supportsKittyGraphics = KittyGraphics.replySupportsGraphics(reply)
        pendingEvents = decoder.feed(TerminalReplies.removingGraphicsReplies(reply))
    }
}

/// Parsing of the replies to start-up queries.
enum TerminalReplies {
    /// Whether `bytes` contain a Primary Device Attributes reply (`ESC [ ? ... c`).
    static func containsDeviceAttributes(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0x1B && bytes[i + 1] == 0x5B && bytes[i + 2] == 0x3F {
                var j = i + 3
                while j < bytes.count, (0x30...0x3B).contains(bytes[j]) { j += 1 }
                if j < bytes.count && bytes[j] == 0x63 { return true }
            }
            i += 1
        }
        return false
    }

    /// `bytes` without APC strings (`ESC _ ... ESC \`), the form of kitty graphics replies.
    static func removingGraphicsReplies(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B && i + 1 < bytes.count && bytes[i + 1] == 0x5F {
                var j = i + 2
                while j + 1 < bytes.count && !(bytes[j] == 0x1B && bytes[j + 1] == 0x5C) { j += 1 }
                i = j + 2
                continue
            }
            result.append(bytes[i])
            i += 1
        }
        return result
    }
}
