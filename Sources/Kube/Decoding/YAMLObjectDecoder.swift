import Yams

/// The one YAML decoder of the project's Kubernetes objects (manifests, kubeconfig): a `Decoder` over Yams'
/// `Node` tree, so the `Codable` models are the only description of an object's fields.
///
/// It reads values as Yams' `YAMLDecoder` does (the same scalar constructors, the same null rule, merge keys
/// `<<`, the last of duplicate keys wins) but looks keys up by their text: `YAMLDecoder` builds a `Node` for
/// every key it looks up and compares it with every key of the mapping, resolving both tags with regular
/// expressions, which dominated the time to read a large manifests directory. The coding path is built only
/// when an error (or a caller) needs it. Errors are `DecodingError`s whose coding path names the field.
///
/// Where the time goes (docs/performance.md, 2026-12-02): Yams' `Node` holds a weak reference (its anchor), so
/// each copy of a node retains its tag and copies that reference, and each `switch` over a node that is still
/// needed afterwards copies it. So a mapping is indexed once, into its keys, the shapes of its values (a scalar's
/// text and style) and its nodes, and scalars are read from the shapes; a nested object's decoder is a class,
/// passed as `any Decoder` without copying its node, and it is also the coding path (each decoder knows its
/// parent and its key or index there).
public enum YAMLObjectDecoder {
    /// Decodes `type` from a composed YAML node.
    public static func decode<Value: Decodable>(_ type: Value.Type, from node: Node) throws -> Value {
        try YAMLNodeDecoder.decode(type, node, at: YAMLPosition(parent: nil, step: .root))
    }

    /// The parser of the project's YAML documents. Tags are resolved only to find merge keys (`<<`): Yams' default
    /// resolver matches a plain scalar against up to seven regular expressions, and its parser resolves the tag of
    /// every mapping key to look for duplicates, which took a tenth of the proxy's CPU under churn. This decoder
    /// reads no resolved tag besides (values are read from their text, as Yams' constructors read them), so the
    /// one difference is that keys compare as text: `1` and `"1"` in one mapping are duplicates, as they are to
    /// Kubernetes, which reads YAML as JSON. The encoding is given (Swift strings are UTF-8): Yams' default reads the
    /// whole process environment for every parser, to look for an override.
    ///
    /// Even that one rule is a regular expression run on every plain mapping key (Yams' duplicate-key check resolves
    /// each key's tag), 11% of the time to read a manifests directory: a text without `<<` anywhere cannot hold a
    /// merge key, so its parser resolves with no rule at all (every key a string, as the rule would have said).
    public static func parser(_ text: String) throws -> Parser {
        try Parser(yaml: text, resolver: mayMerge(text) ? mergingResolver : Resolver.basic, encoding: .utf8)
    }

    private static let mergingResolver = Resolver.basic.appending(.merge)

    /// Whether `text` holds `<<` (so may hold a merge key).
    static func mayMerge(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "<") && previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// The documents of `text` that hold something (empty documents and those of only `~` are left out), read by
    /// ``YAMLBlockReader`` where the text is in its subset and by Yams' parser otherwise. A syntax error is a
    /// `YamlError`.
    public static func documents(_ text: String) throws -> [Node] {
        try YAMLBlockReader.documents(text) ?? yamsDocuments(text)
    }

    /// The documents of `text` that hold something, read by Yams' parser.
    static func yamsDocuments(_ text: String) throws -> [Node] {
        let parser = try parser(text)
        var documents: [Node] = []
        while let node = try parser.nextRoot() {
            if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" { continue }
            documents.append(node)
        }
        return documents
    }

    /// Decodes `type` from the single YAML document in `text` (an empty document decodes from an empty scalar).
    /// A syntax error is a `YamlError`.
    public static func decode<Value: Decodable>(_ type: Value.Type, fromYAML text: String) throws -> Value {
        if let documents = YAMLBlockReader.documents(text), documents.count <= 1 {
            return try decode(type, from: documents.first ?? Node(""))
        }
        let parser = try parser(text)
        return try withExtendedLifetime(parser) {
            try decode(type, from: try parser.singleRoot() ?? Node(""))
        }
    }
}

