import Values
import Foundation
import Logging
import TestSupport
import Testing

@testable import Kube

/// The API-server source against a loopback server replaying recorded kube-apiserver 1.36 responses.
@Suite("API-server source over the wire")
struct APIServerSourceTests {
    typealias Replay = APIServerReplay

    static let initialServices = [
        "upsert services/default/ext", "upsert services/default/headless", "upsert services/default/kubernetes",
        "upsert services/default/web", "upsert services/shop/api",
    ]
    static let initialSlices = ["upsert endpointslices/default/web-abc12", "upsert endpointslices/shop/api-x1"]

    static func source(_ server: TestAPIServer, token: ClusterConnection.BearerToken? = .literal("t0k3n"))
        -> APIServerSource
    {
        var options = APIServerSource.Options()
        options.pageSize = 2
        options.backoff = Backoff(initial: .milliseconds(10), cap: .milliseconds(50))
        options.watchTimeoutSeconds = 60...60
        var logger = Logger(label: "kube-test")
        logger.logLevel = .critical
        return APIServerSource(
            connection: ClusterConnection(server: server.baseURL, token: token), options: options, logger: logger)
    }

    /// The slices side, when a test is about Services: list once, then a watch that stays quiet.
    static func quietSlices(_ request: TestAPIServer.Request) throws -> TestAPIServer.Response {
        request.isWatch
            ? .stream([], .hold) : .json(status: 200, body: try Fixtures.text("endpointslices-list.json"))
    }

