import Yams

extension YAMLBlockReader {
    /// What differs between the reader's documents of `text` and Yams' (scalar text and style, pairs and items in
    /// order, the kind of each node), or nil when they agree or the reader declines the text. A text the reader
    /// accepts and Yams rejects is a difference. The differential check of `YAMLBlockReaderTests` and of the
    /// `FuzzYAMLReader` fuzz target.
    package static func disagreement(_ text: String) -> String? {
        guard let fast = documents(text) else { return nil }
        let reference: [YAMLNode]
        do {
            reference = try YAMLObjectDecoder.yamsDocuments(text).map { .yams($0) }
        } catch {
            return "the reader accepts a text Yams rejects (\(error))"
        }
        let left = fast.map(outline).joined(separator: "\n---\n")
        let right = reference.map(outline).joined(separator: "\n---\n")
        return left == right ? nil : "the reader reads:\n\(left)\nYams reads:\n\(right)"
    }

    /// A node as text that shows what the decoder reads of it: each scalar's style and exact text, each key's text
    /// (the whole tree: a wrapped node of Yams' is read to the bottom).
    static func outline(_ node: YAMLNode) -> String {
        switch node.resolved {
        case .scalar(let scalar): "\(scalar.style)\(scalar.text.debugDescription)"
        case .mapping(let mapping):
            "{"
                + zip(mapping.keys, mapping.values).map { "\($0.debugDescription): \(outline($1))" }
                .joined(separator: ", ") + "}"
        case .sequence(let items): "[" + items.map(outline).joined(separator: ", ") + "]"
        case .alias, .yams: "*alias"
        }
    }
}
