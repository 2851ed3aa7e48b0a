import Yams

/// A YAML node as the project's decoder reads it: a scalar's text and style, a mapping's pairs keyed by text, a
/// sequence's items. ``YAMLBlockReader`` builds these directly, with no tag objects, weak anchors or key nodes: in
/// Yams' `Node` each scalar allocates a `Tag`, and every copy of a node copies a weak reference, which was most of
/// the time left in reading a manifests directory (docs/performance.md, 2026-12-06).
///
/// A text outside the reader's subset is parsed by Yams, and its nodes are wrapped (``yams(_:)``) and read one
/// level at a time (``resolved``), as the decoder reaches them: Yams resolves an alias to the node it names, so a
/// small document of nested aliases stands for an exponentially large tree, of which only what the models read is
/// ever walked.
public enum YAMLNode {
    /// A scalar.
    case scalar(YAMLScalar)
    /// A mapping.
    case mapping(YAMLMapping)
    /// A sequence.
    case sequence([YAMLNode])
    /// An alias (Yams' parser resolves aliases: only a node built by hand holds one).
    case alias
    /// A node of Yams' parser, not yet read.
    case yams(Node)

    /// The empty scalar an empty document decodes from (Yams' `Node("")`: not a null, its style being `any`).
    static var emptyDocument: YAMLNode { .scalar(YAMLScalar(text: "", style: .any)) }

    /// The node with its top level read: a node of Yams' parser as the reader would have built it (a scalar with
    /// Yams' tag, a mapping keyed by text with merge keys applied), its children still wrapped.
    public var resolved: YAMLNode {
        guard case .yams(let node) = self else { return self }
        switch node {
        case .scalar(let scalar): return .scalar(YAMLScalar(scalar))
        case .mapping(let mapping): return .mapping(YAMLMapping(mapping))
        case .sequence(let sequence): return .sequence(sequence.map { .yams($0) })
        case .alias: return .alias
        }
    }

    /// The node as a scalar, nil when it is none; a node of Yams' parser is not read further to find out (a mapping
    /// of Yams' is not indexed to say that it is no null).
    var scalar: YAMLScalar? {
        switch self {
        case .scalar(let scalar): scalar
        case .yams(.scalar(let scalar)): YAMLScalar(scalar)
        default: nil
        }
    }

    /// Whether the node is a mapping (one of Yams' parser is not indexed to find out).
    var isMapping: Bool {
        switch self {
        case .mapping, .yams(.mapping): true
        default: false
        }
    }

    /// A scalar's text.
    public var text: String? { scalar?.text }

    /// A sequence's items.
    public var items: [YAMLNode]? {
        guard case .sequence(let items) = resolved else { return nil }
        return items
    }

    /// The value of `key` in a mapping (the last pair with it).
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let mapping) = resolved else { return nil }
        return mapping[key]
    }

    /// Yams' null (`NSNull.construct(from:)`): a plain `null`, `Null`, `NULL`, `~` or empty scalar. No other text
    /// equals these (no character is canonically equivalent to one of theirs), so comparing lengths first is exact.
    var isNull: Bool {
        guard let scalar, scalar.style == .plain else { return false }
        let text = scalar.text
        switch text.utf8.count {
        case 0: return true
        case 1: return text == "~"
        case 4: return text == "null" || text == "Null" || text == "NULL"
        default: return false
        }
    }

    /// What an error says was found instead of the expected type.
    var found: String {
        switch resolved {
        case .scalar(let scalar): isNull ? "null" : "\"\(scalar.text)\""
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        case .alias, .yams: "an alias"
        }
    }
}

/// A scalar: its text and style, and the tag Yams' parser gave it.
public struct YAMLScalar {
    /// The text, quotes removed.
    public var text: String
    /// How it was written.
    public var style: Node.Scalar.Style
    /// The tag of a scalar of Yams' parser; nil for the reader's, which are untagged (Yams' implicit tag).
    var tag: Tag?

    init(text: String, style: Node.Scalar.Style, tag: Tag? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// A scalar of Yams' parser, its tag kept.
    init(_ scalar: Node.Scalar) {
        self.init(text: scalar.string, style: scalar.style, tag: scalar.tag)
    }

    /// The scalar as Yams' constructors take it.
    var yams: Node.Scalar { Node.Scalar(text, tag ?? Tag(.implicit), style) }
}

/// The pairs of a mapping, keyed by text, in order; lookups take the last pair with a key.
public struct YAMLMapping {
    /// The keys, in order.
    public private(set) var keys: [String] = []
    /// The values, in the keys' order.
    public private(set) var values: [YAMLNode] = []

    init() {}

    /// Room for `count` pairs.
    init(capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    mutating func append(_ key: String, _ value: YAMLNode) {
        keys.append(key)
        values.append(value)
    }

    /// The index of the last pair with `key`.
    func index(_ key: String) -> Int? {
        keys.lastIndex(of: key)
    }

    /// The value of the last pair with `key`.
    subscript(key: String) -> YAMLNode? {
        index(key).map { values[$0] }
    }

    /// A mapping of Yams' parser, as the decoder has always read it: pairs whose key is a scalar, by its text, with
    /// merge keys (`<<`, a plain key Yams resolves to the merge tag) applied: the merged pairs come first, so that
    /// the mapping's own win.
    init(_ mapping: Node.Mapping) {
        // `Node.Mapping` is a plain `Collection` of `Int` indices: its `count` walks it, its `indices` copy it.
        let bounds = mapping.startIndex..<mapping.endIndex
        self.init(capacity: bounds.count)
        var merged: YAMLMapping?
        for index in bounds {
            let (key, value) = mapping[index]
            guard case .scalar(let scalar) = key else { continue }
            let text = scalar.string
            // A node's `tag` is its resolved tag (a plain `<<` resolves to the merge tag); a scalar's is as written.
            if text == "<<", Node.scalar(scalar).tag.rawValue == Tag.Name.merge.rawValue {
                var inner = merged ?? YAMLMapping()
                switch value {
                case .mapping(let mapping): inner.append(contentsOf: YAMLMapping(mapping))
                case .sequence(let sequence):
                    for case .mapping(let mapping) in sequence.reversed() {
                        inner.append(contentsOf: YAMLMapping(mapping))
                    }
                default: break
                }
                merged = inner
                continue
            }
            append(text, .yams(value))
        }
        if var merged {
            merged.append(contentsOf: self)
            self = merged
        }
    }

    private mutating func append(contentsOf other: YAMLMapping) {
        keys += other.keys
        values += other.values
    }
}
