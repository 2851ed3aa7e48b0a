import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Kube

/// A source run as a ServiceLifecycle service: its events reach the consumer, and a graceful shutdown of the
/// group ends both the service and the stream.
@Suite("Sources as services")
struct SourceServiceTests {
    @Test func manifestsSourceInAServiceGroupDeliversThenStopsOnShutdown() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", ManifestsDirectoryTests.service("a"))
        let logger = Logger(label: "test")
        let source = SourceService(
            ManifestsDirectorySource(
                directory: directory.path, rescanInterval: .seconds(3600),
                logger: logger))
        let group = ServiceGroup(services: [source], logger: logger)
        let expected = try Self.validated("a")
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var events = source.events.makeAsyncIterator()
            #expect(await events.next() == .change(.upsert(expected)))
            #expect(await events.next() == .synced)
            await group.triggerGracefulShutdown()
            #expect(await events.next() == nil)
            try await tasks.waitForAll()
        }
    }

    @Test func aSourceThatFailsOrEndsByItselfThrowsAndEndsTheStream() async throws {
        struct Failing: ObjectSource {
            func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws {
                deliver(.synced)
                throw SourceError(.connection, "cannot connect")
            }
        }
        struct Ending: ObjectSource {
            func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws {}
        }
        let failing = SourceService(Failing())
        await #expect(throws: SourceError(.connection, "cannot connect")) { try await failing.run() }
        var events = failing.events.makeAsyncIterator()
        #expect(await events.next() == .synced)
        #expect(await events.next() == nil)
        let ending = SourceService(Ending())
        let error = await #expect(throws: SourceError.self) { try await ending.run() }
        #expect(error?.code == .ended)
    }

    static func validated(_ name: String) throws -> KubeObject {
        let service = try YAMLObjectDecoder.decode(Service.self, fromYAML: ManifestsDirectoryTests.service(name))
        return .service(try ServiceValidator.validate(service))
    }
}
