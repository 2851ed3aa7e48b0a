/// Why an object (or one endpoint of a slice) was rejected.
///
/// Its description reads `FILE: OBJECT: FIELD: MESSAGE`, for example
/// `services/default/web: spec.ports[1].port: 70000 is out of range 1-65535`.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// A required field is missing or empty.
        case missingField
        /// Text that should be an IP address is not one (or not of the expected family).
        case invalidIP
        /// A port number outside 1-65535 (or another number out of its range).
        case outOfRange
        /// A value not among the allowed ones (protocol, type, policy...).
        case unsupportedValue
        /// A document that cannot be decoded into the object's shape.
        case malformed
    }

    /// What kind of problem.
    public var code: Code
    /// A human-readable explanation of the value at fault.
    public var message: String
    /// The object, as `services/default/web` (or `services/default/<unnamed>` when the name is missing).
    public var object: String
    /// The field path, as `spec.ports[1].port`.
    public var field: String
    /// The file the object came from, for the manifests source.
    public var file: String?

    /// Creates an error.
    public init(code: Code, message: String, object: String, field: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.object = object
        self.field = field
        self.file = file
    }

    /// `FILE: OBJECT: FIELD: MESSAGE` (file omitted when unknown).
    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        return "\(prefix)\(object): \(field): \(message)"
    }

    /// The same error, attributed to a file.
    public func inFile(_ path: String) -> ValidationError {
        var copy = self
        copy.file = path
        return copy
    }
}