/// One step of a coding path: the document itself, a mapping key or a sequence index.
enum YAMLPathStep {
    case root
    case key(String)
    case index(Int)

    /// The step as a coding key (none for the document).
    var key: (any CodingKey)? {
        switch self {
        case .root: nil
        case .key(let name): YAMLCodingKey(stringValue: name)
        case .index(let index): YAMLCodingKey(intValue: index)
        }
    }
}

/// Where a node sits in its document: below the node `parent` decodes (none for the document), at `step`. The
/// coding path is built from it only when an error (or a caller) asks.
struct YAMLPosition {
    let parent: YAMLNodeDecoder?
    let step: YAMLPathStep

    /// The path as coding keys (`spec`, `ports`, index 0, `port`).
    var keys: [any CodingKey] { keys(then: .root) }

    /// The path as coding keys, then `step` (a scalar's key or index, read in place without a decoder).
    func keys(then step: YAMLPathStep) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var position = self
        if let last = step.key { keys.append(last) }
        while true {
            if let key = position.step.key { keys.append(key) }
            guard let parent = position.parent else { return keys.reversed() }
            position = parent.position
        }
    }
}

/// A key of a coding path: a mapping key or a sequence index.
struct YAMLCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}

/// What a node is, read once: a scalar's text and style, or the kind of a collection. Yams' `Node` holds a weak
/// reference (its anchor), so every `switch` over a node that is still needed afterwards copies it whole
/// (retaining its tag, copying the weak reference); a shape is read without copying anything but the text.
enum YAMLShape {
    case scalar(String, Node.Scalar.Style)
    case mapping
    case sequence
    case alias

    /// Splits `node` into its shape and the same node, without copying it.
    static func of(_ node: consuming Node) -> (shape: YAMLShape, node: Node) {
        switch consume node {
        case .scalar(let scalar): (.scalar(scalar.string, scalar.style), .scalar(scalar))
        case .mapping(let mapping): (.mapping, .mapping(mapping))
        case .sequence(let sequence): (.sequence, .sequence(sequence))
        case .alias(let alias): (.alias, .alias(alias))
        }
    }

    /// Yams' null (`NSNull.construct(from:)`, without its allocation): a plain `null`, `Null`, `NULL`, `~` or
    /// empty scalar. No other text equals these (no character is canonically equivalent to one of theirs), so
    /// comparing lengths first is exact.
    var isNull: Bool {
        guard case .scalar(let text, let style) = self, style == .plain else { return false }
        switch text.utf8.count {
        case 0: return true
        case 1: return text == "~"
        case 4: return text == "null" || text == "Null" || text == "NULL"
        default: return false
        }
    }

    /// A scalar's text.
    var text: String? {
        guard case .scalar(let text, _) = self else { return nil }
        return text
    }

    /// What an error says was found instead of the expected type.
    var found: String {
        switch self {
        case .scalar(let text, _): isNull ? "null" : "\"\(text)\""
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        case .alias: "an alias"
        }
    }
}

/// The pairs of one mapping, keyed by text, merge keys applied. Lookups take the last pair with the key.
///
/// Keys and shapes are kept apart from the nodes: finding a key and reading a scalar then touch `String`s only,
/// where a `(String, Node)` pair would be copied whole out of its array at every comparison.
struct YAMLFields {
    /// A key and the shape of its value.
    struct Entry {
        let key: String
        let shape: YAMLShape
    }

    private(set) var entries: [Entry] = []
    private(set) var nodes: [Node] = []

