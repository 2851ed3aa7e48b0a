import Values

/// The kinds of failure talking to the kernel.
public enum IPVSErrorCode: String, ErrorCode {
    /// The kernel has no "IPVS" generic-netlink family: ip_vs is not loaded.
    case familyMissing
    /// The caller lacks CAP_NET_ADMIN.
    case permissionDenied
    /// The object already exists.
    case alreadyExists
    /// The object (virtual server or real server) does not exist.
    case notFound
    /// The kernel does not know the scheduler.
    case unknownScheduler
    /// The kernel refused the object's contents.
    case invalidArgument
    /// The kernel was busy (a dump already running); retry.
    case busy
    /// The socket failed (send, receive, buffer overrun, truncated reply) or libnl reported an error.
    case transport
    /// The kernel did not answer within the connection's receive timeout.
    case timeout
    /// The kernel's reply could not be understood.
    case malformedReply
    /// A local file (sysctl) could not be read or written.
    case file
    /// Anything else the kernel reported.
    case other
}

/// A failure talking to the kernel: its code, a message that says what to do, and the cause (an
/// `IPVSErrorCause`: the object concerned and the errno or libnl code).
public typealias IPVSError = CodedError<IPVSErrorCode>

/// What lies under an `IPVSError`: the object concerned, and the error number the kernel, the C library or libnl
/// gave.
public struct IPVSErrorCause: Error, Sendable, Hashable, CustomStringConvertible, UnderlyingCause {
    /// The object concerned ("virtual server TCP 10.96.0.1:80"), if any.
    public var object: String?
    /// The errno the kernel or the C library returned, if any.
    public var os: OSError?
    /// The libnl error code (positive), if libnl reported it.
    public var libnlCode: Int32?

    /// A cause.
    public init(object: String? = nil, os: OSError? = nil, libnlCode: Int32? = nil) {
        self.object = object
        self.os = os
        self.libnlCode = libnlCode
    }

    /// The errno, for `CodedError.errno`.
    public var underlyingCause: (any Error & Sendable)? { os }

    /// The errno and libnl code, or the object when there is neither.
    public var description: String {
        var parts: [String] = []
        if let os { parts.append("\(os)") }
        if let libnlCode { parts.append("libnl error \(libnlCode)") }
        return parts.isEmpty ? object ?? "" : parts.joined(separator: ", ")
    }
}

extension CodedError where Code == IPVSErrorCode {
    /// An error of kind `code`; `errno`, `libnlCode` and `object` go into its `IPVSErrorCause`.
    public init(
        code: IPVSErrorCode, message: String, errno: Int32? = nil, libnlCode: Int32? = nil, object: String? = nil
    ) {
        let os = errno.map { OSError(errno: $0, text: Self.text(errno: $0)) }
        let cause =
            errno == nil && libnlCode == nil && object == nil
            ? nil : IPVSErrorCause(object: object, os: os, libnlCode: libnlCode)
        self.init(code, message, cause: cause)
    }

    /// The object concerned, if any.
    public var object: String? {
        get { (cause as? IPVSErrorCause)?.object }
        set {
            var context = cause as? IPVSErrorCause ?? IPVSErrorCause()
            context.object = newValue
            cause = context
        }
    }

    /// The libnl error code, if libnl reported it.
    public var libnlCode: Int32? { (cause as? IPVSErrorCause)?.libnlCode }

    /// The error for a missing IPVS family.
    public static var familyMissing: IPVSError {
        IPVSError(
            code: .familyMissing,
            message: "the kernel has no IPVS (generic netlink family \"IPVS\" not found): load it with `modprobe ip_vs`"
        )
    }
}
