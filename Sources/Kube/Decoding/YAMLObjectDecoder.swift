import Yams

/// The one YAML decoder of the project's Kubernetes objects (manifests, kubeconfig): a `Decoder` over
/// ``YAMLNode``s (``YAMLBlockReader``'s, or Yams' parser's read one level at a time), so the `Codable` models are
/// the only description of an object's fields.
///
/// It reads values as Yams' `YAMLDecoder` does (the same scalar constructors, the same null rule, merge keys
/// `<<`, the last of duplicate keys wins) but looks keys up by their text: `YAMLDecoder` builds a `Node` for
/// every key it looks up and compares it with every key of the mapping, resolving both tags with regular
/// expressions, which dominated the time to read a large manifests directory. The coding path is built only
/// when an error (or a caller) needs it. Errors are `DecodingError`s whose coding path names the field.
///
/// A nested object's decoder is a class, passed as `any Decoder` without copying its node, and it is also the
/// coding path (each decoder knows its parent and its key or index there).
public enum YAMLObjectDecoder {
    /// Decodes `type` from a YAML node.
    public static func decode<Value: Decodable>(_ type: Value.Type, from node: YAMLNode) throws -> Value {
        try YAMLNodeDecoder(node: node, position: YAMLPosition(parent: nil, step: .root)).decode(type)
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
    public static func documents(_ text: String) throws -> [YAMLNode] {
        try YAMLBlockReader.documents(text) ?? yamsDocuments(text).map { .yams($0) }
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
            return try decode(type, from: documents.first ?? .emptyDocument)
        }
        let parser = try parser(text)
        return try withExtendedLifetime(parser) {
            try decode(type, from: try parser.singleRoot().map { .yams($0) } ?? .emptyDocument)
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
