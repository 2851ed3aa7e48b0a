/// A failure talking to the kernel: what kind, a message that says what to do, and the cause.
public struct IPVSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Code: String, Sendable, Hashable {
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
        /// The socket failed (send, receive, buffer overrun) or libnl reported an error.
        case transport
        /// The kernel's reply could not be understood.
        case malformedReply
        /// A local file (sysctl) could not be read or written.
        case file
        /// Anything else the kernel reported.
        case other
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// The errno the kernel (or the C library) returned, if any.
    public var errno: Int32?
    /// The libnl error code, if libnl reported it.
    public var libnlCode: Int32?
    /// The object concerned ("virtual server TCP 10.96.0.1:80"), if any.
    public var object: String?

    /// An error.
    public init(code: Code, message: String, errno: Int32? = nil, libnlCode: Int32? = nil, object: String? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.libnlCode = libnlCode
        self.object = object
    }

    public var description: String {
        var text = message
        if let errno { text += " (errno \(errno))" }
        if let libnlCode { text += " (libnl error \(libnlCode))" }
        return text
    }

    /// The error for a missing IPVS family.
    public static let familyMissing = IPVSError(
        code: .familyMissing,
        message: "the kernel has no IPVS (generic netlink family \"IPVS\" not found): load it with `modprobe ip_vs`"
    )
}
