import Foundation
import Kube
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// When the allocator's freed pages are handed back: once after the first sync, then an interval after later work,
/// and not again until there is more.
@Suite struct FreedMemoryReleaseTests {
    let start = ContinuousClock.now

    @Test func nothingBeforeTheFirstSyncThenAtOnceWithTheThresholds() {
        var release = FreedMemoryRelease(interval: .seconds(10))
        #expect(release.afterBatch(firstSyncDone: false, worked: true, now: start) == nil)
        #expect(release.afterBatch(firstSyncDone: false, worked: true, now: start + .seconds(60)) == nil)
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(61)) == .first)
        #expect(release.due == nil)
    }

    @Test func laterWorkIsReleasedAnIntervalAfterItAtMostOnceAnInterval() {
        var release = FreedMemoryRelease(interval: .seconds(10))
        _ = release.afterBatch(firstSyncDone: true, worked: true, now: start)
        // The first batch that works after a release sets the next one, which the service wakes the loop for.
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(1)) == nil)
        #expect(release.due == start + .seconds(11))
        // More work before then adds nothing: the release takes its garbage too.
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(2)) == nil)
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(10.9)) == nil)
        #expect(release.due == start + .seconds(11))
        // The wake-up's batch (or any batch from then on) releases, work or not.
        #expect(release.afterBatch(firstSyncDone: true, worked: false, now: start + .seconds(11)) == .later)
        #expect(release.due == nil)
        // Nothing is due after it until work comes again, however long the loop was idle.
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(500)) == nil)
        #expect(release.due == start + .seconds(510))
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(512)) == .later)
    }

    @Test func aBatchWithoutWorkSetsNoRelease() {
        var release = FreedMemoryRelease(interval: .seconds(10))
        _ = release.afterBatch(firstSyncDone: true, worked: true, now: start)
        // A wake-up that found nothing to do (say, one armed for a release that a batch before it made) frees
        // nothing, so nothing is due after it.
        #expect(release.afterBatch(firstSyncDone: true, worked: false, now: start + .seconds(1)) == nil)
        #expect(release.due == nil)
        #expect(release.afterBatch(firstSyncDone: true, worked: true, now: start + .seconds(2)) == nil)
        #expect(release.due == start + .seconds(12))
    }

    /// Counts the calls of the release a service is given.
    final class Releases: Sendable {
        private let count = Locked(0)
        var value: Int { count.withLock { $0 } }
        func record() { count.withLock { $0 += 1 } }
    }

    @Test func aServiceReleasesAfterTheFirstSyncAndAfterEachChange() async throws {
        let releases = Releases()
        var options = ProxyService.Options()
        options.releaseInterval = .milliseconds(100)
        options.releaseFreed = { releases.record() }
        // No resync in the test's time: only the release's own wake-up can prompt the batch that releases.
        options.syncPeriod = .seconds(3600)
        try await ProxyServicePacingTests.withService(options) { kernel, source, _ in
            source.yield(.change(.upsert(.service(try Objects.web(spec: ProxyServicePacingTests.spec)))))
            source.yield(.synced)
            await waitFor { kernel.table[F.web] != nil && releases.value >= 1 }
            #expect(releases.value >= 1, "no release after the first sync")
            // The Service moves to another port, and back: its virtual server on port 80 goes, and comes back. The
            // second change comes after a release that followed the first, so nothing is due before it: only a
            // release's own wake-up, an interval after a pass, can release what its pass freed.
            let moved = ProxyServicePacingTests.spec.replacingOccurrences(of: "port: 80", with: "port: 8080")
            let first = releases.value
            source.yield(.change(.upsert(.service(try Objects.web(spec: moved)))))
            await waitFor { kernel.table[F.web] == nil && releases.value > first }
            #expect(kernel.table[F.web] == nil)
            #expect(releases.value > first, "the first change's pass was not followed by a release")
            let second = releases.value
            source.yield(.change(.upsert(.service(try Objects.web(spec: ProxyServicePacingTests.spec)))))
            await waitFor { kernel.table[F.web] != nil && releases.value > second }
            #expect(kernel.table[F.web] != nil)
            #expect(releases.value > second, "the second change's pass was not followed by a release")
        }
    }

    @Test func onceReleasesNothing() async throws {
        let releases = Releases()
        var options = ProxyService.Options()
        options.once = true
        options.releaseFreed = { releases.record() }
        let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
        let kernel = FakeKernel()
        let service = ProxyService(
            events: stream,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(), options: options, logger: Logger(label: "test"))
        source.yield(.change(.upsert(.service(try Objects.web(spec: ProxyServicePacingTests.spec)))))
        source.yield(.synced)
        // Returns after the first sync.
        try await service.run()
        #expect(kernel.table[F.web] != nil)
        #expect(releases.value == 0, "--once released the freed memory it exits with")
    }
}
