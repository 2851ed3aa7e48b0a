/// Splits a watch body, which arrives in arbitrary chunks, into complete newline-terminated lines.
///
/// An event split across chunks is held until its newline arrives. Blank lines are skipped. A line longer
/// than ``maximumLineLength`` is discarded (reported as an overflow: the watcher then relists, as the event is lost)
/// so that a broken server cannot make
/// the proxy buffer without bound.
public struct WatchLineBuffer: Sendable {
    /// The longest line kept, in bytes.
    public let maximumLineLength: Int
    private var pending: [UInt8] = []
    private var discarding = false

    /// What ``append(_:)`` found.
    public struct Output: Sendable, Hashable {
        /// Complete lines, without their newline.
        public var lines: [[UInt8]] = []
        /// How many over-long lines were discarded.
        public var overflows: Int = 0
    }

    /// Creates a buffer.
    public init(maximumLineLength: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes received but not yet part of a complete line.
    public var pendingCount: Int { pending.count }

    /// Adds a chunk and returns the lines it completed (the chunk is copied once, into contiguous bytes).
    public mutating func append(_ chunk: some Collection<UInt8>) -> Output {
        append(ArraySlice(chunk))
    }

    /// Adds a chunk and returns the lines it completed. The chunk is searched for newlines, not walked byte by byte,
    /// and a line is copied once: into `pending`, which then becomes the line.
    public mutating func append(_ chunk: ArraySlice<UInt8>) -> Output {
        var output = Output()
        var start = chunk.startIndex
        while start != chunk.endIndex {
            guard let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                take(chunk[start...], into: &output)
                break
            }
            take(chunk[start..<newline], into: &output)
            if discarding {
                discarding = false
            } else if !pending.allSatisfy(Self.isSpace) {
                output.lines.append(pending)
            }
            pending = []
            start = chunk.index(after: newline)
        }
        return output
    }

    /// Adds part of a line to `pending`, or starts discarding the line when it would grow past the limit.
    private mutating func take(_ part: ArraySlice<UInt8>, into output: inout Output) {
        guard !discarding, !part.isEmpty else { return }
        if part.count > maximumLineLength - pending.count {
            pending = []
            discarding = true
            output.overflows += 1
        } else {
            pending.append(contentsOf: part)
        }
    }

    /// The unterminated rest when the stream ends (a final event without a newline), if any.
    public mutating func finish() -> [UInt8]? {
        defer {
            pending.removeAll()
            discarding = false
        }
        guard !discarding, !pending.allSatisfy(Self.isSpace) else { return nil }
        return pending
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}
