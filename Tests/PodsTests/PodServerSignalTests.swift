import Foundation
import Logging
import TestSupport
import Testing
import UnixSignals

@testable import Pods

/// The pod server's signals, as `ipvs-bench pods serve` uses them, with SIGUSR2 (which nothing else here uses)
/// standing in for SIGUSR1 and SIGTERM: a reload signal re-reads the delay file and acknowledges it; a stop signal
/// closes the listeners.
@Suite(.serialized) struct PodServerSignalTests {
    @Test func aSignalReloadsTheDelayThenAnotherStopsTheServer() async throws {
        let server = try await PodServer.start(
            PodServerConfiguration(name: "pod-9", host: "127.0.0.1", httpPort: 0, tcpEchoPort: 0, udpEchoPort: 0),
            logger: Logger(label: "pods-test"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("delay-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: file + ".applied")
        }
        try Data("exp:200ms\n".utf8).write(to: URL(fileURLWithPath: file))
        let reloads = await UnixSignalsSequence(trapping: .sigusr2)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.reloadDelay(from: file, on: reloads) }
            kill(getpid(), SIGUSR2)
            let deadline = ContinuousClock.now + .seconds(10)
            while !FileManager.default.fileExists(atPath: file + ".applied") && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
        }
        #expect(server.sampler.distribution.description == "exp:200ms")
        #expect((try? String(contentsOfFile: file + ".applied", encoding: .utf8)) == "exp:200ms\n")

        let stops = await UnixSignalsSequence(trapping: .sigusr2)
        let port = try #require(server.boundPorts.http)
        let stoppedBySignal = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await server.run(until: stops)
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: starvedPoolLimit)
                return false
            }
            kill(getpid(), SIGUSR2)
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(stoppedBySignal)
        #expect(await PodProbe.patient.http(host: "127.0.0.1", port: port) == .refused)
    }
}
