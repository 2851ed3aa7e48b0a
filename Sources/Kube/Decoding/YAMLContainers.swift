/// The keyed container of ``YAMLNodeDecoder``: scalar fields are read in place (no decoder, no coding path unless
/// they fail); nested values get a decoder one key deeper.
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// The mapping's decoder: its position is the container's, its fields are the container's. The
    /// container holds nothing else, so that the box of a `KeyedDecodingContainer` copies one reference per call.
    let decoder: YAMLNodeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { decoder.fields.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { decoder.fields.index(key.stringValue) != nil }

    /// The index of `key`, which must be present.
    private func index(_ key: Key) throws -> Int {
        guard let index = decoder.fields.index(key.stringValue) else {
            throw DecodingError.keyNotFound(
                key,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "No value associated with key \"\(key.stringValue)\"."))
        }
        return index
    }

    /// The index of `name` unless it is absent or null (`decodeIfPresent`'s rule).
    private func presentIndex(_ name: String) -> Int? {
        guard let index = decoder.fields.index(name), !decoder.fields.values[index].isNull else {
            return nil
        }
        return index
    }

    private func child(_ name: String) -> YAMLPosition { decoder.child(.key(name)) }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.fields.values[try index(key)].isNull }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try string(try index(key), key.stringValue) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try int(try index(key), key.stringValue) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try bool(try index(key), key.stringValue) }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value { try value(type, key) }

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
        try value(type, try index(key), key.stringValue)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        let name = key.stringValue
        guard let index = presentIndex(name) else { return nil }
        return try string(index, name)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        let name = key.stringValue
        guard let index = presentIndex(name) else { return nil }
        return try int(index, name)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        let name = key.stringValue
        guard let index = presentIndex(name) else { return nil }
        return try bool(index, name)
    }

    func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        let name = key.stringValue
        guard let index = presentIndex(name) else { return nil }
        return try value(type, index, name)
    }

    private func string(_ index: Int, _ name: String) throws -> String {
        try YAMLNodeDecoder.string(decoder.fields.values[index], child(name))
    }

    private func int(_ index: Int, _ name: String) throws -> Int {
        try YAMLNodeDecoder.int(decoder.fields.values[index], child(name))
    }

    private func bool(_ index: Int, _ name: String) throws -> Bool {
        try YAMLNodeDecoder.bool(decoder.fields.values[index], child(name))
    }

    /// Any value: the common scalars, string lists and string maps without a decoder, anything else with one.
    private func value<Value: Decodable>(_ type: Value.Type, _ index: Int, _ name: String) throws -> Value {
        let node = decoder.fields.values[index]
        return try YAMLNodeDecoder.value(type, node, child(name)) {
            try Value(from: YAMLNodeDecoder(node: node, position: child(name)))
        }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(key).unkeyedContainer()
    }

    private func nestedDecoder(_ key: Key) throws -> YAMLNodeDecoder {
        YAMLNodeDecoder(node: decoder.fields.values[try index(key)], position: child(key.stringValue))
    }

    func superDecoder() throws -> any Decoder {
        YAMLNodeDecoder(node: decoder.fields["super"] ?? .emptyDocument, position: child("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        YAMLNodeDecoder(node: decoder.fields[key.stringValue] ?? .emptyDocument, position: child(key.stringValue))
    }
}

/// The unkeyed container of ``YAMLNodeDecoder``: the items of a sequence, in order.
struct YAMLUnkeyedContainer: UnkeyedDecodingContainer {
    /// The sequence's decoder: its position is the container's.
    let decoder: YAMLNodeDecoder
    let items: [YAMLNode]
    private(set) var currentIndex = 0

    init(decoder: YAMLNodeDecoder, items: [YAMLNode]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item's decoder; moves past it only once it has been read.
    private func next<Value>(_ type: Value.Type) throws -> YAMLNodeDecoder {
        let position = decoder.child(.index(currentIndex))
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: position.keys, debugDescription: "Unkeyed container is at end."))
        }
        return YAMLNodeDecoder(node: items[currentIndex], position: position)
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
        let value = try next(type).decode(type)
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
