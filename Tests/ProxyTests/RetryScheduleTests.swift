import IPVS
import Testing
import Values

@testable import Proxy

/// The capped exponential backoff of virtual servers the kernel refused.
@Suite struct RetryScheduleTests {
    static let refused = IPVSOperation.addRealServer(F.rs("10.244.0.99", 8080), to: F.web)
    static let einval = IPVSError.kernel(errno: 22, operation: refused)
    static let server = DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.99", 8080)])
    static let desired = DesiredState(virtualServers: [server])

    @Test func theDelayDoublesFromOneSecondToFiveMinutes() {
        let backoff = RetrySchedule.Backoff()
        let delays = (1...12).map { backoff.delay(afterRefusals: $0) }
        #expect(delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map { Duration.seconds($0) })
        #expect(backoff.delay(afterRefusals: 10_000) == .seconds(300), "no overflow")
        #expect(backoff.delay(afterRefusals: 0) == .seconds(1))
    }

    @Test func theShapeIsConfigurable() {
        let backoff = RetrySchedule.Backoff(initial: .milliseconds(250), cap: .seconds(1))
        #expect(
            (1...4).map { backoff.delay(afterRefusals: $0) } == [
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(1),
            ])
        #expect(RetrySchedule.Backoff(initial: .seconds(2), cap: .seconds(1)).cap == .seconds(2), "cap never below")
    }

    @Test func aRefusedVirtualServerIsHeldUntilDueThenTriedAgain() {
        var schedule = RetrySchedule()
        let news = schedule.failed(F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0)
        #expect(news)
        #expect(schedule.held(Self.desired, now: F.t0 + .milliseconds(999)) == [F.web])
        #expect(schedule.due(Self.desired, now: F.t0 + .milliseconds(999)).isEmpty)
        #expect(schedule.due(Self.desired, now: F.t0 + .seconds(1)) == [F.web])
        #expect(schedule.nextDue == F.t0 + .seconds(1))
        let again = schedule.failed(
            F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0 + .seconds(1))
        #expect(!again, "the same refusal again is no news")
        #expect(schedule.entries[F.web]?.refusals == 2)
        #expect(schedule.nextDue == F.t0 + .seconds(3))
        #expect(schedule.entries[F.web]?.reason == .invalidArgument)
    }

    @Test func aChangeOfDesiredStateIsTriedAtOnceWithTheBackoffStartedAfresh() {
        var schedule = RetrySchedule()
        for attempt in 0..<5 {
            schedule.failed(
                F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0 + .seconds(attempt))
        }
        #expect(schedule.entries[F.web]?.refusals == 5)
        var edited = Self.server
        edited.realServers[F.rs("10.244.0.10", 8080).endpoint] = F.rs("10.244.0.10", 8080)
        let changed = DesiredState(virtualServers: [edited])
        #expect(schedule.due(changed, now: F.t0 + .seconds(5)) == [F.web], "edited: tried at once")
        #expect(schedule.due(DesiredState(), now: F.t0 + .seconds(5)) == [F.web], "deleted: tried at once")
        let news = schedule.failed(
            F.web, errors: [(Self.refused, Self.einval)], desired: edited, now: F.t0 + .seconds(5))
        #expect(news, "a refusal of a new desired state is reported again")
        #expect(schedule.entries[F.web]?.refusals == 1)
        #expect(schedule.nextDue == F.t0 + .seconds(6))
    }

    @Test func anotherAnswerIsNewsASuccessEndsTheWait() {
        var schedule = RetrySchedule()
        schedule.failed(F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0)
        let other = IPVSError.kernel(errno: 3, operation: Self.refused)
        let changedAnswer = schedule.failed(
            F.web, errors: [(Self.refused, other)], desired: Self.server, now: F.t0 + .seconds(1))
        #expect(changedAnswer)
        schedule.succeeded(F.web)
        #expect(schedule.isEmpty)
        #expect(schedule.nextDue == nil)
        let afterSuccess = schedule.failed(
            F.web, errors: [(Self.refused, other)], desired: Self.server, now: F.t0 + .seconds(9))
        #expect(afterSuccess, "the first refusal after a success is news")
    }

    @Test func aFailedExchangeIsRetriedAfterTheInitialDelayWithoutGrowing() {
        var schedule = RetrySchedule()
        let broken = IPVSError(code: .transport, message: "socket closed")
        for attempt in 0..<4 {
            schedule.failed(
                F.web, errors: [(Self.refused, broken)], desired: Self.server, now: F.t0 + .seconds(attempt))
        }
        #expect(schedule.entries[F.web]?.refusals == 0)
        #expect(schedule.nextDue == F.t0 + .seconds(4))
        #expect(schedule.entries[F.web]?.reason == .transport)
    }

    @Test func postponingKeepsWhatIsKnown() {
        var schedule = RetrySchedule()
        schedule.failed(F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0)
        schedule.failed(F.web, errors: [(Self.refused, Self.einval)], desired: Self.server, now: F.t0 + .seconds(1))
        schedule.postpone(F.web, now: F.t0 + .seconds(3))
        #expect(schedule.nextDue == F.t0 + .seconds(5))
        #expect(schedule.entries[F.web]?.errors == [Self.refused: Self.einval])
        schedule.postpone(F.dns, now: F.t0)
        #expect(schedule.entries[F.dns] == nil)
    }
}
