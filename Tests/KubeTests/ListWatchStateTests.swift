import Pods
import Testing

@testable import Kube

@Suite("List-watch state machine (no network)")
struct ListWatchStateTests {
    static func service(_ name: String, ip: String = "10.96.0.1", port: Int = 80, rv: String = "1") -> Service {
        Service(
            metadata: ObjectMeta(name: name, namespace: "default", resourceVersion: rv),
            spec: Service.Spec(clusterIP: ip, ports: [Service.Port(port: port)]))
    }

    static func item(_ service: Service) -> DecodedItem { .from(service) }

    @Test func listThenWatch() {
        var state = ListWatchState(kind: .service)
        #expect(state.nextRequest == .list(continue: nil))
        let changes = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(changes.map(\.summary) == ["upsert services/default/a", "upsert services/default/b"])
        #expect(state.hasSynced)
        #expect(state.nextRequest == .watch(resourceVersion: "10"))
    }

    @Test func pagesAreDeliveredOnlyWhenTheListIsComplete() {
        var state = ListWatchState(kind: .service)
        let first = state.receivePage(
            [Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10", continue: "t1"))
        #expect(first.isEmpty)
        #expect(!state.hasSynced)
        #expect(state.nextRequest == .list(continue: "t1"))
        let last = state.receivePage([Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(last.map(\.summary) == ["upsert services/default/a", "upsert services/default/b"])
    }

    @Test func watchEventsUpdateStateAndResourceVersion() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        let modified = state.receive(.upsert(Self.item(Self.service("a", port: 81, rv: "11"))), using: &generator)
        guard case .changes(let upserts) = modified else {
            Issue.record("no changes")
            return
        }
        #expect(upserts.map(\.summary) == ["upsert services/default/a"])
        #expect(upserts.first?.object.service?.ports.first?.port == 81)
        #expect(state.nextRequest == .watch(resourceVersion: "11"))
        #expect(state.receive(.bookmark(resourceVersion: "15"), using: &generator) == .changes([]))
        #expect(state.resourceVersion == "15")
        let deleted = state.receive(.delete(Self.item(Self.service("a", rv: "16"))), using: &generator)
        guard case .changes(let changes) = deleted else {
            Issue.record("no changes")
            return
        }
        #expect(changes.map(\.summary) == ["delete services/default/a"])
        // The delete carries the last delivered state (port 81), not the event's object.
        #expect(changes.first?.object.service?.ports.first?.port == 81)
        #expect(state.known.isEmpty)
        #expect(state.resourceVersion == "16")
    }

    @Test func unchangedObjectYieldsNothingAndDeleteOfUnknownIsIgnored() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.receive(.upsert(Self.item(Self.service("a"))), using: &generator) == .changes([]))
        #expect(state.receive(.delete(Self.item(Self.service("zz", rv: "12"))), using: &generator) == .changes([]))
        #expect(state.resourceVersion == "12")
    }

    @Test func invalidUpdateKeepsLastValidVersion() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        let before = state.known
        #expect(
            state.receive(.upsert(Self.item(Self.service("a", port: 70000, rv: "11"))), using: &generator)
                == .changes([]))
        #expect(state.known == before)
        #expect(state.resourceVersion == "11")
        // A never-seen invalid object is not delivered.
        #expect(
            state.receive(.upsert(Self.item(Self.service("n", ip: "bad", rv: "12"))), using: &generator)
                == .changes([]))
        #expect(state.known.count == 1)
    }

    @Test func expiredRelistEmitsOnlyTheDifference() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("b")), Self.item(Self.service("c"))],
            metadata: ListMeta(resourceVersion: "10"))
        let gone = APIStatus(message: "too old resource version: 10 (20)", reason: "Expired", code: 410)
        #expect(state.receive(.error(gone), using: &generator) == .relist)
        #expect(state.nextRequest == .list(continue: nil))
        #expect(state.resourceVersion == nil)
        #expect(state.known.count == 3)  // nothing forgotten while relisting
        let changes = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("c", port: 443)), Self.item(Self.service("d"))],
            metadata: ListMeta(resourceVersion: "30"))
        #expect(
            changes.map(\.summary) == [
                "upsert services/default/c", "upsert services/default/d", "delete services/default/b",
            ])
        #expect(state.nextRequest == .watch(resourceVersion: "30"))
    }

    @Test func relistKeepsLastValidVersionOfAnObjectThatTurnedInvalid() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        _ = state.watchRejected(status: APIStatus(reason: "Expired", code: 410), using: &generator)
        let changes = state.receivePage(
            [Self.item(Self.service("a", port: 0))], metadata: ListMeta(resourceVersion: "20"))
        #expect(changes.isEmpty)
        #expect(state.known.count == 1)
    }

    @Test func failuresBackOffAndResumeFromLastResourceVersion() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(
            kind: .service, backoff: Backoff(initial: .milliseconds(100), cap: .milliseconds(400)))
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        _ = state.receive(.bookmark(resourceVersion: "12"), using: &generator)
        var bounds: [Duration] = []
        for _ in 0..<4 {
            bounds.append(state.backoff.currentBound)
            let delay = state.watchEnded(cleanly: false, using: &generator)
            #expect(delay != nil)
            #expect(state.nextRequest == .watch(resourceVersion: "12"))
        }
        #expect(bounds == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(400)])
        #expect(state.watchEnded(cleanly: true, using: &generator) == nil)
        _ = state.receive(.bookmark(resourceVersion: "13"), using: &generator)
        #expect(state.backoff.failures == 0)
        let serverError = APIStatus(message: "etcd unavailable", reason: "InternalError", code: 500)
        guard case .retry = state.receive(.error(serverError), using: &generator) else {
            Issue.record("a 500 ERROR event must retry, not relist")
            return
        }
        #expect(state.nextRequest == .watch(resourceVersion: "13"))
    }

    @Test func failedListRestartsFromFirstPage() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10", continue: "t"))
        _ = state.listFailed(using: &generator)
        #expect(state.nextRequest == .list(continue: nil))
        let changes = state.receivePage([Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "11"))
        #expect(changes.map(\.summary) == ["upsert services/default/b"])  // "a" from the abandoned page is gone
    }

    @Test func objectsOfTheOtherKindAreIgnored() {
        var generator = SeededRandomNumberGenerator(seed: 1)
        var state = ListWatchState(kind: .endpointSlice)
        _ = state.receivePage([], metadata: ListMeta(resourceVersion: "1"))
        #expect(state.receive(.upsert(Self.item(Self.service("a"))), using: &generator) == .changes([]))
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func delaysStayWithinJitteredCappedBounds() {
        var generator = SeededRandomNumberGenerator(seed: 42)
        var backoff = Backoff(initial: .milliseconds(800), cap: .seconds(30))
        var delays: [Duration] = []
        for _ in 0..<10 {
            let bound = backoff.currentBound
            let delay = backoff.next(using: &generator)
            #expect(delay >= bound / 2 && delay <= bound)
            delays.append(delay)
        }
        #expect(backoff.currentBound == .seconds(30))
        #expect(Set(delays).count == delays.count)  // jitter: no two alike
        backoff.reset()
        #expect(backoff.currentBound == .milliseconds(800))
    }
}

@Suite("Watch body line splitting")
struct WatchLineBufferTests {
    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func eventsSplitAcrossChunksAreReassembled(_ chunkSize: Int) throws {
        let body = Array(try Fixtures.text("services-watch.jsonl").utf8)
        var buffer = WatchLineBuffer()
        var lines: [[UInt8]] = []
        var start = 0
        while start < body.count {
            let end = min(start + chunkSize, body.count)
            lines += buffer.append(body[start..<end]).lines
            start = end
        }
        #expect(buffer.finish() == nil)
        #expect(
            lines.map { String(decoding: $0, as: UTF8.self) + "\n" } == (try Fixtures.lines("services-watch.jsonl")))
    }

    @Test func unterminatedLastLineAndBlankLinesAndOverflow() {
        var buffer = WatchLineBuffer(maximumLineLength: 8)
        let output = buffer.append(Array("abc\n\r\n\n0123456789ab\nxy\nlast".utf8))
        #expect(output.lines == [Array("abc".utf8), Array("xy".utf8)])
        #expect(output.overflows == 1)
        #expect(buffer.finish() == Array("last".utf8))
    }
}
