#if canImport(Glibc)
    import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import Testing
import Values

@testable import Health

/// The prober against real sockets on loopback: a listening port stays up, a closed one goes down after `fall`
/// probes, an HTTP server answering 503 goes down and comes back when it answers 200.
@Suite("Health checker on loopback", .serialized)
struct HealthCheckerTests {
    static let logger = Logger(label: "health-test")
    static let loopback = IPAddress.v4(IPv4Address(127, 0, 0, 1))

    /// A TCP listener on 127.0.0.1 answering every request with `status()`; returns its channel.
    static func server(status: @escaping @Sendable () -> Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StatusResponder(status: status))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// The next transition, or nil when the stream ends.
    static func next(_ iterator: inout AsyncStream<HealthTransition>.Iterator) async -> HealthTransition? {
        await iterator.next()
    }

    @Test func tcpProbeTakesAClosedPortDownAndLeavesAnOpenOneUp() async throws {
        let open = try await Self.server { 200 }
        let (held, refusing) = try RefusingPort.make()
        defer { close(held) }
        let closed = refusing.port ?? 0
        // A refused connect answers at once; the open port gets a timeout that a loaded 2-core host still meets
        // (40 ms once let both fail together).
        let probe = HealthProbe(kind: .tcp, interval: .milliseconds(500), timeout: .milliseconds(450), rise: 1, fall: 2)
        let up = HealthTarget(address: Self.loopback, port: UInt16(open.localAddress?.port ?? 0), probe: probe)
        let down = HealthTarget(address: Self.loopback, port: UInt16(closed), probe: probe)
        let checker = HealthChecker(logger: Self.logger)
        var iterator = checker.transitions.makeAsyncIterator()
        checker.update(adding: [up, down], removing: [])
        let transition = await Self.next(&iterator)
        #expect(transition?.target == down)
        #expect(transition?.status == .down)
        #expect(transition?.reason?.isEmpty == false)
        let stats = try await checker.statistics()
        #expect(stats.targets == 2)
        #expect(stats.down == 1)
        let statuses = try await checker.statuses()
        #expect(statuses[up] == .up)
        try await checker.stop()
        try await open.close()
    }

    @Test func httpProbeFollowsTheStatus() async throws {
        let status = Locked(503)
        let server = try await Self.server { status.withLock { $0 } }
        // The status, not the clock, must decide: a 900 ms deadline once timed the first exchange out under the
        // thread sanitizer on a loaded host ("timed out" instead of "status 503"). The first probe comes within one
        // interval (random), the next one interval later.
        let probe = HealthProbe(
            kind: .http(path: "/healthz", host: "example", statuses: 200...399),
            interval: .seconds(5), timeout: .seconds(5), rise: 1, fall: 1
        )
        let target = HealthTarget(address: Self.loopback, port: UInt16(server.localAddress?.port ?? 0), probe: probe)
        let checker = HealthChecker(logger: Self.logger)
        var iterator = checker.transitions.makeAsyncIterator()
        checker.update(adding: [target], removing: [])
        let down = await Self.next(&iterator)
        #expect(down?.status == .down)
        #expect(down?.reason == "status 503")
        status.withLock { $0 = 200 }
        let up = await Self.next(&iterator)
        #expect(up?.status == .up)
        #expect(up?.target == target)
        try await checker.stop()
        #expect(await Self.next(&iterator) == nil)
        try await server.close()
    }

    @Test func udpProbeJudgesRepliesAndPortUnreachable() async throws {
        let echo = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DatagramEcho()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let closedChannel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let closed = UInt16(closedChannel.localAddress?.port ?? 1)
        try await closedChannel.close()
        let echoPort = UInt16(echo.localAddress?.port ?? 0)
        func probe(expect: String?) -> HealthProbe {
            HealthProbe(
                kind: .udp(payload: Array("ping".utf8), expect: expect.map { Array($0.utf8) }),
                interval: .seconds(1), timeout: .milliseconds(900), rise: 1, fall: 1
            )
        }
        let good = HealthTarget(address: Self.loopback, port: echoPort, probe: probe(expect: "ping"))
        let bad = HealthTarget(address: Self.loopback, port: echoPort, probe: probe(expect: "pong"))
        let unreachable = HealthTarget(address: Self.loopback, port: closed, probe: probe(expect: nil))
        let checker = HealthChecker(logger: Self.logger)
        var iterator = checker.transitions.makeAsyncIterator()
        checker.update(adding: [good, bad, unreachable], removing: [])
        var down: [HealthTarget: String] = [:]
        for _ in 0..<2 {
            if let transition = await Self.next(&iterator) { down[transition.target] = transition.reason ?? "" }
        }
        #expect(Set(down.keys) == [bad, unreachable], "good and bad share the endpoint but not the probe")
        #expect(down[bad] == "unexpected reply")
        let statuses = try await checker.statuses()
        #expect(statuses[good] == .up)
        try await checker.stop()
        try await echo.close()
    }

