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

    @Test func theFirstListIsDeliveredPageByPageARelistAtItsEnd() {
        var state = ListWatchState(kind: .service)
        let first = state.receivePage(
            [Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10", continue: "t1"))
        #expect(first.map(\.summary) == ["upsert services/default/a"])
        #expect(!state.hasSynced)
        #expect(state.nextRequest == .list(continue: "t1"))
        let last = state.receivePage([Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(last.map(\.summary) == ["upsert services/default/b"])
        #expect(state.hasSynced)
        // A relist (a lost event) in pages: nothing until its end, then the changed object and the deleted one.
        #expect(state.eventLost() == .backoff)
        let relisted = state.receivePage(
            [Self.item(Self.service("a", port: 81, rv: "12"))],
            metadata: ListMeta(resourceVersion: "12", continue: "t2"))
        #expect(relisted.isEmpty)
        let end = state.receivePage([], metadata: ListMeta(resourceVersion: "12"))
        #expect(end.map(\.summary).sorted() == ["delete services/default/b", "upsert services/default/a"])
    }

    @Test func watchEventsUpdateStateAndResourceVersion() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        let modified = state.receive(.upsert(Self.item(Self.service("a", port: 81, rv: "11"))))
        guard case .changes(let upserts) = modified else {
            Issue.record("no changes")
            return
        }
        #expect(upserts.map(\.summary) == ["upsert services/default/a"])
        #expect(upserts.first?.object.service?.ports.first?.port == 81)
        #expect(state.nextRequest == .watch(resourceVersion: "11"))
        #expect(state.receive(.bookmark(resourceVersion: "15")) == .changes([]))
        #expect(state.resourceVersion == "15")
        let deleted = state.receive(.delete(Self.item(Self.service("a", rv: "16"))))
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
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.receive(.upsert(Self.item(Self.service("a")))) == .changes([]))
        #expect(state.receive(.delete(Self.item(Self.service("zz", rv: "12")))) == .changes([]))
        #expect(state.resourceVersion == "12")
    }

    @Test func invalidUpdateKeepsLastValidVersion() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        let before = state.known
        #expect(
            state.receive(.upsert(Self.item(Self.service("a", port: 70000, rv: "11"))))
                == .changes([]))
        #expect(state.known == before)
        #expect(state.resourceVersion == "11")
        // A never-seen invalid object is not delivered.
        #expect(
            state.receive(.upsert(Self.item(Self.service("n", ip: "bad", rv: "12"))))
                == .changes([]))
        #expect(state.known.count == 1)
    }

    @Test func expiredRelistEmitsOnlyTheDifference() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("b")), Self.item(Self.service("c"))],
            metadata: ListMeta(resourceVersion: "10"))
        let gone = APIStatus(message: "too old resource version: 10 (20)", reason: "Expired", code: 410)
        #expect(state.receive(.error(gone)) == .relist)
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
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.watchRejected(status: APIStatus(reason: "Expired", code: 410)) == .backoff)
        let changes = state.receivePage(
            [Self.item(Self.service("a", port: 0))], metadata: ListMeta(resourceVersion: "20"))
        #expect(changes.isEmpty)
        #expect(state.known.count == 1)
    }

    @Test func failuresResumeFromLastResourceVersionAndOnlyAQuietWatchEndGoesOnAtOnce() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        _ = state.receive(.bookmark(resourceVersion: "12"))
        // Ended at once with nothing: backoff; after events, or after a second or more: at once.
        #expect(state.watchEnded(receivedEvents: false, lasted: .milliseconds(20)) == .backoff)
        #expect(state.watchEnded(receivedEvents: true, lasted: .milliseconds(20)) == .now)
        #expect(state.watchEnded(receivedEvents: false, lasted: .seconds(5)) == .now)
        #expect(state.nextRequest == .watch(resourceVersion: "12"))
        let serverError = APIStatus(message: "etcd unavailable", reason: "InternalError", code: 500)
        #expect(state.receive(.error(serverError)) == .retry, "a 500 ERROR event resumes, it does not relist")
        #expect(state.watchRejected(status: APIStatus(reason: "TooManyRequests", code: 429)) == .backoff)
        #expect(state.malformedEvent() == .backoff)
        #expect(state.nextRequest == .watch(resourceVersion: "12"), "resumes from the last good version")
    }

    @Test func listsReadTheCacheFirstThenTheLastVersionThenConsistentlyAfterAnExpiry() {
        var state = ListWatchState(kind: .service)
        #expect(state.listOptions == .init(resourceVersion: "0", paginated: true))
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.receive(.error(APIStatus(reason: "Expired", code: 410))) == .relist)
        // The relist reads the watch cache at the last version, unpaginated (client-go: pages force etcd).
        #expect(state.listOptions == .init(resourceVersion: "10", paginated: false))
        // Refused as expired there: a consistent read at once, in pages.
        #expect(state.listFailed(status: APIStatus(reason: "Expired", code: 410)) == .now)
        #expect(state.listOptions == .init(resourceVersion: "", paginated: true))
        // Refused again: that is a failure, with backoff.
        #expect(state.listFailed(status: APIStatus(reason: "Expired", code: 410)) == .backoff)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "20"))
        #expect(!state.lastSyncResourceVersionUnavailable)
        #expect(state.listFailed(status: APIStatus(reason: "InternalError", code: 500)) == .backoff)
        #expect(state.listOptions == .init(resourceVersion: "20", paginated: false))
    }

    @Test func aFirstListInPagesKeepsPagesAndAnExpiredContinueGetsOneFullList() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10", continue: "t"))
        _ = state.receivePage([Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.paginatedResult, "paged at resourceVersion=0: no watch cache")
        _ = state.eventLost()
        #expect(state.listOptions == .init(resourceVersion: "10", paginated: true))
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "30", continue: "u"))
        #expect(state.nextRequest == .list(continue: "u"))
        #expect(state.listFailed(status: APIStatus(reason: "Expired", code: 410)) == .now)
        #expect(state.nextRequest == .list(continue: nil))
        #expect(state.listOptions == .init(resourceVersion: "10", paginated: false), "one full list, as client-go's pager")
        #expect(state.listFailed(status: APIStatus(reason: "Expired", code: 410)) == .now)
        #expect(state.listOptions == .init(resourceVersion: "", paginated: true))
    }

    @Test func aListWithoutAResourceVersionIsListedAgainAfterADelay() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta())
        #expect(state.listEndedWithoutVersion)
        #expect(state.nextRequest == .list(continue: nil))
    }

    @Test func aStreamedListIsCompleteAtTheInitialEventsEndBookmark() {
        var state = ListWatchState(kind: .service, watchList: true)
        #expect(state.nextRequest == .watchList(resourceVersion: ""))
        // The first list's objects are delivered as they arrive; its end delivers what they do not say (nothing).
        guard case .changes(let a) = state.receive(.upsert(Self.item(Self.service("a", rv: "5")))),
            case .changes(let b) = state.receive(.upsert(Self.item(Self.service("b", rv: "6"))))
        else {
            Issue.record("no changes")
            return
        }
        #expect((a + b).map(\.summary) == ["upsert services/default/a", "upsert services/default/b"])
        #expect(!state.hasSynced)
        #expect(state.receive(.initialEventsEnd(resourceVersion: "9")) == .changes([]))
        #expect(state.hasSynced)
        #expect(state.nextRequest == .watch(resourceVersion: "9"))
        // Later events on the same stream are the watch.
        #expect(state.receive(.delete(Self.item(Self.service("a", rv: "10")))) != .changes([]))
        // 410 relists by streaming again from the last version; expired there: from the most recent.
        #expect(state.receive(.error(APIStatus(reason: "Expired", code: 410))) == .relist)
        #expect(state.nextRequest == .watchList(resourceVersion: "10"))
        #expect(state.watchRejected(status: APIStatus(reason: "Expired", code: 410)) == .now)
        #expect(state.nextRequest == .watchList(resourceVersion: ""))
    }

    @Test(arguments: [
        WatchInput.bookmark(resourceVersion: "7"), .delete(ListWatchStateTests.item(ListWatchStateTests.service("a"))),
    ])
    func aServerThatDoesNotStreamListsIsListed(_ input: WatchInput) {
        var state = ListWatchState(kind: .service, watchList: true)
        #expect(state.receive(input) == .restart)
        #expect(state.nextRequest == .list(continue: nil))
        #expect(!state.useWatchList, "for the rest of the run")
        var refused = ListWatchState(kind: .service, watchList: true)
        #expect(refused.watchRejected(status: APIStatus(reason: "Invalid", code: 422)) == .now)
        #expect(refused.nextRequest == .list(continue: nil))
        var forbidden = ListWatchState(kind: .service, watchList: true)
        #expect(forbidden.watchRejected(status: APIStatus(reason: "Forbidden", code: 403)) == .backoff)
        #expect(forbidden.nextRequest == .watchList(resourceVersion: ""), "403 is retried as it was")
        var plain = ListWatchState(kind: .service, watchList: true)
        #expect(plain.watchEnded(receivedEvents: false, lasted: .seconds(60)) == .now)
        #expect(plain.nextRequest == .list(continue: nil), "no end marker in a whole watch: a plain watch")
    }

    @Test func failedListRestartsFromFirstPage() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage([Self.item(Self.service("a"))], metadata: ListMeta(resourceVersion: "10", continue: "t"))
        #expect(state.listFailed(status: nil) == .backoff)
        #expect(state.nextRequest == .list(continue: nil))
        let changes = state.receivePage([Self.item(Self.service("b"))], metadata: ListMeta(resourceVersion: "11"))
        // "a", delivered ahead from the abandoned page, is gone from the list that completed: deleted at its end.
        #expect(changes.map(\.summary) == ["upsert services/default/b", "delete services/default/a"])
    }

    @Test func aRetriedFirstListDeliversAheadOnlyWhatDiffers() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("b"))],
            metadata: ListMeta(resourceVersion: "10", continue: "t"))
        #expect(state.listFailed(status: nil) == .backoff)
        let again = state.receivePage(
            [Self.item(Self.service("a")), Self.item(Self.service("b", port: 82, rv: "11"))],
            metadata: ListMeta(resourceVersion: "11", continue: "u"))
        #expect(again.map(\.summary) == ["upsert services/default/b"])
        #expect(again.first?.object.service?.ports.first?.port == 82)
        #expect(state.receivePage([], metadata: ListMeta(resourceVersion: "11")).isEmpty)
        #expect(state.hasSynced)
    }

    @Test func objectsOfTheOtherKindAreIgnored() {
        var state = ListWatchState(kind: .endpointSlice)
        _ = state.receivePage([], metadata: ListMeta(resourceVersion: "1"))
        #expect(state.receive(.upsert(Self.item(Self.service("a")))) == .changes([]))
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func clientGoDelaysDoubleFrom800msToTheCapWithJitterOne() {
        var generator = SeededRandomNumberGenerator(seed: 42)
        var backoff = Backoff()
        var now = Duration.zero
        var bases: [Duration] = []
        var delays: [Duration] = []
        for _ in 0..<9 {
            let base = backoff.currentBase
            let delay = backoff.next(at: now, using: &generator)
            #expect(delay >= base && delay < base * 2, "jitter 1: [base, 2·base)")
            bases.append(base)
            delays.append(delay)
            now += delay
        }
        #expect(
            bases == [
                .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .milliseconds(12800),
                .milliseconds(25600), .seconds(30), .seconds(30), .seconds(30),
            ])
        #expect(Set(delays).count == delays.count)  // jitter: no two alike
    }

    @Test func onlyTwoMinutesWithoutAFailureResetIt() {
        var generator = SeededRandomNumberGenerator(seed: 1)
        var backoff = Backoff()
        var now = Duration.zero
        for _ in 0..<8 { now += backoff.next(at: now, using: &generator) }
        #expect(backoff.currentBase == .seconds(30))
        // A failure right after the last delay ended (a success in between counts for nothing): still at the cap.
        now += backoff.next(at: now + .seconds(119), using: &generator) + .seconds(119)
        #expect(backoff.currentBase == .seconds(30))
        // Two minutes after the last delay ended: back to the start.
        let delay = backoff.next(at: now + .seconds(120), using: &generator)
        #expect(delay < .milliseconds(1600))
        #expect(backoff.failures == 1)
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

    @Test func aLineAtTheLimitIsKeptAndOneByteMoreIsDiscardedWhereverTheChunkIsCut() {
        let body = Array("01234567\n012345678\nok\n".utf8)
        for cut in 0...body.count {
            var buffer = WatchLineBuffer(maximumLineLength: 8)
            let (first, second) = (buffer.append(body[..<cut]), buffer.append(body[cut...]))
            #expect(first.lines + second.lines == [Array("01234567".utf8), Array("ok".utf8)], "cut at \(cut)")
            #expect(first.overflows + second.overflows == 1, "cut at \(cut)")
            #expect(buffer.finish() == nil)
        }
    }
}
