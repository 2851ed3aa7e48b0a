import Foundation
import IPVS
import Kube
import Logging
import TestSupport
import Values
import Testing

@testable import Proxy

/// What the proxy owns: what its record lists (it created it, or took it over with --adopt), and what sits on its
/// link's addresses unless the record says another program's. Everything else is never changed nor deleted.
@Suite struct OwnershipTests {
    static let node = "192.168.1.5"
    static let nodePort = F.key(.tcp, node, 30080)

    struct Rule: CustomTestStringConvertible, Sendable {
        var name: String
        var key: VirtualServerKey
        var record: OwnershipRecord
        var adopt = false
        var owns: Bool
        /// mayChange for (wanted, exists) = (true, true), (false, true), (true, false).
        var mayChange: [Bool]
        var testDescription: String { name }
    }

    static let rules: [Rule] = [
        Rule(
            name: "node address in the NodePort range, not recorded: another program's", key: nodePort,
            record: OwnershipRecord(), owns: false, mayChange: [false, false, true]),
        Rule(
            name: "…the same with --adopt: taken over only when wanted", key: nodePort, record: OwnershipRecord(),
            adopt: true, owns: false, mayChange: [true, false, true]),
        Rule(
            name: "recorded: the proxy's", key: nodePort, record: OwnershipRecord(virtualServers: [nodePort]),
            owns: true, mayChange: [true, true, true]),
        Rule(
            name: "on the link: the proxy's", key: F.web, record: OwnershipRecord(), owns: true,
            mayChange: [true, true, true]),
        Rule(
            name: "on the link but recorded as another program's", key: F.web,
            record: OwnershipRecord(foreign: [F.web]), owns: false, mayChange: [false, false, true]),
        Rule(
            name: "firewall mark", key: .firewallMark(7, family: .ipv4), record: OwnershipRecord(), owns: false,
            mayChange: [false, false, true]),
    ]

    @Test(arguments: rules) func theRule(_ rule: Rule) {
        let ownership = Ownership(linkAddresses: [F.ip(F.vip)], record: rule.record, adopt: rule.adopt)
        #expect(ownership.owns(rule.key) == rule.owns)
        let cases = [(true, true), (false, true), (true, false)]
        #expect(cases.map { ownership.mayChange(rule.key, wanted: $0.0, exists: $0.1) } == rule.mayChange)
    }

    /// A foreign virtual server on a node address with a NodePort-range port, with a real server of its own.
    static func foreignKernel() -> FakeKernel {
        FakeKernel([F.state(F.vs(nodePort, "wrr"), [F.rs("10.0.0.9", 80)])])
    }

    static func wanting(_ key: VirtualServerKey, scheduler: Scheduler = "rr") -> DesiredState {
        DesiredState(virtualServers: [
            DesiredVirtualServer(server: F.vs(key, scheduler), realServers: [F.rs("10.244.0.1", 8080)])
        ])
    }

    @Test func aForeignVirtualServerSurvivesFullSyncsAndCleanup() throws {
        let kernel = Self.foreignKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        #expect(reconciler.record.foreign == [Self.nodePort])
        #expect(reconciler.sync(DesiredState()).plan.isEmpty, "a full sync with no Service")
        try reconciler.adopt()
        #expect(reconciler.sync(DesiredState()).plan.isEmpty, "a cleanup is the same sync")
        #expect(kernel.applied.isEmpty)
    }

    @Test func aServiceWantingAForeignVirtualServerDoesNotTakeItOver() throws {
        let kernel = Self.foreignKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let report = reconciler.sync(Self.wanting(Self.nodePort))
        #expect(report.plan.operations.isEmpty)
        #expect(report.plan.foreign == [Self.nodePort])
        #expect(reconciler.heldByOthers == [Self.nodePort])
        #expect(kernel.table[Self.nodePort]?.server.scheduler == "wrr")
        // The Service lets go: nothing is reported any more, nothing deleted.
        #expect(reconciler.sync(DesiredState()).plan.isEmpty)
        #expect(reconciler.heldByOthers.isEmpty)
    }

