import Values
import Bench
import IPVS
import Logging
import Pods
import Testing

/// `ipvs-bench bench` for real, short: pods, the kernel's virtual server with each scheduler, real traffic. Asserts
/// what must hold whatever the machine's speed: rr splits identical pods evenly; lc and wlc send clearly fewer
/// requests to a slow pod than rr; wrr and wlc honour the weights.
///
/// The guest's CPU is emulated (and shared): a request costs it tens to hundreds of milliseconds. So the pods'
/// delays are long and the clients few, so that the pods' behaviour, not the guest's CPU, decides how long a
/// connection stays open (which is what the least-connection schedulers see).
@Suite(.serialized, Lab.only) struct BenchLabTests {
    static let logger = Logger(label: "bench-lab-test")

    func run(_ scenario: BenchScenario) async throws -> BenchReport {
        let runner = BenchRunner(
            options: BenchOptions(executable: try PodsLabTests.ipvsBenchBinary()), logger: Self.logger)
        let report = try await runner.run(scenario)
        print(report.table)
        return report
    }

    /// Nothing the run made is left: pods, link, virtual servers on the bench VIP.
    func expectNothingLeft() throws {
        #expect(try LabShell.run("ip", ["link", "show", "dev", "ipvsbench-vip"]).status != 0)
        #expect(try LabShell.run("ip", ["link", "show", "dev", "ipvsbench0"]).status != 0)
        let kernel = try IPVSNetlinkClient(logger: Self.logger)
        let left = try kernel.virtualServers().filter {
            if case .service(_, let address, _) = $0.server.key { return address == IPAddress("10.97.0.1") }
            return false
        }
        #expect(left.isEmpty)
    }

    @Test func roundRobinSplitsIdenticalPodsEvenly() async throws {
        let scenario = BenchScenario(
            name: "lab-homogeneous", pods: Array(repeating: BenchPod(delay: .constant(.milliseconds(300))), count: 3),
            schedulers: [.roundRobin], load: LoadShape(mode: .closed(concurrency: 3), duration: .seconds(8)),
            ceilingDuration: .seconds(1))
        let report = try await run(scenario)
        let rr = try #require(report.result("rr"))
        #expect(rr.errorCount == 0)
        #expect(rr.requests >= 20, "too few requests to judge shares")
        for pod in rr.pods {
            #expect(abs(pod.share - 1.0 / 3) <= 0.05, "\(pod.name) got \(pod.share)")
        }
        try expectNothingLeft()
    }

    @Test func leastConnectionSendsFewerRequestsToTheSlowPod() async throws {
        let fast = BenchPod(delay: .constant(.milliseconds(300)))
        let scenario = BenchScenario(
            name: "lab-slow-pod", pods: [fast, fast, BenchPod(delay: .constant(.seconds(3)))],
            schedulers: [.roundRobin, .leastConnection, .weightedLeastConnection],
            load: LoadShape(mode: .closed(concurrency: 3), duration: .seconds(12)), ceilingDuration: .seconds(1))
        let report = try await run(scenario)
        let rr = try #require(report.result("rr")).share(of: "pod-2")
        for scheduler in ["lc", "wlc"] {
            let slow = try #require(report.result(scheduler)).share(of: "pod-2")
            #expect(slow < rr * 0.6, "\(scheduler) sent the slow pod \(slow) of the requests, rr \(rr)")
        }
        try expectNothingLeft()
    }

    @Test func weightedSchedulersHonourTheWeights() async throws {
        // wlc follows the weights through the connections each pod holds: enough clients to hold several each.
        let pods = [1, 2, 3].map { BenchPod(delay: .constant(.seconds(2)), weight: $0) }
        let scenario = BenchScenario(
            name: "lab-weighted", pods: pods, schedulers: [.weightedRoundRobin, .weightedLeastConnection],
            load: LoadShape(mode: .closed(concurrency: 12), duration: .seconds(14)), ceilingDuration: .seconds(1))
        let report = try await run(scenario)
        let expected = ShareMath.weightShares(pods.map(\.weight))
        for scheduler in ["wrr", "wlc"] {
            let result = try #require(report.result(scheduler))
            #expect(result.requests >= 30, "too few requests to judge shares")
            let deviation = ShareMath.maximumDeviation(result.pods.map(\.share), from: expected)
            #expect(deviation <= 0.08, "\(scheduler): shares \(result.pods.map(\.share)), weights ask \(expected)")
        }
        try expectNothingLeft()
    }
}
