#if canImport(Glibc)
    import Glibc
#endif
import NIOCore
import Testing

/// Ports that refuse connections, for the probe tests.
enum RefusingPort {
    /// A port held bound without listening, so connects to it are refused: while it is held nothing else can bind
    /// it, and the kernel never picks it as a connect's own port (a closed port from the ephemeral range can be,
    /// and a connect from it to itself then succeeds: seen once in 3,000 connects). Close the descriptor after.
    static func make() throws -> (descriptor: Int32, address: SocketAddress) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        let any = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        try #require(any.withSockAddr { bind(descriptor, $0, socklen_t($1)) } == 0)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        try #require(named == 0)
        return (descriptor, try SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: bound.sin_port))))
    }
}