    @Test func paginatedListThenWatchEventsSplitAcrossChunks() async throws {
        let page1 = try Replay.page("services-list-page1.json")
        let page2 = try Replay.page("services-list-page2.json")
        let page3 = try Replay.lastServicesPage()
        let servicesWatch = try Fixtures.text("services-watch.jsonl")
        let slicesWatch = try Fixtures.text("endpointslices-watch.jsonl")
        let slicesList = try Fixtures.text("endpointslices-list.json")
        let server = try await TestAPIServer { request in
            switch (request.path, request.isWatch, request.query["continue"]) {
            case (Replay.servicesPath, false, nil): .json(status: 200, body: page1.body)
            case (Replay.servicesPath, false, page1.continue): .json(status: 200, body: page2.body)
            case (Replay.servicesPath, false, page2.continue): .json(status: 200, body: page3)
            case (Replay.servicesPath, true, _): .stream(TestAPIServer.split(servicesWatch, every: 7), .hold)
            case (Replay.slicesPath, false, _): .json(status: 200, body: slicesList)
            case (Replay.slicesPath, true, _): .stream(TestAPIServer.split(slicesWatch, every: 5), .hold)
            default: .json(status: 404, body: "{}")
            }
        }
        let events = try await collect(Self.source(server)) { $0.hasSynced && $0.changeCount == 12 }
        await server.shutdown()
        #expect(
            events.all(.service) == Self.initialServices + [
                "upsert services/default/web", "upsert services/default/late", "delete services/default/late",
            ])
        #expect(
            events.all(.endpointSlice) == Self.initialSlices + [
                "upsert endpointslices/shop/api-x1", "delete endpointslices/shop/api-x1",
            ])
        #expect(events.filter { $0 == .synced }.count == 1)
        let web = events.compactMap { event -> ValidatedService? in
            guard case .change(.upsert(let object)) = event, object.key == key("default/web") else { return nil }
            return object.service
        }
        #expect(web.map { $0.annotations["kube-router.io/service.scheduler"] } == ["lc", "wlc"])
        let requests = server.requests
        let lists = requests.filter { $0.path == Replay.servicesPath && !$0.isWatch }
        #expect(lists.map { $0.query["continue"] } == [nil, page1.continue, page2.continue])
        #expect(lists.allSatisfy { $0.query["limit"] == "2" })
        let watches = requests.filter(\.isWatch)
        #expect(watches.count == 2)
        #expect(
            watches.allSatisfy {
                $0.query["resourceVersion"] == "216" && $0.query["allowWatchBookmarks"] == "true"
                    && $0.query["timeoutSeconds"] == "60"
            })
        #expect(requests.allSatisfy { $0.authorization == "Bearer t0k3n" })
    }

    @Test func droppedConnectionResumesFromLastSeenResourceVersion() async throws {
        let lines = try Fixtures.lines("services-watch.jsonl")
        let list = try Fixtures.text("services-list.json")
        let watches = Locked(0)
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            guard request.isWatch else { return .json(status: 200, body: list) }
            let attempt = watches.withLock { count in
                count += 1
                return count
            }
            switch attempt {
            // The MODIFIED event, then half of the ADDED one, then the connection drops.
            case 1: return .stream([lines[0], String(lines[1].prefix(40))], .drop)
            // The server ends the watch cleanly (its timeout) after the ADDED event.
            case 2: return .stream([lines[1]], .finish)
            default: return .stream(Array(lines[2...]), .hold)
            }
        }
        let events = try await collect(Self.source(server)) { $0.hasSynced && $0.changeCount == 10 }
        await server.shutdown()
        #expect(
            events.all(.service) == Self.initialServices + [
                "upsert services/default/web", "upsert services/default/late", "delete services/default/late",
            ])
        let versions = server.requests.filter { $0.isWatch && $0.path == Replay.servicesPath }
            .map { $0.query["resourceVersion"] ?? "" }
        #expect(versions == ["216", "217", "220"])
        #expect(server.requests.filter { !$0.isWatch && $0.path == Replay.servicesPath }.count == 1)
    }

    enum Expiry: String, CaseIterable, Sendable {
        case errorEvent, httpStatus
    }

    @Test(arguments: Expiry.allCases)
    func goneRelistsAndEmitsOnlyTheDifference(_ expiry: Expiry) async throws {
        let first = try Fixtures.text("services-list.json")
        // After compaction: `ext` was deleted and `web` given another scheduler while the watch was away (an
        // annotation no proxy reads is not kept, and would change nothing).
        let second = try Replay.editedList("services-list.json", resourceVersion: "300") { items in
            Replay.annotate(items.filter { Replay.name(of: $0) != "ext" }, "web", "ipvs-proxy.io/scheduler", "lc")
        }
        let errorEvent = try Fixtures.text("services-watch-410.jsonl")
        let goneStatus = try Fixtures.text("services-list-410.json")
        let lateAdded = try Fixtures.lines("services-watch.jsonl")[1]
        let lists = Locked(0)
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            if request.isWatch {
                // The resumed watch brings a new Service, proving it started from the relist's version.
                guard request.query["resourceVersion"] == "216" else { return .stream([lateAdded], .hold) }
                return switch expiry {
                case .errorEvent: .stream([errorEvent], .finish)
                case .httpStatus: .json(status: 410, body: goneStatus)
                }
            }
            let attempt = lists.withLock { count in
                count += 1
                return count
            }
            return .json(status: 200, body: attempt == 1 ? first : second)
        }
        let events = try await collect(Self.source(server)) { events in
            events.hasSynced && events.changeCount == 10
        }
        await server.shutdown()
        #expect(
            events.all(.service) == Self.initialServices + [
                "upsert services/default/web", "delete services/default/ext", "upsert services/default/late",
            ])
        let watchVersions = server.requests.filter { $0.isWatch && $0.path == Replay.servicesPath }
            .map { $0.query["resourceVersion"] ?? "" }
        #expect(watchVersions == ["216", "300"])
    }

    /// As client-go: a line that is not a watch event ends the watch, which resumes from the last good
    /// resourceVersion, so the change the line held is sent again, not lost. The lines come in chunks of their own,
    /// or all in one (decoded together, then line by line when that fails).
    @Test(
        arguments: [
            "this is not JSON\n", "{\"type\":\"ADDED\",\"object\":\n", "{\"type\":\"SURPRISE\",\"object\":{}}\n",
            "[1,2,3]\n",
        ], [false, true])
    func aMalformedEventEndsTheWatchWhichResumesFromTheLastGoodVersion(_ garbage: String, oneChunk: Bool)
        async throws
    {
        let lines = try Fixtures.lines("services-watch.jsonl")
        let list = try Fixtures.text("services-list.json")
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            guard request.isWatch else { return .json(status: 200, body: list) }
            // First the MODIFIED event (217), then garbage where the ADDED event (220) was, and the rest; from 217
            // the server sends the ADDED event again.
            let chunks =
                request.query["resourceVersion"] == "216" ? [lines[0], garbage] + lines[2...] : Array(lines[1...])
            return .stream(oneChunk ? [chunks.joined()] : chunks, .hold)
        }
        let events = try await collect(Self.source(server)) { $0.hasSynced && $0.changeCount == 10 }
        await server.shutdown()
        #expect(
            events.all(.service).suffix(3) == [
                "upsert services/default/web", "upsert services/default/late", "delete services/default/late",
            ])
        let versions = server.requests.filter { $0.isWatch && $0.path == Replay.servicesPath }
            .map { $0.query["resourceVersion"] ?? "" }
        #expect(versions == ["216", "217"])
    }

    @Test func badContinueTokenRestartsTheList() async throws {
        let page1 = try Replay.page("services-list-page1.json")
        let brokenPage1 = page1.body.replacingOccurrences(of: page1.continue ?? "-", with: "invalid-token")
        let badContinue = try Fixtures.text("services-list-bad-continue.json")
        let full = try Fixtures.text("services-list.json")
        let lists = Locked(0)
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            if request.isWatch { return .stream([], .hold) }
            if request.query["continue"] == "invalid-token" { return .json(status: 400, body: badContinue) }
            let attempt = lists.withLock { count in
                count += 1
                return count
            }
            return .json(status: 200, body: attempt == 1 ? brokenPage1 : full)
        }
        let events = try await collect(Self.source(server)) { $0.hasSynced }
        await server.shutdown()
        #expect(events.all(.service) == Self.initialServices)
        let continues = server.requests.filter { !$0.isWatch && $0.path == Replay.servicesPath }
            .map { $0.query["continue"] ?? "-" }
        #expect(continues == ["-", "invalid-token", "-"])
    }

    @Test func silentConnectionIsReplacedAndResumes() async throws {
        let list = try Fixtures.text("services-list.json")
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            return request.isWatch ? .stream([], .hold) : .json(status: 200, body: list)
        }
        var source = Self.source(server)
        source.options.idleTimeout = .milliseconds(200)
        try await source.withEvents { _ in
            await waitFor { server.requests.filter { $0.isWatch && $0.path == Replay.servicesPath }.count >= 2 }
        }
        await server.shutdown()
        let versions = server.requests.filter { $0.isWatch && $0.path == Replay.servicesPath }
            .map { $0.query["resourceVersion"] ?? "" }
        #expect(versions.count >= 2)
        #expect(Set(versions) == ["216"])
        // Resumed, not relisted: no LIST after the first WATCH. (A LIST before it may itself have hit the
        // short idle timeout on a loaded machine and been retried.)
        let services = server.requests.filter { $0.path == Replay.servicesPath }
        let firstWatch = services.firstIndex(where: \.isWatch) ?? services.count
        let listsAfterFirstWatch = services[firstWatch...].filter { !$0.isWatch }.count
        #expect(listsAfterFirstWatch == 0)
    }

    @Test func tokenFileIsReReadForEachRequest() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("token", "first\n")
        let list = try Fixtures.text("services-list.json")
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? Self.quietSlices(request)) ?? .stream([], .hold)
            }
            return request.isWatch ? .stream([], .drop) : .json(status: 200, body: list)
        }
        let source = Self.source(server, token: .file(directory.file("token")))
        try await source.withEvents { _ in
            await waitFor { server.requests.contains { $0.authorization == "Bearer first" && $0.isWatch } }
            try directory.write("token", "second")
            // The services watch itself: a slices request may carry the new token first, and a watch that drops at
            // once is retried after a backoff.
            await waitFor { server.requests.contains { $0.authorization == "Bearer second" && $0.isWatch } }
        }
        await server.shutdown()
        #expect(server.requests.contains { $0.authorization == "Bearer second" && $0.isWatch })
    }
}
