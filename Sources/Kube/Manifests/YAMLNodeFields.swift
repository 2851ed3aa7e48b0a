import Foundation
import Yams

/// The fields of one YAML mapping, read the way Yams' `YAMLDecoder` reads them (same scalar constructors, same
/// null rule, the last of duplicate keys wins) but by comparing key text only. The decoder looks a key up by
/// building a `Node` and comparing it with every key, which resolves each key's tag (regular expressions) on
/// every lookup; that dominated the time to load a large manifests directory.
///
/// Anything unusual (a value of the wrong shape, a merge key `<<`, an alias, a scalar that does not convert)
/// throws ``Unsupported``: the caller then decodes the document with `YAMLDecoder`, which produces the
/// error message (with its field path) exactly as before.
struct YAMLNodeFields {
    /// The document needs the general decoder.
    struct Unsupported: Error {}

    private var pairs: [(key: String, value: Node)] = []

    init(_ node: Node) throws(Unsupported) {
        guard case .mapping(let mapping) = node else { throw Unsupported() }
        pairs.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, scalar.string != "<<" else { throw Unsupported() }
            pairs.append((scalar.string, value))
        }
    }

    /// The value of `key` unless absent or null (`decodeIfPresent`'s rule).
    func value(_ key: String) -> Node? {
        guard let node = pairs.last(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let scalar) = node, NSNull.construct(from: scalar) != nil { return nil }
        return node
    }

    func fields(_ key: String) throws(Unsupported) -> YAMLNodeFields? {
        guard let node = value(key) else { return nil }
        return try YAMLNodeFields(node)
    }

    func string(_ key: String) throws(Unsupported) -> String? {
        try value(key).map(Self.string)
    }

    func int(_ key: String) throws(Unsupported) -> Int? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, let number = Int.construct(from: scalar) else { throw Unsupported() }
        return number
    }

    func bool(_ key: String) throws(Unsupported) -> Bool? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, let flag = Bool.construct(from: scalar) else { throw Unsupported() }
        return flag
    }

    func strings(_ key: String) throws(Unsupported) -> [String]? {
        try sequence(key, Self.string)
    }

    func stringMap(_ key: String) throws(Unsupported) -> [String: String]? {
        guard let node = value(key) else { return nil }
        let fields = try YAMLNodeFields(node)
        var map: [String: String] = [:]
        for (key, value) in fields.pairs { map[key] = try Self.string(value) }
        return map
    }

    func sequence<Element>(
        _ key: String, _ element: (Node) throws(Unsupported) -> Element
    ) throws(Unsupported) -> [Element]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let sequence) = node else { throw Unsupported() }
        var elements: [Element] = []
        elements.reserveCapacity(sequence.count)
        for item in sequence { elements.append(try element(item)) }
        return elements
    }

    func objects<Element>(
        _ key: String, _ element: (YAMLNodeFields) throws(Unsupported) -> Element
    ) throws(Unsupported) -> [Element]? {
        try sequence(key) { (node) throws(Unsupported) in try element(YAMLNodeFields(node)) }
    }

    /// A string as `decode(String.self)` reads it: any scalar's text (even a null one inside a sequence).
    static func string(_ node: Node) throws(Unsupported) -> String {
        guard case .scalar(let scalar) = node else { throw Unsupported() }
        return scalar.string
    }

    /// An ``IntOrString`` as its decoder reads it: an integer when the scalar converts, else its text.
    func intOrString(_ key: String) throws(Unsupported) -> IntOrString? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node else { throw Unsupported() }
        return Int.construct(from: scalar).map(IntOrString.int) ?? .string(scalar.string)
    }
}
