import Values
import Foundation
import IPVS
import Logging
import Testing

/// The VIP dummy link and its addresses, and the sysctls, against the lab kernel.
extension IPVSLab {
@Suite(.serialized)
struct VIPLabTests {
    @Test func dummyLinkAndAddressesAreIdempotent() throws {
        try LabShell.prepareNetwork()
        let vip = try VIPInterface(name: "kube-ipvs0", logger: Logger(label: "lab"))
        let index = try vip.ensureLink()
        #expect(try vip.ensureLink() == index)
        let link = try LabShell.run("ip", ["-d", "link", "show", "kube-ipvs0"]).stdout
        #expect(link.contains("dummy"), "\(link)")
        #expect(link.contains(",UP"), "\(link)")
        // Set down behind its back, it is set up again (a link that is up is left alone: ScriptedClientTests).
        try #require(try LabShell.run("ip", ["link", "set", "kube-ipvs0", "down"]).status == 0)
        #expect(try vip.ensureLink() == index)
        let again = try LabShell.run("ip", ["link", "show", "kube-ipvs0"]).stdout
        #expect(again.contains(",UP"), "\(again)")

        let v4 = try #require(IPAddress("10.96.0.10"))
        let v6 = try #require(IPAddress("fd00::10"))
        try vip.add(v4)
        try vip.add(v4)
        try vip.add(v6)
        #expect(Set(try vip.addresses()) == [v4, v6])
        let shown = try LabShell.run("ip", ["addr", "show", "dev", "kube-ipvs0"]).stdout
        #expect(shown.contains("10.96.0.10/32"), "\(shown)")
        #expect(shown.contains("fd00::10/128"), "\(shown)")

        let local = try vip.localAddresses()
        #expect(local.contains { $0.address == v4 && $0.interfaceName == "kube-ipvs0" && $0.prefixLength == 32 })
        #expect(local.contains { $0.address == IPAddress("10.244.0.1") && $0.interfaceName == "lab0" })
        #expect(local.contains { $0.address == IPAddress("127.0.0.1") && $0.interfaceName == "lo" })

        try vip.remove(v4)
        try vip.remove(v4)
        #expect(try vip.addresses() == [v6])
        try vip.remove(v6)
        #expect(try vip.addresses().isEmpty)
        // Another link's addresses are never touched, even when asked to remove the same address.
        let lab = try VIPInterface(name: "kube-ipvs0", logger: Logger(label: "lab"))
        try lab.remove(try #require(IPAddress("10.244.0.1")))
        #expect(try LabShell.run("ip", ["addr", "show", "dev", "lab0"]).stdout.contains("10.244.0.1/16"))
    }

    @Test func addressOnMissingLinkSaysEnsureLink() throws {
        let vip = try VIPInterface(name: "no-such-link", logger: Logger(label: "lab"))
        #expect(try vip.linkIndex() == nil)
        #expect(try vip.addresses().isEmpty)
        #expect(throws: IPVSError.self) { try vip.add(try #require(IPAddress("10.96.0.1"))) }
        try vip.remove(try #require(IPAddress("10.96.0.1")))
    }

    @Test func batchedAddsAndRemovesMatchEachAddress() throws {
        try LabShell.prepareNetwork()
        let vip = try VIPInterface(name: "kube-ipvs0", logger: Logger(label: "lab"))
        try vip.ensureLink()
        // More than one window of requests, IPv4 and IPv6, one already present (no error: it stays).
        let v4 = (0..<1_200).compactMap { IPAddress("10.97.\($0 / 256).\($0 % 256)") }
        let v6 = (1...20).compactMap { IPAddress("fd00::97:\($0)") }
        try vip.add(v4[0])
        let results = try vip.add(v4 + v6)
        #expect(results.count == v4.count + v6.count)
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        #expect(Set(try vip.addresses()) == Set(v4 + v6))
        let shown = try LabShell.run("ip", ["-o", "addr", "show", "dev", "kube-ipvs0"]).stdout
        #expect(shown.contains("10.97.4.175/32"), "\(shown.prefix(300))")
        // Removing a mix of present and absent addresses: each counts as removed, only the link's go.
        let absent = try #require(IPAddress("10.98.0.1"))
        let removed = try vip.remove(Array(v4.dropFirst(100)) + v6 + [absent])
        #expect(removed.count == v4.count - 100 + v6.count + 1)
        #expect(removed.allSatisfy { if case .success = $0 { true } else { false } })
        #expect(Set(try vip.addresses()) == Set(v4.prefix(100)))
        _ = try vip.remove(Array(v4.prefix(100)))
        #expect(try vip.addresses().isEmpty)
    }

    @Test func batchedAddOnMissingLinkThrowsAndRemoveIsANoOp() throws {
        let vip = try VIPInterface(name: "no-such-link", logger: Logger(label: "lab"))
        let address = try #require(IPAddress("10.96.0.1"))
        #expect(throws: IPVSError.self) { try vip.add([address]) }
        let removed = try vip.remove([address])
        #expect(removed.count == 1)
        #expect(try vip.add([]).isEmpty)
    }

    @Test func sysctlsReadAndWrite() throws {
        let flags: [Sysctl<Bool>] = [
            Sysctls.conntrack, Sysctls.expireNodestConn, Sysctls.expireQuiescentTemplate, Sysctls.ipForward,
        ]
        for sysctl in flags {
            let before = try sysctl.read()
            try sysctl.write(!before)
            #expect(try sysctl.read() == !before, "\(sysctl.name)")
            let shown = try LabShell.run("sysctl", ["-n", sysctl.name]).stdout
            #expect(shown.trimmingCharacters(in: .whitespacesAndNewlines) == (!before ? "1" : "0"))
            try sysctl.write(before)
        }
        for (sysctl, value) in [(Sysctls.connReuseMode, 0), (Sysctls.arpIgnore, 1), (Sysctls.arpAnnounce, 2)] {
            let before = try sysctl.read()
            #expect(try sysctl.ensure(value) == (before != value))
            #expect(try sysctl.read() == value)
            try sysctl.write(before)
        }
    }

    /// The node's address events wait on the socket with no timer: an address added is one change, a burst of them
    /// one more; nothing happening ends at the deadline; a cancelled wait returns at once.
    @Test func addressEventsWakeOnAChangeAndOnlyThen() async throws {
        try LabShell.prepareNetwork()
        let vip = try VIPInterface(name: "kube-ipvs0", logger: Logger(label: "lab"))
        try vip.ensureLink()
        let events = try AddressEvents()
        #expect(try await events.nextChange(until: .now + .milliseconds(200)) == false, "nothing changed")
        let waiting = Task { try await events.nextChange(until: .now + .seconds(60)) }
        try vip.add(try #require(IPAddress("10.96.7.1")))
        #expect(try await waiting.value == true, "an address added")
        try vip.add(try #require(IPAddress("10.96.7.2")))
        try vip.add(try #require(IPAddress("10.96.7.3")))
        #expect(try await events.nextChange(until: .now + .seconds(60)) == true, "two addresses in one burst")
        #expect(try await events.nextChange(until: .now + .milliseconds(200)) == false, "the burst was read whole")
        let cancelled = Task { try await events.nextChange(until: .now + .seconds(3600)) }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        for address in ["10.96.7.1", "10.96.7.2", "10.96.7.3"] { try vip.remove(try #require(IPAddress(address))) }
    }
}
}
