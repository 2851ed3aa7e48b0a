import Foundation
import Yams

/// The one YAML decoder of the project's Kubernetes objects (manifests, kubeconfig): a `Decoder` over Yams'
/// `Node` tree, so the `Codable` models are the only description of an object's fields.
///
/// It reads values as Yams' `YAMLDecoder` does (the same scalar constructors, the same null rule, merge keys
/// `<<`, the last of duplicate keys wins) but looks keys up by their text: `YAMLDecoder` builds a `Node` for
/// every key it looks up and compares it with every key of the mapping, resolving both tags with regular
/// expressions, which dominated the time to read a large manifests directory. The coding path is built only
/// when an error (or a caller) needs it. Errors are `DecodingError`s whose coding path names the field.
public enum YAMLObjectDecoder {
    /// Decodes `type` from a composed YAML node.
    public static func decode<Value: Decodable>(_ type: Value.Type, from node: Node) throws -> Value {
        try YAMLNodeDecoder(node: node, path: .root).decodeValue(type)
    }

    /// Decodes `type` from the single YAML document in `text` (an empty document decodes from an empty scalar).
    /// A syntax error is a `YamlError`.
    public static func decode<Value: Decodable>(_ type: Value.Type, fromYAML text: String) throws -> Value {
        let parser = try Parser(yaml: text)
        return try withExtendedLifetime(parser) {
            try decode(type, from: try parser.singleRoot() ?? Node(""))
        }
    }
}

/// Where a node sits in its document, as a chain built only as deep as decoding goes.
indirect enum YAMLCodingPath: Sendable {
    case root
    case key(YAMLCodingPath, String)
    case index(YAMLCodingPath, Int)

    /// The path as coding keys (`spec`, `ports`, index 0, `port`).
    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = self
        while true {
            switch current {
            case .root: return keys.reversed()
            case .key(let parent, let name):
                keys.append(YAMLCodingKey(stringValue: name))
                current = parent
            case .index(let parent, let index):
                keys.append(YAMLCodingKey(intValue: index))
                current = parent
            }
        }
    }
}

/// A key of ``YAMLCodingPath``: a mapping key or a sequence index.
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

/// The pairs of one mapping, keyed by text, merge keys applied. Lookups take the last pair with the key.
struct YAMLFields {
    var pairs: [(key: String, value: Node)] = []

    init(_ mapping: Node.Mapping) {
        pairs.reserveCapacity(mapping.count)
        var merged: [(key: String, value: Node)] = []
        // By index: the mapping's iterator would first copy its pairs into a new array.
        for index in mapping.indices {
            let (key, value) = mapping[index]
            guard case .scalar(let scalar) = key else { continue }
            if scalar.string == "<<", key.tag.rawValue == Tag.Name.merge.rawValue {
                switch value {
                case .mapping(let inner): merged += YAMLFields(inner).pairs
                case .sequence(let sequence):
                    for case .mapping(let inner) in sequence.reversed() { merged += YAMLFields(inner).pairs }
                default: break
                }
                continue
            }
            pairs.append((scalar.string, value))
        }
        if !merged.isEmpty { pairs = merged + pairs }
    }

    func value(_ key: String) -> Node? {
        var index = pairs.endIndex
        while index > pairs.startIndex {
            index -= 1
            if pairs[index].key == key { return pairs[index].value }
        }
        return nil
    }
}

