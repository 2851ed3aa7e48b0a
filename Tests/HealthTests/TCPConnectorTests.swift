import Glibc
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Values

@testable import Health

/// The TCP connector against real sockets on loopback: connected, refused and timed-out connects each come back
/// once with their token, many at once included; `stop()` returns once the thread has exited.
@Suite("TCP connector on loopback")
struct TCPConnectorTests {
    typealias Connector = TCPConnector<Int>

    /// A connector whose outcomes arrive on a stream.
    static func connector() throws -> (Connector, AsyncStream<Connector.Outcome>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Connector.Outcome.self)
        let connector = try Connector { outcomes in
            for outcome in outcomes { continuation.yield(outcome) }
        }
        return (connector, stream)
    }

    /// A listener on 127.0.0.1 that never accepts (`autoRead` off), with an accept queue of `backlog`.
    static func listener(backlog: Int32) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static func address(_ channel: any Channel) throws -> SocketAddress {
        try SocketAddress(ipAddress: "127.0.0.1", port: channel.localAddress?.port ?? 0)
    }

    /// The first `count` outcomes, by token.
    static func outcomes(_ count: Int, from stream: AsyncStream<Connector.Outcome>) async -> [Int: Connector.Outcome] {
        var found: [Int: Connector.Outcome] = [:]
        for await outcome in stream {
            #expect(found[outcome.token] == nil, "token \(outcome.token) came back twice")
            found[outcome.token] = outcome
            if found.count == count { break }
        }
        return found
    }

    @Test func aListeningPortConnectsAndAClosedOneIsRefused() async throws {
        let open = try await Self.listener(backlog: 16)
        let (held, closed) = try RefusingPort.make()
        defer { close(held) }
        let (connector, stream) = try Self.connector()
        connector.submit([
            .init(token: 1, address: try Self.address(open), timeout: .seconds(5)),
            .init(token: 2, address: closed, timeout: .seconds(5)),
        ])
        let found = await Self.outcomes(2, from: stream)
        #expect(found[1]?.error == nil)
        #expect(found[1]?.timedOut == false)
        #expect(found[2]?.error?.errno == ECONNREFUSED)
        #expect(found[2]?.timedOut == false)
        await connector.stop()
        try await open.close()
    }

    @Test func aConnectTheListenerDropsTimesOut() async throws {
        // An accept queue of one, filled by a connection kept open: the kernel drops the next SYN, so the connect
        // neither succeeds nor fails before its timeout.
        let full = try await Self.listener(backlog: 0)
        let kept = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: try Self.address(full)).get()
        let (connector, stream) = try Self.connector()
        let clock = ContinuousClock()
        let started = clock.now
        connector.submit([.init(token: 7, address: try Self.address(full), timeout: .milliseconds(200))])
        let found = await Self.outcomes(1, from: stream)
        #expect(found[7]?.timedOut == true)
        #expect(found[7]?.error == nil)
        #expect(clock.now - started >= .milliseconds(200))
        await connector.stop()
        try await kept.close()
        try await full.close()
    }

    @Test func beyondTheCapAConnectIsNotMade() async throws {
        // One connect in flight at most: the first waits on a listener that drops it, the second is not made.
        let full = try await Self.listener(backlog: 0)
        let kept = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: try Self.address(full)).get()
        let (stream, continuation) = AsyncStream.makeStream(of: Connector.Outcome.self)
        let connector = try Connector(maxInFlight: 1) { for outcome in $0 { continuation.yield(outcome) } }
        connector.submit([
            .init(token: 1, address: try Self.address(full), timeout: .milliseconds(300)),
            .init(token: 2, address: try Self.address(full), timeout: .milliseconds(300)),
        ])
        var iterator = stream.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first?.token == 2, "the one over the cap ends at once")
        #expect(first?.error?.errno == EMFILE)
        #expect(HealthChecker.failure(try #require(first))?.code == .notProbed)
        let second = await iterator.next()
        #expect(second?.token == 1)
        #expect(second?.timedOut == true)
        await connector.stop()
        try await kept.close()
        try await full.close()
    }

    @Test func manyConnectsEachComeBackOnce() async throws {
        let (held, closed) = try RefusingPort.make()
        defer { close(held) }
        let (connector, stream) = try Self.connector()
        // Several batches, some submitted while earlier ones are in flight.
        for batch in 0..<10 {
            connector.submit((0..<300).map { .init(token: batch * 300 + $0, address: closed, timeout: .seconds(5)) })
        }
        let found = await Self.outcomes(3000, from: stream)
        #expect(found.count == 3000)
        let refused = OSError(errno: ECONNREFUSED, text: String(cString: strerror(ECONNREFUSED))).description
        let seen = Set(found.values.map { $0.error?.description ?? ($0.timedOut ? "timed out" : "connected") })
        #expect(seen == [refused])
        #expect(connector.cpuTime() > .zero)
        await connector.stop()
    }

    @Test func stopEndsTheThreadAndLaterCallsDoNothing() async throws {
        let open = try await Self.listener(backlog: 16)
        let (connector, stream) = try Self.connector()
        #expect(connector.submit([.init(token: 1, address: try Self.address(open), timeout: .seconds(5))]))
        _ = await Self.outcomes(1, from: stream)
        #expect(connector.cpuTime() > .zero)
        await connector.stop()
        // The thread has exited: its clock is no longer read, a submit is refused, a second stop returns at once.
        #expect(connector.cpuTime() == .zero)
        #expect(!connector.submit([.init(token: 2, address: try Self.address(open), timeout: .seconds(1))]))
        await connector.stop()
        try await open.close()
    }
}