    init(_ mapping: Node.Mapping) {
        // `Node.Mapping` is a plain `Collection` of `Int` indices: its `count` walks it, its `indices` copy it.
        let bounds = mapping.startIndex..<mapping.endIndex
        entries.reserveCapacity(bounds.count)
        nodes.reserveCapacity(bounds.count)
        var merged: YAMLFields?
        for index in bounds {
            let (key, value) = mapping[index]
            guard case .scalar(let scalar) = consume key else { continue }
            let text = scalar.string
            // A node's `tag` is its resolved tag (a plain `<<` resolves to the merge tag); a scalar's is as written.
            if text == "<<", Node.scalar(scalar).tag.rawValue == Tag.Name.merge.rawValue {
                var inner = merged ?? YAMLFields()
                switch value {
                case .mapping(let mapping): inner.append(YAMLFields(mapping))
                case .sequence(let sequence):
                    for case .mapping(let mapping) in sequence.reversed() { inner.append(YAMLFields(mapping)) }
                default: break
                }
                merged = inner
                continue
            }
            let (shape, node) = YAMLShape.of(value)
            entries.append(Entry(key: text, shape: shape))
            nodes.append(node)
        }
        if var merged {
            merged.append(self)
            self = merged
        }
    }

    /// No fields.
    init() {}

    private mutating func append(_ other: YAMLFields) {
        entries += other.entries
        nodes += other.nodes
    }

    /// The index of the last pair with `key`.
    func index(_ key: String) -> Int? {
        var index = entries.endIndex
        while index > entries.startIndex {
            index -= 1
            if entries[index].key == key { return index }
        }
        return nil
    }

    func node(_ key: String) -> Node? {
        guard let index = index(key) else { return nil }
        return nodes[index]
    }
}

