import Yams

/// A reader of the block YAML that manifests are written in (what `kubectl get -o yaml`, Helm and generators
/// print): block mappings and sequences indented with spaces, one-line plain and quoted scalars, flow mappings and
/// sequences (`{name: http, port: 80}`, over several lines too), comments and `---`. It builds ``YAMLNode``s that
/// read as Yams' parser's nodes do, in a fraction of its time, and declines (returns `nil`) at the first thing
/// outside that subset — anchors, aliases, tags, merge keys, block and multi-line scalars, escapes, tabs, non-ASCII
/// bytes, duplicate keys, anything malformed — so that Yams reads that text as before and reports its errors. It
/// never reports an error itself, and knows no field: the Codable models decode its nodes as they decode Yams'.
///
/// Where it accepts, its nodes read as Yams' (scalar text and style, keys' text, pairs in order, items in order):
/// ``disagreement(_:)``, run by `YAMLBlockReaderTests` on generated and mutated texts and by the `FuzzYAMLReader`
/// fuzz target.
package enum YAMLBlockReader {
    /// The documents of `text` that hold something (empty documents are left out), or `nil` when the text is
    /// outside the subset.
    package static func documents(_ text: String) -> [YAMLNode]? {
        if YAMLObjectDecoder.mayMerge(text) { return nil }
        var text = text
        return text.withUTF8 { bytes in
            var reader = YAMLLineReader(bytes)
            return try? reader.documents()
        }
    }
}

/// The duplicate-key check of one mapping: the mapping's own keys are searched while they are few (most mappings),
/// a set of them is kept beyond, so that a mapping of many keys costs no more than linear time to check.
struct YAMLKeySet {
    private var set: Set<String>?

    /// Whether `key` is not among `keys`, the mapping's keys so far (to which the caller then adds it).
    mutating func isNew(_ key: String, among keys: [String]) -> Bool {
        if set != nil { return set?.insert(key).inserted ?? false }
        if keys.contains(key) { return false }
        if keys.count >= 16 { set = Set(keys + [key]) }
        return true
    }
}

/// Why the reader stopped: the text is outside its subset (Yams then reads it).
struct YAMLDecline: Error {}

/// The reader's position: the current significant line (blank and comment lines are skipped) and how far into it
/// the reader has consumed. A nested node's column is its first byte's offset in its line, so the rest of a
/// sequence entry's line (`- name: a`) is read as a line starting at that column.
struct YAMLLineReader {
    /// What the current line is.
    enum State: Equatable {
        case content
        case documentStart
        case end
    }

    static let maximumDepth = 64
    /// libyaml looks no further than this for the `:` of a key.
    static let maximumKeyLength = 1000

    let bytes: UnsafeBufferPointer<UInt8>
    private var next = 0
    var lineStart = 0
    var lineEnd = 0
    var position = 0
    var depth = 0
    private(set) var state = State.end

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The column of the current position.
    var column: Int { position - lineStart }

