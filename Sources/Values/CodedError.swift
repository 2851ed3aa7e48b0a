/// The kinds of failure one module can report: an enum whose raw value is the stable code shown in logs and
/// metrics.
public protocol ErrorCode: RawRepresentable, Sendable, Hashable where RawValue == String {}

/// The project's one error shape: a code a program can switch on, a message a person can act on (it names the
/// file, object or field concerned), and the underlying cause when there is one. Each module names its own
/// codes (`typealias IPVSError = CodedError<IPVSErrorCode>`), so callers match on codes, never on text.
public struct CodedError<Code: ErrorCode>: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// What happened, naming the place, and what to do about it.
    public var message: String
    /// The error underneath (an `OSError`, a decoding error, another module's `CodedError`), if any.
    public var cause: (any Error & Sendable)?

    /// An error of kind `code`, described by `message`, caused by `cause`.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, then the cause in parentheses.
    public var description: String {
        guard let cause else { return message }
        return "\(message) (\(cause))"
    }

    /// The errno of the cause, when the cause is an `OSError` (directly or one level down, under a cause that
    /// names its own, such as another module's `CodedError`).
    public var errno: Int32? {
        if let os = cause as? OSError { return os.errno }
        if let wrapper = cause as? any UnderlyingCause, let os = wrapper.underlyingCause as? OSError { return os.errno }
        return nil
    }
}

/// An error that carries a cause of its own, so that `CodedError.errno` can look one level down.
public protocol UnderlyingCause {
    /// The error underneath, if any.
    var underlyingCause: (any Error & Sendable)? { get }
}

extension CodedError: UnderlyingCause {
    /// The cause.
    public var underlyingCause: (any Error & Sendable)? { cause }
}

extension CodedError: Hashable {
    /// Equal code and message, and causes that print the same.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
            && lhs.cause.map { "\($0)" } == rhs.cause.map { "\($0)" }
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(cause.map { "\($0)" })
    }
}

/// An operating-system error number as a cause; prints as "errno 22: Invalid argument".
public struct OSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errno value (positive).
    public var errno: Int32
    /// The C library's text for it, or what the caller knows about it.
    public var text: String

    /// An errno and its text.
    public init(errno: Int32, text: String) {
        self.errno = errno
        self.text = text
    }

    public var description: String { text.isEmpty ? "errno \(errno)" : "errno \(errno): \(text)" }
}
