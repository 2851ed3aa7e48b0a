import Values
import Logging
import Metrics
import Prometheus
import TestSupport
import Testing

@testable import Kube

/// The API-server source against ``FaultyAPIServer`` on simulated time (``SimulatedClock``): rates are counted per
/// simulated second and convergence in requests and events, never in wall-clock time.
@Suite("API-server source under faults")
struct APIServerFaultTests {
    typealias Resource = FaultyAPIServer.Resource

    static func source(
        _ server: FaultyAPIServer, _ clock: SimulatedClock, watchList: Bool = false, logger: Logger? = nil,
        metrics: (any MetricsFactory)? = nil
    ) -> APIServerSource {
        var options = APIServerSource.Options()
        options.clock = clock
        options.watchList = watchList
        options.pageSize = 2
        options.watchTimeoutSeconds = 60...60
        options.metricsFactory = metrics
        var quiet = Logger(label: "kube-test")
        quiet.logLevel = .critical
        return APIServerSource(
            connection: ClusterConnection(server: server.baseURL, token: .literal("t0k3n")), options: options,
            logger: logger ?? quiet)
    }

    /// A server holding `count` Services (and one slice for the first).
    static func server(services count: Int, clock: SimulatedClock, watchList: Bool = false) async throws
        -> FaultyAPIServer
    {
        let server = try await FaultyAPIServer(clock: clock, watchList: watchList)
        for index in 0..<count {
            try server.upsert(.services, FaultyAPIServer.service("s\(index)", clusterIP: "10.96.1.\(index + 1)"))
        }
        try server.upsert(.endpointSlices, FaultyAPIServer.slice("s0-a", service: "s0", addresses: ["10.244.0.2"]))
        return server
    }

    /// Runs the source until `condition` holds of the events so far (and of whatever else it reads), returning the
    /// events; fails after `waitFor`'s safety limit (no speed is asserted: the 20 s this had was passed by a run under
    /// ThreadSanitizer, where the whole suite's start kept both cores busy for 28 s).
    static func run(_ source: APIServerSource, until condition: @escaping @Sendable ([SourceEvent]) -> Bool)
        async throws -> [SourceEvent]
    {
        let seen = Locked<[SourceEvent]>([])
        let task = Task { try await source.run { event in seen.withLock { $0.append(event) } } }
        await waitFor { condition(seen.withLock { $0 }) }
        task.cancel()
        _ = try? await task.value
        let events = seen.withLock { $0 }
        guard condition(events) else { throw TestFailure("the condition did not hold in time") }
        return events
    }

    static func requests(_ server: FaultyAPIServer, _ resource: Resource) -> [TestAPIServer.Request] {
        server.server.requests.filter { $0.path == resource.path }
    }

    /// Lists (their first pages) of a resource.
    static func lists(_ server: FaultyAPIServer, _ resource: Resource) -> [TestAPIServer.Request] {
        requests(server, resource).filter { !$0.isWatch && $0.query["continue"] == nil }
    }

