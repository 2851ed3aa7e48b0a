import NIOCore
import NIOPosix

/// Why a benchmark request failed, in the few kinds the results count.
public enum RequestFailure: String, Error, Sendable, Hashable, Codable, CaseIterable {
    /// The connection was refused (a stopped pod behind IPVS, or no virtual server).
    case refused
    /// No answer within the load's timeout (a paused pod, a lost packet).
    case timeout
    /// The connection was reset or closed before the answer.
    case closed
    /// An answer that was not 200, or did not name a pod.
    case badReply
    /// Anything else.
    case other

    /// The kind of a NIO or socket error.
    static func classify(_ error: any Error) -> RequestFailure {
        switch error {
        case let failure as RequestFailure: return failure
        case ChannelError.connectTimeout: return .timeout
        case let error as IOError where error.errnoCode == ECONNREFUSED: return .refused
        case let error as IOError where error.errnoCode == ECONNRESET || error.errnoCode == EPIPE: return .closed
        case let error as NIOConnectionError:
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return .refused
            }
            if error.connectionErrors.contains(where: {
                if case .connectTimeout = $0.error as? ChannelError { true } else { false }
            }) {
                return .timeout
            }
            return .other
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.alreadyClosed: return .closed
        default: return .other
        }
    }
}
