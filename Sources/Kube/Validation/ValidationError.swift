import Values

/// What kind of problem made an object (or one endpoint of a slice) invalid.
public enum ValidationErrorCode: String, ErrorCode {
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
    /// An object larger than ``ObjectSizeLimit/objectBytes``.
    case tooLarge
}

/// Why an object (or one endpoint of a slice) was rejected.
///
/// Its message reads `FILE: OBJECT: FIELD: MESSAGE` (the file only for the manifests source), for example
/// `services/default/web: spec.ports[1].port: 70000 is out of range 1-65535`.
public typealias ValidationError = CodedError<ValidationErrorCode>

extension CodedError where Code == ValidationErrorCode {
    /// An error about `field` of `object` (`services/default/web`, or `services/default/<unnamed>` when the name
    /// is missing), from `file` when known.
    public init(code: ValidationErrorCode, message: String, object: String, field: String, file: String? = nil) {
        self.init(code, (file.map { "\($0): " } ?? "") + "\(object): \(field): \(message)")
    }

    /// The same error, attributed to a file.
    public func inFile(_ path: String) -> ValidationError {
        ValidationError(code, "\(path): \(message)", cause: cause)
    }
}
