/// How objects are named in keys and messages.
enum ObjectNaming {
    /// The namespace objects without one are placed in.
    static let defaultNamespace = "default"

    /// `resource/namespace/name` (`resource/name` for a cluster-scoped kind), with `<unnamed>` when the name is
    /// missing.
    static func describe(_ kind: ObjectKind, _ metadata: ObjectMeta) -> String {
        if !kind.isNamespaced {
            return "\(kind.resource)/\(metadata.name.flatMap { $0.isEmpty ? nil : $0 } ?? "<unnamed>")"
        }
        let namespace = metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        let name = metadata.name.flatMap { $0.isEmpty ? nil : $0 } ?? "<unnamed>"
        return "\(kind.resource)/\(namespace)/\(name)"
    }

    /// The key, or nil when the name is missing. A cluster-scoped kind's key has an empty namespace.
    static func key(_ metadata: ObjectMeta, kind: ObjectKind = .service) -> ObjectKey? {
        guard let name = metadata.name, !name.isEmpty else { return nil }
        if !kind.isNamespaced { return ObjectKey(namespace: "", name: name) }
        let namespace = metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        return ObjectKey(namespace: namespace, name: name)
    }

    /// True for an RFC 1123 DNS label (namespaces, Service names): lowercase letters, digits and `-`,
    /// starting and ending with a letter or digit, at most 63 characters.
    static func isDNSLabel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// True for an RFC 1123 DNS subdomain (EndpointSlice names): dot-separated labels, at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        text.utf8.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
                isDNSLabel(String($0))
            }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