    @Test func removedTargetsAreNoLongerProbed() async throws {
        let (held, refusing) = try RefusingPort.make()
        defer { close(held) }
        let closed = refusing.port ?? 0
        let probe = HealthProbe(kind: .tcp, interval: .milliseconds(20), timeout: .milliseconds(10), rise: 1, fall: 1)
        let target = HealthTarget(address: Self.loopback, port: UInt16(closed), probe: probe)
        let checker = HealthChecker(logger: Self.logger)
        checker.update(adding: [target], removing: [])
        #expect(try await checker.isTicking(), "a target: the wheel ticks")
        checker.update(adding: [], removing: [target])
        let stats = try await checker.statistics()
        #expect(stats.targets == 0)
        #expect(try await !checker.isTicking(), "nothing to probe: no tick")
        checker.update(adding: [target], removing: [])
        #expect(try await checker.isTicking(), "a target again: it ticks again")
        #expect(try await checker.statistics().targets == 1)
        try await checker.stop()
    }

    @Test func aProbeThisNodeCouldNotMakeCountsNeitherWay() async throws {
        // The descriptor limit, not the endpoint: socket() refused by EMFILE (TCP connector or NIO alike).
        let local = OSError(errno: EMFILE, text: "Too many open files")
        let outcome = TCPConnector<Int>.Outcome(token: 0, error: local, timedOut: false)
        #expect(HealthChecker.failure(outcome)?.code == .notProbed)
        #expect(HealthChecker.failure(IOError(errnoCode: ENFILE, reason: "socket")).code == .notProbed)
        let refused = TCPConnector<Int>.Outcome(
            token: 0, error: OSError(errno: ECONNREFUSED, text: ""), timedOut: false)
        #expect(HealthChecker.failure(refused)?.code == .connection)
        #expect(HealthChecker.failure(IOError(errnoCode: ECONNREFUSED, reason: "connect")).code == .connection)

        // An endpoint up with fall 1 (a long interval: the checker's own probes do not come into it): a probe not
        // made leaves it up and yields nothing; a real failure then takes it down.
        let open = try await Self.server { 200 }
        let probe = HealthProbe(kind: .tcp, interval: .seconds(3600), timeout: .seconds(1), rise: 1, fall: 1)
        let target = HealthTarget(address: Self.loopback, port: UInt16(open.localAddress?.port ?? 0), probe: probe)
        let checker = HealthChecker(logger: Self.logger)
        var iterator = checker.transitions.makeAsyncIterator()
        checker.update(adding: [target], removing: [])
        try await checker.loop.submit {
            guard let entry = checker.state.entries[target] else { return }
            checker.complete(entry, failure: HealthChecker.failure(outcome), started: .now())
        }.get()
        var stats = try await checker.statistics()
        #expect(stats.notProbed == 1)
        #expect(stats.failed == 0)
        #expect(try await checker.statuses()[target] == .up)
        try await checker.loop.submit {
            guard let entry = checker.state.entries[target] else { return }
            checker.complete(entry, failure: HealthChecker.failure(refused), started: .now())
        }.get()
        let transition = await Self.next(&iterator)
        #expect(transition?.target == target)
        #expect(transition?.status == .down)
        stats = try await checker.statistics()
        #expect(stats.failed == 1)
        try await checker.stop()
        try await open.close()
    }
}

/// Answers each HTTP request with the given status and closes.
final class StatusResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let status: @Sendable () -> Int

    init(status: @escaping @Sendable () -> Int) { self.status = status }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let response = "HTTP/1.1 \(status()) X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: response)), promise: nil)
        context.close(promise: nil)
    }
}

/// Sends every datagram back to where it came from.
final class DatagramEcho: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        context.writeAndFlush(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: envelope.data)), promise: nil
        )
    }
}
