/// Addresses and prefixes are written in their text form in JSON and other `Codable` formats ("10.244.0.10",
/// "10.244.0.0/24"), so that a file holding them reads as a person would write it.
extension IPAddress: Codable {
    /// Decodes the text form; a string that is not an address is a `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an IP address: '\(text)'")
        }
        self = address
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension AddressPrefix: Codable {
    /// Decodes "address/length" (host bits may be set, as in `init?(_:strict:)` without `strict`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let prefix = AddressPrefix(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an address prefix: '\(text)' (expected e.g. 10.244.0.0/24)")
        }
        self = prefix
    }

    /// Encodes "address/length".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
