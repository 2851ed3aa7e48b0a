import Yams

/// The keyed container of ``YAMLNodeDecoder``: scalar fields are read in place (no decoder, no coding path
/// unless they fail); nested values get a decoder one key deeper.
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: YAMLFields
    let path: YAMLCodingPath

    var codingPath: [any CodingKey] { path.keys }
    var allKeys: [Key] { fields.pairs.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { fields.value(key.stringValue) != nil }

    private func node(_ key: Key) throws -> Node {
        guard let node = fields.value(key.stringValue) else {
            throw DecodingError.keyNotFound(
                key,
                .init(codingPath: path.keys, debugDescription: "No value associated with key \"\(key.stringValue)\"."))
        }
        return node
    }

    private func child(_ key: Key) -> YAMLCodingPath { .key(path, key.stringValue) }

    func decodeNil(forKey key: Key) throws -> Bool { YAMLNodeDecoder.isNull(try node(key)) }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try YAMLNodeDecoder.string(try node(key), child(key))
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try YAMLNodeDecoder.int(try node(key), child(key))
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try YAMLNodeDecoder.bool(try node(key), child(key))
    }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        try YAMLNodeDecoder(node: try node(key), path: child(key)).decodeValue(type)
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, key) }

    private func value<Value: Decodable>(_ type: Value.Type, _ key: Key) throws -> Value {
        try YAMLNodeDecoder(node: try node(key), path: child(key)).decodeValue(type)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        let name = key.stringValue
        guard let node = fields.value(name), !YAMLNodeDecoder.isNull(node) else { return nil }
        return try YAMLNodeDecoder.string(node, .key(path, name))
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        let name = key.stringValue
        guard let node = fields.value(name), !YAMLNodeDecoder.isNull(node) else { return nil }
        return try YAMLNodeDecoder.int(node, .key(path, name))
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        let name = key.stringValue
        guard let node = fields.value(name), !YAMLNodeDecoder.isNull(node) else { return nil }
        return try YAMLNodeDecoder.bool(node, .key(path, name))
    }

    func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        let name = key.stringValue
        guard let node = fields.value(name), !YAMLNodeDecoder.isNull(node) else { return nil }
        return try YAMLNodeDecoder(node: node, path: .key(path, name)).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try YAMLNodeDecoder(node: try node(key), path: child(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try YAMLNodeDecoder(node: try node(key), path: child(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        YAMLNodeDecoder(node: fields.value("super") ?? Node(""), path: .key(path, "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        YAMLNodeDecoder(node: fields.value(key.stringValue) ?? Node(""), path: child(key))
    }
}

/// The unkeyed container of ``YAMLNodeDecoder``: the items of a sequence, in order.
struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    let sequence: Node.Sequence
    let path: YAMLCodingPath
    private(set) var currentIndex = 0

    init(sequence: Node.Sequence, path: YAMLCodingPath) {
        self.sequence = sequence
        self.path = path
    }

    var codingPath: [any CodingKey] { path.keys }
    var count: Int? { sequence.count }
    var isAtEnd: Bool { currentIndex >= sequence.count }

    /// The next item's decoder; moves past it only once it has been read.
    private func next<Value>(_ type: Value.Type) throws -> YAMLNodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(
                    codingPath: YAMLCodingPath.index(path, currentIndex).keys,
                    debugDescription: "Unkeyed container is at end."))
        }
        return YAMLNodeDecoder(node: sequence[currentIndex], path: .index(path, currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        let isNull = try next(Any?.self).decodeNil()
        if isNull { currentIndex += 1 }
        return isNull
    }

    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try item(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try item(type) }
    mutating func decode(_ type: String.Type) throws -> String { try item(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try item(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try item(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try item(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try item(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try item(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try item(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try item(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try item(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try item(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try item(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try item(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try item(type) }

    private mutating func item<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let value = try next(type).decodeValue(type)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try next([String: Any].self).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try next([Any].self).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try next(Any.self)
        currentIndex += 1
        return decoder
    }
}
