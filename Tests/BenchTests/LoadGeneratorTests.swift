import Bench
import Logging
import NIOCore
import Pods
import Testing

/// The load generator against an in-process pod server on the loopback: it counts every answer, by the pod that
/// gave it, and every failure. (Its speed is measured by the benchmark itself, as the "ceiling", not here.)
@Suite struct LoadGeneratorTests {
    static let logger = Logger(label: "bench-test")

    func withPod(_ body: (Int) async throws -> Void) async throws {
        let configuration = PodServerConfiguration(
            name: "pod-9", host: "127.0.0.1", httpPort: 0, tcpEchoPort: nil, udpEchoPort: nil)
        let server = try await PodServer.start(configuration, logger: Self.logger)
        do {
            try await body(try #require(server.boundPorts.http))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test(arguments: [1, 0, 5])
    func closedLoopCountsEveryAnswerByPod(requestsPerConnection: Int) async throws {
        try await withPod { port in
            let shape = LoadShape(
                mode: .closed(concurrency: 4), duration: .milliseconds(300),
                requestsPerConnection: requestsPerConnection, timeout: .seconds(60))
            let generator = LoadGenerator(
                target: try SocketAddress(ipAddress: "127.0.0.1", port: port),
                sources: [try SocketAddress(ipAddress: "127.0.0.1", port: 0)], shape: shape)
            let recorder = RunRecorder()
            await generator.run(recorder: recorder, interruption: BenchInterruption())
            let snapshot = recorder.snapshot
            #expect(snapshot.failed == 0)
            #expect(snapshot.answered >= 4)  // every client sends at least one request
            #expect(snapshot.answersByPod == ["pod-9": snapshot.answered])
            switch requestsPerConnection {
            case 1: #expect(snapshot.connections == snapshot.answered)
            case 0: #expect(snapshot.connections == 4)
            default: #expect(snapshot.connections >= (snapshot.answered + 4) / 5)
            }
        }
    }

    @Test func openLoopSendsTheScheduledRequests() async throws {
        try await withPod { port in
            let shape = LoadShape(
                mode: .open(rate: 100), duration: .milliseconds(500), requestsPerConnection: 0, timeout: .seconds(60))
            let generator = LoadGenerator(
                target: try SocketAddress(ipAddress: "127.0.0.1", port: port),
                sources: [try SocketAddress(ipAddress: "127.0.0.1", port: 0)], shape: shape)
            let recorder = RunRecorder()
            await generator.run(recorder: recorder, interruption: BenchInterruption())
            // 100/s for 0.5 s: requests at 0, 10, ..., 490 ms.
            #expect(recorder.snapshot.answered + recorder.snapshot.failed == 50)
            #expect(recorder.snapshot.failed == 0)
        }
    }

    /// Every connection to a port nobody listens on is refused. (The port is held, bound and not listening, for
    /// the whole test: a port that was merely free again could be taken by a server of a test running alongside,
    /// whose answer then counted as `closed`.)
    @Test func refusedConnectionsAreCountedAsRefused() async throws {
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let generator = LoadGenerator(
            target: try SocketAddress(ipAddress: "127.0.0.1", port: refusing.port),
            sources: [try SocketAddress(ipAddress: "127.0.0.1", port: 0)],
            shape: LoadShape(mode: .open(rate: 50), duration: .milliseconds(200)))
        let recorder = RunRecorder()
        await generator.run(recorder: recorder, interruption: BenchInterruption())
        #expect(recorder.snapshot.answered == 0)
        #expect(recorder.snapshot.failures == [.refused: 10])
    }
}