    @Test func adoptTakesOverWhatAServiceWantsAndRecordsIt() throws {
        let kernel = Self.foreignKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        reconciler.adoptForeign = true
        try reconciler.adopt()
        let report = reconciler.sync(Self.wanting(Self.nodePort))
        #expect(report.plan.adopted == [Self.nodePort])
        #expect(kernel.table[Self.nodePort]?.server.scheduler == "rr")
        #expect(reconciler.record.virtualServers == [Self.nodePort])
        #expect(reconciler.record.foreign.isEmpty)
        // Now the proxy's, even without --adopt: a Service's deletion deletes it.
        reconciler.adoptForeign = false
        _ = reconciler.sync(DesiredState())
        #expect(kernel.table[Self.nodePort] == nil)
    }

    @Test func whatTheProxyCreatesOnANodeAddressIsRecordedAndDeletedWhenNoLongerWanted() throws {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        _ = reconciler.sync(Self.wanting(Self.nodePort))
        #expect(reconciler.record.virtualServers == [Self.nodePort])
        try reconciler.adopt()
        #expect(reconciler.record.virtualServers == [Self.nodePort], "a re-read keeps it")
        _ = reconciler.sync(DesiredState())
        #expect(kernel.table.isEmpty)
        #expect(reconciler.record.virtualServers.isEmpty)
    }

    @Test func theRecordSurvivesARestartAndARestartWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run/owned.json")
        let kernel = FakeKernel([F.state(F.vs(F.key(.udp, Self.node, 31000)), [])])
        let link = FakeLink(exists: false)
        var first = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try first.adopt()
        _ = first.sync(Self.wanting(Self.nodePort))
        try first.record.write(to: path)

