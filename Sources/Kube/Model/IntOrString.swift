/// Kubernetes `intstr.IntOrString`: a port number or a port name (a Service's `targetPort`).
///
/// Decodes from a JSON/YAML integer or string. A string made only of digits stays a string here;
/// validation decides what it means.
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible {
    /// A number.
    case int(Int)
    /// A name.
    case string(String)

    /// Decodes from an integer or a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes as an integer or a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }

    /// The value as written.
    public var description: String {
        switch self {
        case .int(let number): String(number)
        case .string(let text): text
        }
    }
}
