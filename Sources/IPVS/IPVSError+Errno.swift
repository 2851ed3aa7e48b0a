import Glibc
import Values

extension CodedError where Code == IPVSErrorCode {
    /// The C library's text for errno `code`.
    static func text(errno code: Int32) -> String { String(cString: strerror(code)) }

    /// The error for errno `code` (positive) returned by the kernel for `operation`.
    public static func kernel(errno code: Int32, operation: IPVSOperation) -> IPVSError {
        let object = operation.object
        switch code {
        case EPERM, EACCES:
            return IPVSError(
                code: .permissionDenied,
                message: "\(operation.verb) \(object): permission denied: needs root or CAP_NET_ADMIN",
                errno: code, object: object)
        case EEXIST:
            return IPVSError(
                code: .alreadyExists, message: "\(operation.verb) \(object): it already exists", errno: code,
                object: object)
        case ESRCH:
            return IPVSError(
                code: .notFound,
                message: "\(operation.verb) \(object): virtual server \(operation.virtualServerKey) does not exist",
                errno: code, object: object)
        case ENOENT:
            switch operation {
            case .addVirtualServer(let server), .updateVirtualServer(let server):
                return IPVSError(
                    code: .unknownScheduler,
                    message: "\(operation.verb) \(object): the kernel has no scheduler \"\(server.scheduler)\": "
                        + "check the name, or load its module with `modprobe \(server.scheduler.kernelModule)`",
                    errno: code, object: object)
            default:
                return IPVSError(
                    code: .notFound, message: "\(operation.verb) \(object): it does not exist", errno: code,
                    object: object)
            }
        case EINVAL:
            return IPVSError(
                code: .invalidArgument,
                message: "\(operation.verb) \(object): the kernel refused it as invalid (check addresses, ports, "
                    + "families, flags; a real server needs a route and the node a local address)",
                errno: code, object: object)
        case EBUSY:
            return IPVSError(
                code: .busy, message: "\(operation.verb) \(object): the kernel is busy, retry", errno: code,
                object: object)
        default:
            return IPVSError(
                code: .other, message: "\(operation.verb) \(object): \(String(cString: strerror(code)))",
                errno: code, object: object)
        }
    }

    /// The error for errno `code` (positive) returned by the kernel for a request that is not an
    /// `IPVSOperation` (dump, get, flush, timeouts); `what` names it.
    public static func kernel(errno code: Int32, request what: String) -> IPVSError {
        switch code {
        case EPERM, EACCES:
            return IPVSError(
                code: .permissionDenied, message: "\(what): permission denied: needs root or CAP_NET_ADMIN",
                errno: code, object: what)
        case ESRCH, ENOENT:
            return IPVSError(code: .notFound, message: "\(what): it does not exist", errno: code, object: what)
        case EINVAL:
            return IPVSError(
                code: .invalidArgument, message: "\(what): the kernel refused it as invalid", errno: code,
                object: what)
        case EBUSY:
            return IPVSError(code: .busy, message: "\(what): the kernel is busy, retry", errno: code, object: what)
        default:
            return IPVSError(
                code: .other, message: "\(what): \(String(cString: strerror(code)))", errno: code, object: what)
        }
    }

    /// A socket-level failure (errno positive) while doing `what`.
    static func transport(_ what: String, errno code: Int32) -> IPVSError {
        let hint = code == ENOBUFS ? " (the receive buffer overflowed: replies were lost)" : ""
        return IPVSError(code: .transport, message: "netlink \(what) failed\(hint)", errno: code)
    }
}