        let read = try #require(try OwnershipRecord.read(from: path))
        #expect(read == first.record)
        #expect(read.createdLink)
        #expect(read.foreign == [F.key(.udp, Self.node, 31000)])
        let before = kernel.applied.count
        var second = Reconciler(kernel: kernel, link: link, record: read, logger: Logger(label: "test"))
        try second.adopt()
        #expect(second.sync(Self.wanting(Self.nodePort)).plan.isEmpty)
        #expect(kernel.applied.count == before)
        #expect(second.record == read, "nothing changed, so nothing to write")
        #expect(second.hadRecord && !Reconciler(kernel: kernel, link: link, logger: Logger(label: "t")).hadRecord)
    }

    /// The record's text, written without JSONEncoder, reads back as the same record (both families, every
    /// protocol, empty and full lists), and is the JSON JSONEncoder would give for the same file, up to spacing.
    @Test(arguments: [false, true])
    func theRecordsTextReadsBackWhole(full: Bool) throws {
        let servers: Set<VirtualServerKey> =
            full
            ? [
                F.key(.tcp, "10.96.0.1", 443), F.key(.udp, "10.96.0.10", 53), F.key(.sctp, "fd00::a", 9),
                F.key(.tcp, "10.96.0.10", 53), .firewallMark(7, family: .ipv4),
            ] : []
        let record = OwnershipRecord(
            virtualServers: servers, foreign: full ? [F.key(.tcp, "203.0.113.7", 80)] : [], createdLink: full)
        let directory = try TemporaryDirectory()
        let path = directory.file("run/owned.json")
        try record.write(to: path)
        var expected = record
        expected.virtualServers.remove(.firewallMark(7, family: .ipv4))  // never recorded
        #expect(try OwnershipRecord.read(from: path) == expected)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Both read by one parser and written again compactly: equal texts are equal JSON values.
        let canonical = { (data: Data) throws -> String in
            let value = try JSONSerialization.jsonObject(with: data)
            let text = try JSONSerialization.data(withJSONObject: value, options: .sortedKeys)
            return String(decoding: text, as: UTF8.self)
        }
        let written = try canonical(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == (try canonical(encoder.encode(record.file))))
        #expect(written.contains("10.96.0.10") == full)
    }

    @Test func theLinkIsRecordedAsCreatedOnlyWhenTheProxyCreatedIt() throws {
        for exists in [true, false] {
            var reconciler = Reconciler(
                kernel: FakeKernel(), link: FakeLink(exists: exists), logger: Logger(label: "t"))
            try reconciler.adopt()
            #expect(reconciler.record.createdLink == !exists)
            try reconciler.adopt()
            #expect(reconciler.record.createdLink == !exists, "a later re-read does not forget it")
        }
    }

    @Test func aForeignVirtualServerStaysForeignWhenItsAddressIsBoundLater() throws {
        // Another program's virtual server on an address on no interface; a Service's external IP is the same.
        let key = F.key(.tcp, "203.0.113.7", 80)
        let kernel = FakeKernel([F.state(F.vs(key, "wrr"), [])])
        let link = FakeLink()
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        var desired = Self.wanting(key)
        desired.boundAddresses = [F.ip("203.0.113.7")]
        _ = reconciler.sync(desired)
        #expect(link.addressSet == [F.ip("203.0.113.7")])
        try reconciler.adopt()
        #expect(reconciler.sync(desired).plan.operations.isEmpty)
        _ = reconciler.sync(DesiredState())
        #expect(kernel.table[key]?.server.scheduler == "wrr", "neither taken over nor deleted")
    }

    @Test(arguments: [
        ("{", "ownership record"),
        (#"{"version": 2, "createdLink": false, "virtualServers": [], "foreign": []}"#, "version 2"),
        (
            #"{"version": 1, "createdLink": false, "virtualServers": [{"protocol": "TCP", "address": "x", "port": 1}], "foreign": []}"#,
            "virtualServers[0]"
        ),
    ])
    func anUnreadableRecordNamesTheFileAndTheProblem(text: String, expected: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("owned.json", text)
        let error = #expect(throws: CodedError<OwnershipRecord.ErrorCode>.self) {
            try OwnershipRecord.read(from: directory.file("owned.json"))
        }
        #expect(error?.message.contains(directory.file("owned.json")) == true)
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        #expect(try OwnershipRecord.read(from: directory.file("missing.json")) == nil)
    }

    @Test func theLoopReportsAHeldVirtualServerOnItsServiceAndSavesTheRecordWhenItChanges() async throws {
        let kernel = Self.foreignKernel()
        let saves = OwnershipCrashTests.Saves()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), store: saves, logger: Logger(label: "test"))
        try reconciler.adopt()
        #expect(saves.all == [OwnershipRecord(foreign: [Self.nodePort])], "what the first read found")
        let configuration = ProxyConfiguration(nodePortAddresses: [F.ip(Self.node)])
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: configuration), syncPeriod: .seconds(30)
        )
        let service = try Objects.web(
            spec: """
                  type: NodePort
                  clusterIP: 10.96.0.10
                  ports:
                  - {name: http, protocol: TCP, port: 80, nodePort: 30080}
                """)
        let outcome = try loop.handle([.event(.change(.upsert(.service(service)))), .event(.synced)], now: F.t0)
        var diagnostics: [ServiceDiagnostic] = []
        for report in outcome.reports {
            if case .diagnostics(let changed, _) = report { diagnostics += changed.values.flatMap { $0 } }
        }
        #expect(diagnostics.map(\.code) == [.heldByAnotherProgram])
        #expect(diagnostics.first?.service == "default/web")
        #expect(diagnostics.first?.field == "virtual server TCP 192.168.1.5:30080")
        #expect(kernel.table[Self.nodePort]?.server.scheduler == "wrr")
        #expect(saves.all.count == 2)
        #expect(saves.last?.foreign == [Self.nodePort])
        #expect(saves.last?.virtualServers == [F.web])
        _ = try loop.handle([.tick], now: F.t0 + .seconds(1))
        #expect(saves.all.count == 2, "unchanged: not written")
    }
}