    mutating func documents() throws(YAMLDecline) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        try advance()
        while true {
            switch state {
            case .end: return documents
            case .documentStart: try advance()
            case .content:
                documents.append(try block(column: column))
                if state == .content { throw YAMLDecline() }
            }
        }
    }

    /// Moves to the next line that holds content or a document marker, checking every byte of the lines it passes.
    mutating func advance() throws(YAMLDecline) {
        while next < bytes.count {
            lineStart = next
            var index = next
            while index < bytes.count, bytes[index] != 0x0A {
                let byte = bytes[index]
                // Tabs, carriage returns, other controls and non-ASCII are left to Yams.
                if byte < 0x20 || byte >= 0x7F { throw YAMLDecline() }
                index += 1
            }
            lineEnd = index
            next = index + 1
            position = lineStart
            while position < lineEnd, bytes[position] == 0x20 { position += 1 }
            if position == lineEnd || bytes[position] == UInt8(ascii: "#") { continue }
            if position == lineStart {
                let first = bytes[position]
                if first == UInt8(ascii: "%") { throw YAMLDecline() }
                if first == UInt8(ascii: "-") || first == UInt8(ascii: "."), lineEnd - lineStart >= 3,
                    bytes[lineStart + 1] == first, bytes[lineStart + 2] == first,
                    lineEnd - lineStart == 3 || bytes[lineStart + 3] == 0x20
                {
                    // `...` ends a document; what may follow it is left to Yams. `---` may carry a comment only.
                    guard first == UInt8(ascii: "-") else { throw YAMLDecline() }
                    position = lineStart + 3
                    skipSpaces()
                    guard atLineEnd else { throw YAMLDecline() }
                    state = .documentStart
                    return
                }
            }
            state = .content
            return
        }
        lineStart = bytes.count
        lineEnd = bytes.count
        position = bytes.count
        state = .end
    }

    /// A mapping or sequence whose first entry starts at the current position.
    private mutating func block(column: Int) throws(YAMLDecline) -> YAMLNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth { throw YAMLDecline() }
        return isSequenceEntry ? try sequence(column: column) : try mapping(column: column)
    }

    private mutating func mapping(column: Int) throws(YAMLDecline) -> YAMLNode {
        var pairs = YAMLMapping()
        var keys = YAMLKeySet()
        while state == .content, self.column == column {
            if isSequenceEntry { throw YAMLDecline() }
            let key = try readKey()
            // Yams rejects a mapping with a duplicate key: that error is its to report.
            guard keys.isNew(key, among: pairs.keys) else { throw YAMLDecline() }
            let value: YAMLNode
            if atLineEnd {
                try advance()
                if state == .content, self.column > column {
                    value = try block(column: self.column)
                } else if state == .content, self.column == column, isSequenceEntry {
                    value = try block(column: column)
                } else {
                    value = scalar("", .plain)
                }
            } else {
                value = try inlineValue(blockColumn: column)
                try advance()
            }
            if state == .content, self.column > column { throw YAMLDecline() }
            pairs.append(key, value)
        }
        return .mapping(pairs)
    }

    private mutating func sequence(column: Int) throws(YAMLDecline) -> YAMLNode {
        var items: [YAMLNode] = []
        while state == .content, self.column == column, isSequenceEntry {
            position += 1
            skipSpaces()
            if atLineEnd {
                try advance()
                if state == .content, self.column > column {
                    items.append(try block(column: self.column))
                } else {
                    items.append(scalar("", .plain))
                }
            } else if isSequenceEntry || startsKey() {
                items.append(try block(column: self.column))
            } else {
                items.append(try inlineValue(blockColumn: column))
                try advance()
            }
            if state == .content, self.column > column { throw YAMLDecline() }
        }
        return .sequence(items)
    }

    // MARK: - Within a line

    var atLineEnd: Bool { position == lineEnd || bytes[position] == UInt8(ascii: "#") }

    /// `-` followed by a space or the end of the line.
    private var isSequenceEntry: Bool {
        bytes[position] == UInt8(ascii: "-") && (position + 1 == lineEnd || bytes[position + 1] == 0x20)
    }

    mutating func skipSpaces() {
        while position < lineEnd, bytes[position] == 0x20 { position += 1 }
    }

    /// Whether the rest of the line is a key followed by `:` (read without consuming it).
    private mutating func startsKey() -> Bool {
        let start = position
        defer { position = start }
        return (try? readKey()) != nil
    }

    /// Reads a key and its `:`, leaving the position at its value (or the end of the line). In a flow mapping
    /// (`inFlow`) a plain key ends at its first `:`, which a space must follow, and `,[]{}` may not appear in it.
    mutating func readKey(inFlow: Bool = false) throws(YAMLDecline) -> String {
        let key: String
        let first = bytes[position]
        let start = position
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            key = try readQuoted().text
        } else {
            try checkPlainStart()
            while true {
                guard position < lineEnd, position - start <= Self.maximumKeyLength else { throw YAMLDecline() }
                let byte = bytes[position]
                if byte == UInt8(ascii: ":"), inFlow || position + 1 == lineEnd || bytes[position + 1] == 0x20 { break }
                if inFlow && Self.endsFlowScalar(byte) { throw YAMLDecline() }
                if byte == UInt8(ascii: "#"), bytes[position - 1] == 0x20 { throw YAMLDecline() }
                position += 1
            }
            if bytes[position - 1] == 0x20 { throw YAMLDecline() }
            key = text(start, position)
        }
        // libyaml looks no further than 1,024 characters for a simple key's `:`.
        guard position - start <= Self.maximumKeyLength, position < lineEnd, bytes[position] == UInt8(ascii: ":"),
            position + 1 == lineEnd ? !inFlow : bytes[position + 1] == 0x20
        else { throw YAMLDecline() }
        position += 1
        skipSpaces()
        return key
    }

    /// A scalar or flow collection that ends its line (a comment may follow). A flow collection may go on over
    /// lines indented deeper than `blockColumn`, the column of the block it is a value in.
    private mutating func inlineValue(blockColumn: Int) throws(YAMLDecline) -> YAMLNode {
        let first = bytes[position]
        let value: YAMLNode
        switch first {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            value = .scalar(try readQuoted())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            value = try flow(blockColumn: blockColumn)
        default:
            try checkPlainStart()
            let start = position
            var end = position
            while position < lineEnd {
                let byte = bytes[position]
                if byte == UInt8(ascii: "#"), bytes[position - 1] == 0x20 { break }
                // `: ` or a final `:` would make the value a mapping, which a one-line value cannot be.
                if byte == UInt8(ascii: ":"), position + 1 == lineEnd || bytes[position + 1] == 0x20 {
                    throw YAMLDecline()
                }
                position += 1
                if byte != 0x20 { end = position }
            }
            return scalar(text(start, end), .plain)
        }
        // Only the end of the line, or a comment after at least one space, may follow.
        let end = position
        skipSpaces()
        guard position == lineEnd || (position > end && bytes[position] == UInt8(ascii: "#")) else {
            throw YAMLDecline()
        }
        return value
    }

    /// A quoted scalar on one line: `'…'` with `''` for a quote, or `"…"` without escapes.
    mutating func readQuoted() throws(YAMLDecline) -> YAMLScalar {
        let quote = bytes[position]
        position += 1
        let start = position
        var doubled = false
        while true {
            guard position < lineEnd else { throw YAMLDecline() }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\"), quote == UInt8(ascii: "\"") { throw YAMLDecline() }
            if byte == quote {
                if quote == UInt8(ascii: "'"), position + 1 < lineEnd, bytes[position + 1] == quote {
                    doubled = true
                    position += 2
                    continue
                }
                break
            }
            position += 1
        }
        var string = text(start, position)
        position += 1
        if doubled { string = string.replacing("''", with: "'") }
        return YAMLScalar(text: string, style: quote == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted)
    }

    /// Declines a plain scalar starting with an indicator (`&`, `*`, `!`, `|`, `>`, `%`, `@`, `` ` ``, `?`, `:`, `,`,
    /// `[`, `]`, `{`, `}`, `#`) or with `-` not followed by a letter, digit or `.`.
    func checkPlainStart() throws(YAMLDecline) {
        let first = bytes[position]
        switch first {
        case UInt8(ascii: "-"):
            guard position + 1 < lineEnd else { throw YAMLDecline() }
            let second = bytes[position + 1]
            let isWord =
                (second >= UInt8(ascii: "0") && second <= UInt8(ascii: "9"))
                || (second | 0x20 >= UInt8(ascii: "a") && second | 0x20 <= UInt8(ascii: "z"))
                || second == UInt8(ascii: ".")
            if !isWord { throw YAMLDecline() }
        case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"),
            UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            throw YAMLDecline()
        default: break
        }
    }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    func scalar(_ string: String, _ style: Node.Scalar.Style) -> YAMLNode {
        .scalar(YAMLScalar(text: string, style: style))
    }
}