/// Reads one node: the `Decoder` and its single-value container. A class, so that passing it as `any Decoder`
/// copies no node. A mapping is indexed once, when its decoder is made: two types may read the same mapping
/// (``ManifestObject`` reads `kind`, then ``Service`` reads the rest), and its keyed containers then hold
/// nothing but this decoder.
final class YAMLNodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Node
    let shape: YAMLShape
    let position: YAMLPosition
    /// The mapping's fields; none when the node is not a mapping.
    let fields: YAMLFields

    init(node: consuming Node, position: YAMLPosition) {
        self.position = position
        switch consume node {
        case .mapping(let mapping):
            fields = YAMLFields(mapping)
            shape = .mapping
            self.node = .mapping(mapping)
        case let other:
            fields = YAMLFields()
            (shape, self.node) = YAMLShape.of(other)
        }
    }

    var codingPath: [any CodingKey] { position.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The position of a child of this node.
    func child(_ step: YAMLPathStep) -> YAMLPosition { YAMLPosition(parent: self, step: step) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping = shape else { throw Self.mismatch([String: Any].self, shape, position) }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw Self.mismatch([Any].self, shape, position) }
        return YAMLUnkeyedContainer(decoder: self, sequence: sequence)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { shape.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.bool(node, position) }
    func decode(_ type: String.Type) throws -> String { try Self.string(shape, position) }
    func decode(_ type: Int.Type) throws -> Int { try Self.int(shape, node, position) }
    func decode(_ type: Double.Type) throws -> Double { try scalar(type) }
    func decode(_ type: Float.Type) throws -> Float { try scalar(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try scalar(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try scalar(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try scalar(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try scalar(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try scalar(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(type) }

    /// Decodes any value: the common scalars, string lists and string maps directly, everything else through its
    /// `init(from:)` (the other numbers reach ``scalar(_:)``, Yams' constructors). Foundation types decode by
    /// their own `Decodable` conformance (a `Date` from a number, not from a YAML timestamp); no model uses them.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if Value.self == String.self { return try Self.cast(try Self.string(shape, position), to: type, position) }
        if Value.self == Int.self { return try Self.cast(try Self.int(shape, node, position), to: type, position) }
        if Value.self == Bool.self { return try Self.cast(try Self.bool(node, position), to: type, position) }
        if Value.self == [String].self { return try Self.cast(try Self.strings(node, position), to: type, position) }
        if Value.self == [String: String].self {
            return try Self.cast(try Self.stringMap(node, position), to: type, position)
        }
        return try Value(from: self)
    }

    /// `value` as `Value`, which the caller has checked is its type. Out of line: the cast needs the metadata of
    /// `Value?`, which the generic decoding paths would otherwise look up on every call, whatever the type.
    @inline(never)
    static func cast<Known, Value>(_ value: Known, to type: Value.Type, _ position: @autoclosure () -> YAMLPosition)
        throws -> Value
    {
        guard let value = value as? Value else {
            throw DecodingError.typeMismatch(
                type,
                .init(codingPath: position().keys, debugDescription: "Expected to decode \(type), not \(Known.self)."))
        }
        return value
    }

    /// Decodes any value from `node`, with a decoder that takes the node over (as ``decode(_:)``).
    static func decode<Value: Decodable>(_ type: Value.Type, _ node: consuming Node, at position: YAMLPosition)
        throws -> Value
    {
        try YAMLNodeDecoder(node: node, position: position).decode(type)
    }

    /// A number as Yams constructs it (a base-60 integer as ``YAMLSexagesimal`` reads it).
    func scalar<Value: ScalarConstructible>(_ type: Value.Type) throws -> Value {
        if let integer = Value.self as? any FixedWidthInteger.Type,
            let value = try Self.sexagesimal(integer, shape, position) as? Value
        {
            return value
        }
        guard case .scalar(let scalar) = node, let value = Value.construct(from: scalar) else {
            throw Self.mismatch(type, shape, position)
        }
        return value
    }

    // MARK: Scalars, shared with the containers (which pass the position of the key or index they read)

    /// Any scalar's text (as `YAMLDecoder` reads a `String`).
    static func string(_ shape: YAMLShape, _ position: @autoclosure () -> YAMLPosition) throws -> String {
        guard let text = shape.text else { throw mismatch(String.self, shape, position()) }
        return text
    }

    /// A boolean as Yams constructs it (`true`/`yes`/`on`, `false`/`no`/`off`, any case; not a `!!str`).
    static func bool(_ node: consuming Node, _ position: @autoclosure () -> YAMLPosition) throws -> Bool {
        let (shape, node) = YAMLShape.of(node)
        guard case .scalar(let scalar) = consume node, let value = Bool.construct(from: scalar) else {
            throw mismatch(Bool.self, shape, position())
        }
        return value
    }

    /// A sequence of scalars' texts.
    static func strings(_ node: consuming Node, _ position: @autoclosure () -> YAMLPosition) throws -> [String] {
        let sequence: Node.Sequence
        switch consume node {
        case .sequence(let items): sequence = items
        case let other: throw mismatch([String].self, YAMLShape.of(other).shape, position())
        }
        var values: [String] = []
        values.reserveCapacity(sequence.count)
        for (index, item) in sequence.enumerated() {
            let shape = YAMLShape.of(item).shape
            guard let text = shape.text else { throw mismatch(String.self, shape, position(), then: .index(index)) }
            values.append(text)
        }
        return values
    }

    /// A mapping of scalars' texts (the last of duplicate keys wins).
    static func stringMap(_ node: consuming Node, _ position: @autoclosure () -> YAMLPosition) throws
        -> [String: String]
    {
        let fields: YAMLFields
        switch consume node {
        case .mapping(let mapping): fields = YAMLFields(mapping)
        case let other: throw mismatch([String: String].self, YAMLShape.of(other).shape, position())
        }
        var values: [String: String] = Dictionary(minimumCapacity: fields.entries.count)
        for entry in fields.entries {
            guard let text = entry.shape.text else {
                throw mismatch(String.self, entry.shape, position(), then: .key(entry.key))
            }
            values[entry.key] = text
        }
        return values
    }

    /// `expected TYPE`: what was found instead, at `position` (or at the step `then` below it).
    static func mismatch(
        _ type: Any.Type, _ shape: YAMLShape, _ position: YAMLPosition, then step: YAMLPathStep = .root
    ) -> DecodingError {
        .typeMismatch(
            type,
            .init(
                codingPath: position.keys(then: step),
                debugDescription: "Expected to decode \(type) but found \(shape.found)."))
    }
}