    @Test func a410StormRelistsWithGrowingBackoffNotAListStorm() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 2, clock: clock)
        server.inject { $0.goneStorm = [.services] }
        let events = try await Self.run(Self.source(server, clock)) { _ in Self.lists(server, .services).count >= 12 }
        await server.shutdown()
        let lists = Self.lists(server, .services)
        // client-go's backoff: 0.8, 1.6, 3.2, 6.4, 12.8, 25.6 s (each up to twice that), then 30 s or more each: a
        // list every 30-60 s, not a storm.
        #expect(
            clock.now >= .seconds(50) + .seconds(30) * (lists.count - 7),
            "\(lists.count) lists in \(clock.now): \(clock.sleeps)")
        #expect(clock.sleeps.dropFirst(6).allSatisfy { $0 >= .seconds(30) && $0 < .seconds(60) }, "\(clock.sleeps)")
        // Relists read the watch cache at the last version (the first list was one page): never a quorum read.
        #expect(lists.first?.description == "/api/v1/services?limit=2&resourceVersion=0")
        #expect(lists.dropFirst().allSatisfy { $0.description == "/api/v1/services?resourceVersion=103" })
        #expect(events.all(.service).allSatisfy { $0.hasPrefix("upsert") }, "nothing held was ever deleted")
    }

    @Test func aQuietWatchClosedByAnIdleLoadBalancerIsReestablishedAtOnce() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 2, clock: clock)
        server.inject { $0.idleCloseAfter = .seconds(5) }
        let source = Self.source(server, clock)
        try await source.withEvents { events in
            while let event = await events.next(), event != .synced {}
            await waitFor { Self.requests(server, .services).filter(\.isWatch).count >= 10 }
            let before = Self.requests(server, .services).filter(\.isWatch).count
            try server.upsert(.services, FaultyAPIServer.service("late", clusterIP: "10.96.2.1"))
            while let event = await events.next() {
                if case .change(let change) = event, change.summary == "upsert services/default/late" { break }
            }
            let after = Self.requests(server, .services).filter(\.isWatch).count
            #expect(after - before <= 2, "the change came with the next watch")
        }
        await server.shutdown()
        #expect(clock.sleeps.isEmpty, "no backoff for watches that end normally: \(clock.sleeps)")
        #expect(Self.lists(server, .services).count == 1, "resumed, never relisted")
    }

    @Test(arguments: [429, 503])
    func retryAfterIsHonoured(_ status: Int) async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 1, clock: clock)
        server.inject { $0.throttle = (status, 7, 4) }
        let events = try await Self.run(Self.source(server, clock)) { $0.hasSynced }
        await server.shutdown()
        #expect(events.all(.service) == ["upsert services/default/s0"])
        #expect(clock.sleeps.count == 4, "\(clock.sleeps)")
        #expect(clock.sleeps.allSatisfy { $0 >= .seconds(7) }, "the server's wait, not the shorter backoff")
    }

    @Test func malformedAndCutEventsEndTheWatchAndNoChangeIsLost() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 2, clock: clock)
        server.inject { $0.idleCloseAfter = .seconds(5) }
        let source = Self.source(server, clock)
        let delivered = try await source.withEvents { events -> [SourceEvent] in
            var seen: [SourceEvent] = []
            while let event = await events.next() {
                seen.append(event)
                if event == .synced { break }
            }
            server.inject {
                $0.garbledWatches = 2
                $0.truncatedWatches = 2
            }
            try server.upsert(.services, FaultyAPIServer.service("n1", clusterIP: "10.96.3.1"))
            server.delete(.services, "default/s1")
            try server.upsert(.services, FaultyAPIServer.service("n2", clusterIP: "10.96.3.2"))
            server.delete(.endpointSlices, "default/s0-a")
            while let event = await events.next() {
                seen.append(event)
                if seen.fold(.service) == server.names(.services) && seen.fold(.endpointSlice).isEmpty { break }
            }
            return seen
        }
        await server.shutdown()
        #expect(delivered.fold(.service) == ["default/s0", "default/n1", "default/n2"])
        #expect(!delivered.all(.service).contains("delete services/default/s0"))
        #expect(Self.lists(server, .services).count == 1, "resumed, not relisted")
    }

    @Test func forbiddenThenAllowedSyncsAfterBackoffAndLogsTheConnectionStateOnce() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 1, clock: clock)
        server.inject { $0.forbidden = [.services: 3, .endpointSlices: 3] }
        let capture = LogCapture()
        _ = try await Self.run(Self.source(server, clock, logger: capture.logger(level: .info))) { $0.hasSynced }
        await server.shutdown()
        #expect(clock.sleeps.count == 6)
        #expect(clock.sleeps.allSatisfy { $0 >= .milliseconds(800) })
        let degraded = capture.records.filter { $0.message.hasPrefix("API server connection degraded") }
        let healthy = capture.records.filter { $0.message == "API server connection healthy again" }
        #expect(degraded.count == 2, "one warning per resource: \(degraded)")
        #expect(healthy.count == 2)
        #expect(degraded.allSatisfy { $0.level == .warning })
    }

    @Test func stalledRequestsAreAbandonedAndRetried() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 1, clock: clock)
        server.inject { $0.stalls = 2 }
        var source = Self.source(server, clock)
        source.options.idleTimeout = .milliseconds(300)
        let events = try await Self.run(source) { $0.hasSynced }
        await server.shutdown()
        #expect(events.all(.service) == ["upsert services/default/s0"])
        #expect(clock.sleeps.count >= 2, "each stalled request was retried after a backoff")
    }

    @Test func anExpiredContinueTokenGetsOneFullListAtTheSameVersion() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 5, clock: clock)
        server.inject { $0.expireContinue = true }
        let events = try await Self.run(Self.source(server, clock)) { $0.hasSynced }
        await server.shutdown()
        #expect(events.all(.service).count == 5)
        let lists = Self.requests(server, .services).filter { !$0.isWatch }.map(\.description)
        #expect(
            lists == [
                "/api/v1/services?limit=2&resourceVersion=0", "/api/v1/services?continue=106|default/s1&limit=2",
                "/api/v1/services?resourceVersion=0",
            ])
        #expect(clock.sleeps.isEmpty)
    }

    @Test func aStreamedListWhereTheServerOffersIt() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 3, clock: clock, watchList: true)
        let events = try await Self.run(Self.source(server, clock, watchList: true)) { $0.hasSynced }
        await server.shutdown()
        #expect(events.all(.service).count == 3)
        #expect(events.all(.endpointSlice) == ["upsert endpointslices/default/s0-a"])
        let services = Self.requests(server, .services)
        #expect(services.map(\.description) == [
            "/api/v1/services?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true"
                + "&timeoutSeconds=60&watch=true"
        ])
    }

    @Test func aServerWithoutWatchListIsListedAfterOneRefusal() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 3, clock: clock)
        server.inject { $0.idleCloseAfter = .seconds(5) }
        let events = try await Self.run(Self.source(server, clock, watchList: true)) { _ in
            Self.requests(server, .services).filter(\.isWatch).count >= 3
        }
        await server.shutdown()
        #expect(events.all(.service).count == 3)
        #expect(server.server.refusedWatchLists == 2, "one per resource, then lists for good")
        #expect(Self.lists(server, .services).count == 1)
    }

    @Test func requestResultsAndRelistsAreCounted() async throws {
        let clock = SimulatedClock()
        let server = try await Self.server(services: 1, clock: clock)
        server.inject {
            $0.throttle = (429, 1, 1)
            $0.goneStorm = [.services]
        }
        let registry = PrometheusCollectorRegistry()
        _ = try await Self.run(Self.source(server, clock, metrics: PrometheusMetricsFactory(registry: registry))) { _ in
            Self.lists(server, .services).count >= 3
        }
        await server.shutdown()
        let text = registry.emitToString()
        let host = "127.0.0.1:\(server.server.port)"
        #expect(text.contains("rest_client_requests_total{code=\"429\",method=\"GET\",host=\"\(host)\"} 1"), "\(text)")
        #expect(text.contains("rest_client_requests_total{code=\"200\",method=\"GET\",host=\"\(host)\"}"))
        #expect(text.contains("ipvs_proxy_api_relists_total{resource=\"services\"}"))
    }
}

extension [SourceEvent] {
    /// The `namespace/name`s of one kind held after these changes.
    func fold(_ kind: ObjectKind) -> Set<String> {
        var held: Set<String> = []
        for event in self {
            guard case .change(let change) = event, change.object.kind == kind else { continue }
            let name = "\(change.object.key.namespace)/\(change.object.key.name)"
            switch change {
            case .upsert: held.insert(name)
            case .delete: held.remove(name)
            }
        }
        return held
    }
}
