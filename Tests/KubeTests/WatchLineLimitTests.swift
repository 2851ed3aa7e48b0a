import Values
import Foundation
import TestSupport
import Testing

@testable import Kube

/// A watch line that never ends (a broken server or proxy) is not buffered without bound, and the event it held is
/// not silently lost: the watch stops with an error and the resource is listed again.
@Suite("Watch line limit over the wire")
struct WatchLineLimitTests {
    typealias Replay = APIServerReplay

    @Test func aLineOverTheLimitRestartsTheWatchWithARelist() async throws {
        let lines = try Fixtures.lines("services-watch.jsonl")
        let list = try Fixtures.text("services-list.json")
        let endless = TestAPIServer.split(String(repeating: "x", count: 200_000), every: 16 << 10)
        let watches = Locked(0)
        let server = try await TestAPIServer { request in
            guard request.path == Replay.servicesPath else {
                return (try? APIServerSourceTests.quietSlices(request)) ?? .stream([], .hold)
            }
            guard request.isWatch else { return .json(status: 200, body: list) }
            let attempt = watches.withLock { count in
                count += 1
                return count
            }
            // The MODIFIED event, then a line that never ends; after the relist, the rest.
            return attempt == 1 ? .stream([lines[0]] + endless, .hold) : .stream(Array(lines[1...]), .hold)
        }
        var source = APIServerSourceTests.source(server)
        source.options.maximumWatchLineBytes = 64 << 10
        let events = try await collect(source) { events in
            events.all(.service).suffix(2) == ["upsert services/default/late", "delete services/default/late"]
        }
        await server.shutdown()
        #expect(
            Array(events.all(.service).prefix(6)) == APIServerSourceTests.initialServices + ["upsert services/default/web"],
            "\(events.all(.service))")
        #expect(server.requests.filter { !$0.isWatch && $0.path == Replay.servicesPath }.count == 2, "relisted")
    }
}
