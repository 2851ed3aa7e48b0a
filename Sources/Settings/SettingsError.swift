/// A setting that cannot be used, found at start: it names the file and key, the variable or the flag.
public struct SettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The config file could not be read.
        case unreadableFile
        /// The config file is not YAML of the expected shape.
        case malformedFile
        /// A key or variable that no setting has.
        case unknownKey
        /// A value the setting does not take.
        case badValue
    }

    /// What went wrong.
    public var code: Code
    /// One line naming the place and the fix.
    public var message: String
    /// The underlying error, when there is one.
    public var cause: String?

    /// An error.
    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message + (cause.map { " (\($0))" } ?? "") }
}
