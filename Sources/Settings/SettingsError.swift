import Values

/// The kinds of setting that cannot be used.
public enum SettingsErrorCode: String, ErrorCode {
    /// The config file could not be read.
    case unreadableFile
    /// The config file is not YAML of the expected shape.
    case malformedFile
    /// A key or variable that no setting has.
    case unknownKey
    /// A value the setting does not take.
    case badValue
    /// A kube-proxy flag or field asking for what ipvs-proxy cannot do (running anyway would do something else).
    case unsupported
}

/// A setting that cannot be used, found at start: it names the file and key, the variable or the flag.
public typealias SettingsError = CodedError<SettingsErrorCode>
