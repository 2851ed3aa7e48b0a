import Testing
import Values

@testable import Pods

@Suite struct PodNetworkLayoutTests {
    @Test func defaultLayout() throws {
        let layout = try PodNetworkLayout(PodNetworkOptions())
        #expect(layout.bridgeAddress.description == "10.244.0.1")
        #expect(layout.pods.map(\.name) == ["pod-0", "pod-1", "pod-2"])
        #expect(layout.pods.map(\.address.description) == ["10.244.0.10", "10.244.0.11", "10.244.0.12"])
        #expect(layout.pods.map(\.hostInterface) == ["ipvslab0-0", "ipvslab0-1", "ipvslab0-2"])
        #expect(layout.pods.map(\.seed) == [1, 2, 3])
        #expect(layout.pods.allSatisfy { $0.httpPort == 80 && $0.echoPort == 7 && $0.delay == .none })
        #expect(layout.stateFile == "/run/ipvs-proxy-pods/state.json")
        #expect(layout.pod(named: "pod-1")?.index == 1)
        #expect(layout.pod(named: "pod-3") == nil)
    }

    @Test func commandsForOnePod() throws {
        let layout = try PodNetworkLayout(PodNetworkOptions(count: 1, cidr: try PodNetworkOptions.parseCIDR("10.9.0.0/16")))
        let pod = try #require(layout.pods.first)
        #expect(
            layout.bridgeSetupCommands == [
                ["ip", "link", "add", "ipvslab0", "type", "bridge"],
                ["ip", "addr", "add", "10.9.0.1/16", "dev", "ipvslab0"],
                ["ip", "link", "set", "ipvslab0", "up"],
            ])
        #expect(
            layout.podSetupCommands(pod) == [
                ["ip", "netns", "add", "pod-0"],
                ["ip", "link", "add", "ipvslab0-0", "type", "veth", "peer", "name", "eth0", "netns", "pod-0"],
                ["ip", "link", "set", "ipvslab0-0", "master", "ipvslab0"],
                ["ip", "link", "set", "ipvslab0-0", "up"],
                ["ip", "-n", "pod-0", "link", "set", "lo", "up"],
                ["ip", "-n", "pod-0", "addr", "add", "10.9.0.10/16", "dev", "eth0"],
                ["ip", "-n", "pod-0", "link", "set", "eth0", "up"],
                ["ip", "-n", "pod-0", "route", "add", "default", "via", "10.9.0.1"],
            ])
        #expect(
            layout.podTeardownCommands(pod) == [["ip", "link", "del", "ipvslab0-0"], ["ip", "netns", "del", "pod-0"]])
        #expect(layout.bridgeTeardownCommands == [["ip", "link", "del", "ipvslab0"]])
        let plan = layout.setupPlan(executable: "/bin/ipvs-bench")
        #expect(plan.count == 3 + 8 + 1)
        #expect(plan.last == layout.serveCommand(pod, executable: "/bin/ipvs-bench"))
    }

    @Test func serveCommandCarriesThePodsBehaviour() throws {
        var options = PodNetworkOptions(count: 2, httpPort: 8080, echoPort: 7007, seed: 100, runDirectory: "/tmp/p")
        try options.addDelay("pod-1=exp:50ms")
        let layout = try PodNetworkLayout(options)
        #expect(
            layout.serveCommand(layout.pods[1], executable: "/x/ipvs-bench") == [
                "ip", "netns", "exec", "pod-1", "/x/ipvs-bench", "pods", "serve", "--name", "pod-1", "--http-port",
                "8080", "--echo-port", "7007", "--delay", "exp:50ms", "--seed", "101", "--pid-file", "/tmp/p/pod-1.pid",
                "--delay-file", "/tmp/p/pod-1.delay",
            ])
        #expect(layout.pods[0].delay == .none)
        #expect(layout.logFile(layout.pods[0]) == "/tmp/p/pod-0.log")
    }

    @Test func delayAssignments() throws {
        var options = PodNetworkOptions()
        try options.addDelay("*=5ms")
        try options.addDelay("pod-2=pareto:1ms:1.2")
        let layout = try PodNetworkLayout(options)
        #expect(
            layout.pods.map(\.delay) == [
                .constant(.milliseconds(5)), .constant(.milliseconds(5)),
                .pareto(minimum: .milliseconds(1), shape: 1.2),
            ])
        for bad in ["pod-1", "=5ms", "pod-1=", "pod-1=slow"] {
            #expect(throws: PodsError.self) { try options.addDelay(bad) }
        }
    }

    @Test(arguments: [
        PodNetworkOptions(count: 0),
        PodNetworkOptions(count: 250),
        PodNetworkOptions(count: 3, cidr: try PodNetworkOptions.parseCIDR("10.0.0.0/29")),
        PodNetworkOptions(bridgeName: "a-very-long-bridge"),
        PodNetworkOptions(bridgeName: "bridge12345678"),
        PodNetworkOptions(bridgeName: "bad/name"),
        PodNetworkOptions(namePrefix: "pod/"),
        PodNetworkOptions(namePrefix: "-pod"),
        PodNetworkOptions(firstPodOffset: 1),
        PodNetworkOptions(httpPort: 0),
        PodNetworkOptions(echoPort: 70000),
        PodNetworkOptions(delays: ["pod-9": .constant(.milliseconds(1))]),
    ])
    func refusesBadOptions(options: PodNetworkOptions) {
        #expect(throws: PodsError.self) { try PodNetworkLayout(options) }
    }

    /// Options built in code (not parsed) are checked too: the fixture is IPv4, and its CIDR has no host bits.
    @Test(arguments: ["fd00::/64", "10.0.0.5/24"])
    func refusesCIDRsItCannotUse(text: String) throws {
        let cidr = try #require(AddressPrefix(text))
        #expect(throws: PodsError.self) { try PodNetworkLayout(PodNetworkOptions(cidr: cidr)) }
    }

    @Test func largestFixtureThatFits() throws {
        let layout = try PodNetworkLayout(PodNetworkOptions(count: 245))
        #expect(layout.pods.last?.address.description == "10.244.0.254")
        #expect(layout.pods.last?.hostInterface == "ipvslab0-244")
    }
}
