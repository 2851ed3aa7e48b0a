import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 keep-alive connection held open by a test, so that it can be used again after the proxy changed
/// the kernel (an endpoint removed, a restart). Blocking POSIX sockets: simple, and enough for a test.
final class HTTPConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32

    /// Connects to an IPv4 address and port, giving up after `timeoutSeconds`.
    init(ipv4 address: String, port: UInt16, timeoutSeconds: Int = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &target.sin_addr) == 1 else {
            close(descriptor)
            throw Failure(description: "not an IPv4 address: \(address)")
        }
        let status = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(description: "connect \(address):\(port): errno \(code)")
        }
    }

    deinit { close(descriptor) }

    /// Sends `GET /` and returns the body (the fixture pods answer with their name and a newline).
    func get() throws -> String { try get("/").body }

    /// Sends `GET path` and returns the status code and the body.
    func get(_ path: String) throws -> (status: Int, body: String) {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: lab\r\nConnection: keep-alive\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send: errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "connection closed or timed out (errno \(errno))") }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let split = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<split.lowerBound].lowercased()
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { throw Failure(description: "no Content-Length in \(head)") }
            let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            let body = Array(text[split.upperBound...].utf8)
            if body.count >= length { return (status, String(decoding: body.prefix(length), as: UTF8.self)) }
        }
    }
}
