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

    /// Adds a chunk and returns the lines it completed.
    public mutating func append(_ chunk: some Sequence<UInt8>) -> Output {
        var output = Output()
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if discarding {
                    discarding = false
                } else if !pending.allSatisfy(Self.isSpace) {
                    output.lines.append(pending)
                }
                pending.removeAll(keepingCapacity: true)
            } else if !discarding {
                pending.append(byte)
                if pending.count > maximumLineLength {
                    pending.removeAll()
                    discarding = true
                    output.overflows += 1
                }
            }
        }
        return output
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
