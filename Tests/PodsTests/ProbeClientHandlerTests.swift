import NIOCore
import NIOEmbedded
import Testing

@testable import Pods

/// The probes' client handlers share their failure paths (`ProbeClientHandler`): a connection that closes before
/// the reply, or an error, fails the probe's promise.
@Suite struct ProbeClientHandlerTests {
    struct Broken: Error, Equatable {}

    @Test func aConnectionClosedBeforeTheEchoFailsTheProbe() async throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: String.self)
        try channel.pipeline.syncOperations.addHandler(ProbeEchoHandler(payload: "ping", promise: promise))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7)).get()
        _ = try channel.finish(acceptAlreadyClosed: true)
        await #expect(throws: ProbeFailure.connectionClosed) { try await promise.futureResult.get() }
    }

    @Test func anErrorFailsTheHTTPProbe() async throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: [PodHTTPReply].self)
        try channel.pipeline.syncOperations.addHandler(
            ProbeHTTPHandler(host: "pod", path: "/", requests: 1, promise: promise))
        channel.pipeline.fireErrorCaught(Broken())
        await #expect(throws: Broken()) { try await promise.futureResult.get() }
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}
