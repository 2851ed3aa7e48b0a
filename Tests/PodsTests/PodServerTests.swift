import Logging
import Testing

@testable import Pods

/// A real PodServer on this host's loopback, on ephemeral ports, talked to through PodProbe. Serialized: a test
/// that expects a closed port to refuse must not see another test's server take that port.
@Suite(.serialized) struct PodServerTests {
    private static let logger = Logger(label: "pods-test")

    private func withServer(
        delay: DelayDistribution = .none, _ body: (PodServer) async throws -> Void
    ) async throws {
        let configuration = PodServerConfiguration(
            name: "pod-7", host: "127.0.0.1", httpPort: 0, tcpEchoPort: 0, udpEchoPort: 0, delay: delay)
        let server = try await PodServer.start(configuration, logger: Self.logger)
        do {
            try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func httpNamesThePod() async throws {
        try await withServer { server in
            let port = try #require(server.boundPorts.http)
            let replies = try #require(await PodProbe.patient.http(host: "127.0.0.1", port: port).value)
            #expect(replies == [PodHTTPReply(status: 200, pod: "pod-7", requestOnConnection: 1, body: "pod-7\n")])
        }
    }

    @Test func keepAliveCarriesSeveralRequestsOnOneConnection() async throws {
        try await withServer { server in
            let port = try #require(server.boundPorts.http)
            let replies = try #require(await PodProbe.patient.http(host: "127.0.0.1", port: port, requests: 3).value)
            #expect(replies.map(\.requestOnConnection) == [1, 2, 3])
            #expect(replies.allSatisfy { $0.body == "pod-7\n" && $0.pod == "pod-7" })
        }
    }

    @Test func tcpEcho() async throws {
        try await withServer { server in
            let port = try #require(server.boundPorts.tcpEcho)
            let payload = String(repeating: "hello pods ", count: 2000)
            #expect(await PodProbe.patient.tcpEcho(host: "127.0.0.1", port: port, payload: payload) == .answered(payload))
        }
    }

    @Test func udpEcho() async throws {
        try await withServer { server in
            let port = try #require(server.boundPorts.udpEcho)
            #expect(await PodProbe.patient.udpEcho(host: "127.0.0.1", port: port, payload: "ping 42") == .answered("ping 42"))
        }
    }

    /// A lower bound only: the response cannot come before the delay has passed (a correctness check, not speed).
    @Test func delayIsHonoured() async throws {
        try await withServer(delay: .constant(.milliseconds(150))) { server in
            let port = try #require(server.boundPorts.http)
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = await PodProbe(timeout: .seconds(10)).http(host: "127.0.0.1", port: port, requests: 2)
            let elapsed = clock.now - started
            #expect(outcome.value?.count == 2)
            #expect(elapsed >= .milliseconds(300))
        }
    }

    @Test func delayCanChangeWhileServing() async throws {
        try await withServer { server in
            let port = try #require(server.boundPorts.http)
            server.sampler.distribution = .constant(.milliseconds(200))
            let clock = ContinuousClock()
            let started = clock.now
            #expect(await PodProbe(timeout: .seconds(10)).http(host: "127.0.0.1", port: port).value?.count == 1)
            #expect(clock.now - started >= .milliseconds(200))
        }
    }

    @Test func closedPortsRefuse() async throws {
        var ports = PodServer.BoundPorts()
        try await withServer { server in ports = server.boundPorts }
        let http = try #require(ports.http)
        let tcp = try #require(ports.tcpEcho)
        let udp = try #require(ports.udpEcho)
        #expect(await PodProbe.patient.http(host: "127.0.0.1", port: http) == .refused)
        #expect(await PodProbe.patient.tcpEcho(host: "127.0.0.1", port: tcp) == .refused)
        #expect(await PodProbe.patient.udpEcho(host: "127.0.0.1", port: udp) == .refused)
    }
}

extension PodProbe {
    /// A probe for tests: its timeout is a deadline for a loaded machine (the TSan run beside a lab guest took
    /// over 2 s to answer on loopback), not a measure of speed.
    static let patient = PodProbe(timeout: .seconds(30))
}
