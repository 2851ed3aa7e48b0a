import Yams

/// Reads one node: the `Decoder` and its single-value container. A class, so that passing it as `any Decoder`
/// copies no node. Two types may read the same mapping (``ManifestObject`` reads `kind`, then ``Service`` reads the
/// rest), and its keyed containers hold nothing but this decoder.
///
/// Values are read as Yams' `YAMLDecoder` reads them (the same scalar constructors, the same null rule), and keys
/// are looked up by their text.
final class YAMLNodeDecoder: Decoder, SingleValueDecodingContainer {
    /// The node, its top level read.
    let node: YAMLNode
    let position: YAMLPosition
    /// The mapping's pairs; none when the node is not a mapping.
    let fields: YAMLMapping

    init(node: YAMLNode, position: YAMLPosition) {
        self.position = position
        self.node = node.resolved
        if case .mapping(let mapping) = self.node { fields = mapping } else { fields = YAMLMapping() }
    }

    var codingPath: [any CodingKey] { position.keys }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The position of a child of this node.
    func child(_ step: YAMLPathStep) -> YAMLPosition { YAMLPosition(parent: self, step: step) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping = node else { throw Self.mismatch([String: Any].self, node, position) }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items) = node else { throw Self.mismatch([Any].self, node, position) }
        return YAMLUnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { node.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Self.bool(node, position) }
    func decode(_ type: String.Type) throws -> String { try Self.string(node, position) }
    func decode(_ type: Int.Type) throws -> Int { try Self.int(node, position) }
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
        try Self.value(type, node, position) { try Value(from: self) }
    }

    /// Any value of `node` at `position`: the common scalars, string lists and string maps without a decoder,
    /// anything else through `nested` (a decoder's `init(from:)`).
    static func value<Value: Decodable>(
        _ type: Value.Type, _ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition,
        nested: () throws -> Value
    ) throws -> Value {
        if Value.self == String.self { return try cast(try string(node, position()), to: type, position()) }
        if Value.self == Int.self { return try cast(try int(node, position()), to: type, position()) }
        if Value.self == Bool.self { return try cast(try bool(node, position()), to: type, position()) }
        if Value.self == [String].self { return try cast(try strings(node, position()), to: type, position()) }
        if Value.self == [String: String].self {
            return try cast(try stringMap(node, position()), to: type, position())
        }
        return try nested()
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

    /// A number as Yams constructs it (a base-60 integer as ``YAMLSexagesimal`` reads it).
    func scalar<Value: ScalarConstructible>(_ type: Value.Type) throws -> Value {
        guard let scalar = node.scalar else { throw Self.mismatch(type, node, position) }
        if let integer = Value.self as? any FixedWidthInteger.Type,
            let value = try Self.sexagesimal(integer, scalar, position) as? Value
        {
            return value
        }
        guard let value = Value.construct(from: scalar.yams) else { throw Self.mismatch(type, node, position) }
        return value
    }

    // MARK: Scalars, shared with the containers (which pass the position of the key or index they read)

    /// Any scalar's text (as `YAMLDecoder` reads a `String`).
    static func string(_ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition) throws -> String {
        guard let text = node.text else { throw mismatch(String.self, node, position()) }
        return text
    }

    /// A boolean as Yams constructs it (`true`/`yes`/`on`, `false`/`no`/`off`, any case; not a `!!str`). The
    /// reader's untagged `true` and `false` are read without Yams' constructor.
    static func bool(_ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition) throws -> Bool {
        guard let scalar = node.scalar else { throw mismatch(Bool.self, node, position()) }
        if scalar.tag == nil {
            if scalar.text == "true" { return true }
            if scalar.text == "false" { return false }
        }
        guard let value = Bool.construct(from: scalar.yams) else { throw mismatch(Bool.self, node, position()) }
        return value
    }

    /// A sequence of scalars' texts.
    static func strings(_ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition) throws -> [String] {
        guard let items = node.items else { throw mismatch([String].self, node, position()) }
        var values: [String] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let text = item.text else { throw mismatch(String.self, item, position(), then: .index(index)) }
            values.append(text)
        }
        return values
    }

    /// A mapping of scalars' texts (the last of duplicate keys wins).
    static func stringMap(_ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition) throws -> [String: String] {
        guard case .mapping(let fields) = node.resolved else { throw mismatch([String: String].self, node, position()) }
        var values: [String: String] = Dictionary(minimumCapacity: fields.keys.count)
        for (key, value) in zip(fields.keys, fields.values) {
            guard let text = value.text else { throw mismatch(String.self, value, position(), then: .key(key)) }
            values[key] = text
        }
        return values
    }

    /// `expected TYPE`: what was found instead, at `position` (or at the step `then` below it).
    static func mismatch(
        _ type: Any.Type, _ node: YAMLNode, _ position: YAMLPosition, then step: YAMLPathStep = .root
    ) -> DecodingError {
        .typeMismatch(
            type,
            .init(
                codingPath: position.keys(then: step),
                debugDescription: "Expected to decode \(type) but found \(node.found)."))
    }
}