/// Reads one node: the `Decoder` and its single-value container.
struct YAMLNodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Node
    let path: YAMLCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw Self.mismatch([String: Any].self, node, path) }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(fields: YAMLFields(mapping), path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw Self.mismatch([Any].self, node, path) }
        return YAMLUnkeyedContainer(sequence: sequence, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { Self.isNull(node) }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.bool(node, path) }
    func decode(_ type: String.Type) throws -> String { try Self.string(node, path) }
    func decode(_ type: Int.Type) throws -> Int { try Self.int(node, path) }
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
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try decodeValue(type) }

    /// Decodes any value: the common scalars and string maps directly, everything else through its
    /// `init(from:)` (the other numbers reach ``scalar(_:)``, Yams' constructors). Foundation types decode by their
    /// own `Decodable` conformance (a `Date` from a number, not from a YAML timestamp); no model uses them.
    func decodeValue<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if Value.self == String.self, let value = try Self.string(node, path) as? Value { return value }
        if Value.self == Int.self, let value = try Self.int(node, path) as? Value { return value }
        if Value.self == Bool.self, let value = try Self.bool(node, path) as? Value { return value }
        if Value.self == [String].self, let value = try Self.strings(node, path) as? Value { return value }
        if Value.self == [String: String].self, let value = try Self.stringMap(node, path) as? Value {
            return value
        }
        return try Value(from: self)
    }

    /// A number as Yams constructs it.
    func scalar<Value: ScalarConstructible>(_ type: Value.Type) throws -> Value {
        guard case .scalar(let scalar) = node, let value = Value.construct(from: scalar) else {
            throw Self.mismatch(type, node, path)
        }
        return value
    }

    // MARK: Scalars, shared with the containers (which pass the path of the key or index they read)

    /// Yams' null: a plain `null`, `Null`, `NULL`, `~` or empty scalar.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return NSNull.construct(from: scalar) != nil
    }

    /// Any scalar's text (as `YAMLDecoder` reads a `String`).
    static func string(_ node: Node, _ path: @autoclosure () -> YAMLCodingPath) throws -> String {
        guard case .scalar(let scalar) = node else { throw mismatch(String.self, node, path()) }
        return scalar.string
    }

    /// An integer as Yams constructs it (decimal, `0x`, `0o`, `0b`, sexagesimal; plain scalars only). Plain
    /// decimal digits, by far the most common case, are converted without Yams' general constructor.
    static func int(_ node: Node, _ path: @autoclosure () -> YAMLCodingPath) throws -> Int {
        guard case .scalar(let scalar) = node else { throw mismatch(Int.self, node, path()) }
        if scalar.style == .plain || scalar.style == .any, let value = plainDecimal(scalar.string) { return value }
        guard let value = Int.construct(from: scalar) else { throw mismatch(Int.self, node, path()) }
        return value
    }

    /// `1`-`9` followed by up to 17 digits (no sign, no leading zero, which YAML 1.1 reads as octal).
    private static func plainDecimal(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard let first = utf8.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9"), utf8.count <= 18 else {
            return nil
        }
        var value = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// A boolean as Yams constructs it (`true`/`yes`/`on`, `false`/`no`/`off`, any case).
    static func bool(_ node: Node, _ path: @autoclosure () -> YAMLCodingPath) throws -> Bool {
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            throw mismatch(Bool.self, node, path())
        }
        return value
    }

    /// A sequence of scalars' texts.
    static func strings(_ node: Node, _ path: YAMLCodingPath) throws -> [String] {
        guard case .sequence(let sequence) = node else { throw mismatch([String].self, node, path) }
        var values: [String] = []
        values.reserveCapacity(sequence.count)
        for (index, item) in sequence.enumerated() { values.append(try string(item, .index(path, index))) }
        return values
    }

    /// A mapping of scalars' texts (the last of duplicate keys wins).
    static func stringMap(_ node: Node, _ path: YAMLCodingPath) throws -> [String: String] {
        guard case .mapping(let mapping) = node else { throw mismatch([String: String].self, node, path) }
        let fields = YAMLFields(mapping)
        var values: [String: String] = Dictionary(minimumCapacity: fields.pairs.count)
        for (key, value) in fields.pairs { values[key] = try string(value, .key(path, key)) }
        return values
    }

    /// `expected TYPE`: what was found instead.
    static func mismatch(_ type: Any.Type, _ node: Node, _ path: YAMLCodingPath) -> DecodingError {
        let found: String
        switch node {
        case .scalar(let scalar): found = isNull(node) ? "null" : "\"\(scalar.string)\""
        case .mapping: found = "a mapping"
        case .sequence: found = "a sequence"
        case .alias: found = "an alias"
        }
        return .typeMismatch(
            type, .init(codingPath: path.keys, debugDescription: "Expected to decode \(type) but found \(found)."))
    }
}
