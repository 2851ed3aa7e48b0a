import Values

/// What went wrong with a manifest file, or with the manifests directory as a whole.
public enum ManifestErrorCode: String, ErrorCode {
    /// The file could not be read.
    case unreadable
    /// The file is not valid YAML or JSON.
    case syntax
    /// The directory could not be listed.
    case directory
    /// The file is larger than ``ManifestsDirectoryScanner/maximumFileBytes``; it is not read.
    case tooLarge
}

/// A manifest file that could not be read or parsed as a whole (YAML/JSON syntax error, unreadable file), or a
/// directory that could not be listed. Its message reads `FILE: MESSAGE`.
public typealias ManifestError = CodedError<ManifestErrorCode>

extension CodedError where Code == ManifestErrorCode {
    /// An error about `file` (`FILE: MESSAGE`), with the error underneath when there is one.
    public init(code: ManifestErrorCode, message: String, file: String, cause: (any Error & Sendable)? = nil) {
        self.init(code, "\(file): \(message)", cause: cause)
    }
}
