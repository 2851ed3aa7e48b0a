import IPVS
import Prometheus
import Testing
import TestSupport
import Values

@testable import Proxy

/// The cleaner beside the reconcile loop: it deletes what the rules find stale, off the loop, and a failure is
/// logged and counted, never thrown.
@Suite struct ConntrackCleanerTests {
    typealias R = StaleFlowRulesTests
    static let f = R.families[0]

    static func pass(_ desired: DesiredState) -> ReconcileReport {
        .pass(
            PassReport(
                sync: SyncReport(), full: true, touched: nil, desired: desired, objectChanges: 1, programmedSeen: [],
                wall: .zero, cpu: .zero, draining: 0, ownedVirtualServers: 0, ownedRealServers: 0))
    }

    static let both = R.state([(.udp, f.clusterIP, 53, [f.podA, f.podB])])
    static let onlyB = R.state([(.udp, f.clusterIP, 53, [f.podB])])
    static let toA = R.flow(.udp, to: f.clusterIP, 53, from: f.podA, client: f.client)
    static let toB = R.flow(.udp, to: f.clusterIP, 53, from: f.podB, client: f.client)
    static let tcpToA = R.flow(.tcp, to: f.clusterIP, 53, from: f.podA, client: f.client)

    struct Setup {
        let table: FakeConntrack
        let registry = PrometheusCollectorRegistry()
        let logs = LogCapture()
        let cleaner: ConntrackCleaner
        var observer: ConntrackObserver

        init(_ flows: [ConntrackFlow], timeLimit: Duration = .seconds(600)) {
            table = FakeConntrack(flows)
            cleaner = ConntrackCleaner(
                table: table, timeLimit: timeLimit, logger: logs.logger(level: .debug),
                metrics: PrometheusMetricsFactory(registry: registry))
            observer = ConntrackObserver(cleaner: cleaner)
        }

        func metric(_ name: String) -> String? {
            registry.emitToString().split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init)
        }
    }

    @Test func anEndpointRemovedLosesItsFlowsAfterThePass() async {
        var setup = Setup([Self.toA, Self.toB, Self.tcpToA])
        await setup.observer.observe(Self.pass(Self.both))
        await waitFor { setup.cleaner.finishedCleanups == 1 }
        #expect(setup.table.flows == [Self.toA, Self.toB, Self.tcpToA], "both endpoints serve: nothing is stale")
        await setup.observer.observe(Self.pass(Self.onlyB))
        await waitFor { setup.cleaner.finishedCleanups == 2 }
        #expect(setup.table.flows == [Self.toB, Self.tcpToA])
        #expect(setup.metric(ConntrackCleaner.Name.deleted) == "\(ConntrackCleaner.Name.deleted) 1")
        #expect(setup.logs.records.contains { $0.message == "stale UDP/SCTP conntrack flows deleted" })
    }

    @Test func aPassThatChangesNoUDPServiceCleansNothing() async {
        var setup = Setup([Self.toA])
        await setup.observer.observe(Self.pass(Self.onlyB))
        await waitFor { setup.cleaner.finishedCleanups == 1 }
        await setup.observer.observe(Self.pass(Self.onlyB))
        await setup.observer.observe(Self.pass(DesiredState()))  // the Service went: one more cleanup
        await waitFor { setup.cleaner.finishedCleanups == 2 }
        #expect(setup.table.cleanups == 2)
    }

    @Test func aFailureIsLoggedAndCountedNotThrown() async {
        var setup = Setup([Self.toA, Self.toB])
        setup.table.fail(with: IPVSError(code: .transport, message: "could not read the conntrack table: boom"))
        await setup.observer.observe(Self.pass(Self.onlyB))
        await waitFor { setup.cleaner.finishedCleanups == 1 }
        #expect(setup.metric(ConntrackCleaner.Name.failures) == "\(ConntrackCleaner.Name.failures) 1")
        #expect(setup.logs.atLeast(.error).map(\.message).first?.hasPrefix("could not clean stale") == true)
        setup.table.fail(with: nil)
        await setup.observer.observe(Self.pass(Self.both))
        await setup.observer.observe(Self.pass(Self.onlyB))
        // Waited for by its effect: the two submissions may run as two cleanups or merge into one, so a count of
        // cleanups is not something to wait for (a third that never came cost this test its 60 s limit).
        await waitFor { setup.table.flows == [Self.toB] }
        #expect(setup.table.flows == [Self.toB], "the next change cleans again")
    }

    @Test func aTableThatDoesNotAnswerNeverHoldsTheLoop() async {
        var setup = Setup([Self.toA, Self.toB])
        setup.table.hold()
        await setup.observer.observe(Self.pass(Self.both))
        await waitFor { setup.table.isHolding }
        await setup.observer.observe(Self.pass(Self.onlyB))  // returns although the first cleanup still hangs
        #expect(setup.table.isHolding && setup.table.cleanups == 1, "the second waits, merged, behind the first")
        setup.table.release()
        await waitFor { setup.cleaner.finishedCleanups == 2 }
        #expect(setup.table.flows == [Self.toB])
    }

    @Test func aDeadlineEndsAHangingCleanup() async {
        var setup = Setup([Self.toA, Self.toB], timeLimit: .milliseconds(50))
        setup.table.hold()
        await setup.observer.observe(Self.pass(Self.onlyB))
        await waitFor { setup.cleaner.finishedCleanups == 1 }
        #expect(setup.table.flows == [Self.toB], "the fake gives up holding at the deadline, as a socket timeout")
    }
}
