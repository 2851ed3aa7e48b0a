/// Renders a `DecodingError` as a Kubernetes-style field path (`spec.ports[0].port`) and a message.
enum DecodingErrorDescription {
    static func describe(_ error: any Error, below base: [any CodingKey] = []) -> (field: String, message: String) {
        guard let decoding = error as? DecodingError else { return ("", "\(error)") }
        switch decoding {
        case .typeMismatch(let type, let context):
            return (path(context.codingPath, below: base), "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath, below: base), "missing \(type) value")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key], below: base), "is required")
        case .dataCorrupted(let context):
            return (path(context.codingPath, below: base), context.debugDescription)
        @unknown default:
            return ("", "\(decoding)")
        }
    }

    static func path(_ keys: [any CodingKey], below base: [any CodingKey]) -> String {
        var text = ""
        for key in keys.dropFirst(min(base.count, keys.count)) {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "<document>" : text
    }
}
