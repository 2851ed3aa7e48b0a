import Yams

/// Flow collections inside the block YAML ``YAMLBlockReader`` reads.
extension YAMLLineReader {
    /// A flow mapping or sequence (`{name: http, port: 80}`, `["10.0.0.1"]`), from its opening to past its closing
    /// bracket. Entries are plain one-line scalars (no `:` in them), quoted scalars or flow collections; an entry
    /// left empty, `? `, a pair in a sequence and a trailing comma are left to Yams.
    mutating func flow(blockColumn: Int) throws(YAMLDecline) -> YAMLNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth { throw YAMLDecline() }
        let isMapping = bytes[position] == UInt8(ascii: "{")
        let close = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        position += 1
        var pairs = YAMLMapping()
        var items: [YAMLNode] = []
        var keys = YAMLKeySet()
        try flowSpace(blockColumn: blockColumn)
        if bytes[position] == close {
            position += 1
        } else {
            while true {
                if isMapping {
                    let key = try readKey(inFlow: true)
                    guard keys.isNew(key, among: pairs.keys) else { throw YAMLDecline() }
                    skipSpaces()
                    guard position < lineEnd else { throw YAMLDecline() }
                    let byte = bytes[position]
                    let value =
                        byte == UInt8(ascii: ",") || byte == close
                        ? scalar("", .plain) : try flowValue(blockColumn: blockColumn)
                    pairs.append(key, value)
                } else {
                    items.append(try flowValue(blockColumn: blockColumn))
                }
                try flowSpace(blockColumn: blockColumn)
                let byte = bytes[position]
                position += 1
                if byte == close { break }
                guard byte == UInt8(ascii: ",") else { throw YAMLDecline() }
                try flowSpace(blockColumn: blockColumn)
                if bytes[position] == close { throw YAMLDecline() }
            }
        }
        return isMapping ? .mapping(pairs) : .sequence(items)
    }

    /// Skips spaces, comments and line ends inside a flow collection, leaving the position at content; a line it
    /// goes on to must be indented deeper than the block holding the collection.
    private mutating func flowSpace(blockColumn: Int) throws(YAMLDecline) {
        while true {
            skipSpaces()
            if position < lineEnd {
                guard bytes[position] == UInt8(ascii: "#") else { return }
                // A `#` right after content is not a comment.
                if position > lineStart, bytes[position - 1] != 0x20 { throw YAMLDecline() }
            }
            try advance()
            guard state == .content, column > blockColumn else { throw YAMLDecline() }
        }
    }

    /// A value inside a flow collection.
    private mutating func flowValue(blockColumn: Int) throws(YAMLDecline) -> YAMLNode {
        let first = bytes[position]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return try flow(blockColumn: blockColumn) }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") { return .scalar(try readQuoted()) }
        try checkPlainStart()
        let start = position
        var end = position
        while true {
            // A plain scalar that reaches the end of its line may go on in the next: left to Yams.
            guard position < lineEnd else { throw YAMLDecline() }
            let byte = bytes[position]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { break }
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{")
                || (byte == UInt8(ascii: "#") && bytes[position - 1] == 0x20)
            {
                throw YAMLDecline()
            }
            position += 1
            if byte != 0x20 { end = position }
        }
        return scalar(text(start, end), .plain)
    }

    /// The bytes that end a plain scalar inside a flow collection.
    static func endsFlowScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
            || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
    }
}
