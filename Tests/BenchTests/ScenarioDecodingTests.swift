import Bench
import IPVS
import Pods
import Testing

@Suite struct ScenarioDecodingTests {
    @Test func decodesEveryField() throws {
        let yaml = """
            name: mixed
            summary: a bit of everything
            pods:
              - count: 2
                delay: exp:5ms
              - delay: 50ms
                weight: 3
            schedulers: [rr, wlc]
            clients:
              addresses: 3
            persistence: 30s
            load:
              mode: open
              rate: 150
              duration: 4s
              requestsPerConnection: 0
              think: 20ms
              timeout: 2s
            events:
              - at: 3s
                pod: 2
                action: delay
                delay: exp:100ms
              - at: 1s
                pod: 0
                action: stop
            ceiling: 1500ms
            """
        let scenario = try BenchScenario(yaml: yaml, file: "mixed.yaml")
        #expect(scenario.name == "mixed")
        #expect(scenario.summary == "a bit of everything")
        #expect(
            scenario.pods == [
                BenchPod(delay: .exponential(mean: .milliseconds(5))),
                BenchPod(delay: .exponential(mean: .milliseconds(5))),
                BenchPod(delay: .constant(.milliseconds(50)), weight: 3),
            ])
        #expect(scenario.podNames == ["pod-0", "pod-1", "pod-2"])
        #expect(scenario.schedulers == [.roundRobin, .weightedLeastConnection])
        #expect(scenario.clientAddresses == 3)
        #expect(scenario.persistence == .seconds(30))
        #expect(scenario.load.mode == .open(rate: 150))
        #expect(scenario.load.duration == .seconds(4))
        #expect(scenario.load.requestsPerConnection == 0)
        #expect(scenario.load.think == .milliseconds(20))
        #expect(scenario.load.timeout == .seconds(2))
        // Events come sorted by time.
        #expect(
            scenario.events == [
                PodEvent(at: .seconds(1), pod: 0, action: .stop),
                PodEvent(at: .seconds(3), pod: 2, action: .delay(.exponential(mean: .milliseconds(100)))),
            ])
        #expect(scenario.ceilingDuration == .milliseconds(1500))
    }

    @Test func defaultsFillTheRest() throws {
        let scenario = try BenchScenario(yaml: "pods: [{}]\nload: {}\n", file: "tiny.yaml")
        #expect(scenario.name == "tiny")
        #expect(scenario.pods == [BenchPod()])
        #expect(scenario.load.mode == .closed(concurrency: 8))
        #expect(scenario.load.duration == .seconds(8))
        #expect(scenario.load.requestsPerConnection == 1)
        #expect(scenario.schedulers.map(\.rawValue) == ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "mh"])
        #expect(scenario.clientAddresses == 1)
        #expect(scenario.persistence == nil)
        #expect(scenario.events.isEmpty)
    }

    /// Each broken file, and the file and field the error must name.
    @Test(arguments: [
        ("pods: [{}]\n", "s.yaml: load: missing"),
        ("pods: []\nload: {}\n", "s.yaml: pods: needs at least one pod"),
        ("pods: [{delay: exp:x}]\nload: {}\n", "s.yaml: pods[0].delay: 'exp:x' is not a delay"),
        ("pods: [{}, {weight: -1}]\nload: {}\n", "s.yaml: pods[1].weight: must be at least 0"),
        ("pods: [{colour: red}]\nload: {}\n", "s.yaml: pods[0].colour: unknown field"),
        ("pods: [{}]\nload: {concurrency: 0}\n", "s.yaml: load.concurrency: must be at least 1"),
        ("pods: [{}]\nload: {mode: open}\n", "s.yaml: load.rate: missing"),
        ("pods: [{}]\nload: {mode: closed, rate: 5}\n", "s.yaml: load.rate: only for mode: open"),
        ("pods: [{}]\nload: {mode: burst}\n", "s.yaml: load.mode: 'burst' is neither closed nor open"),
        ("pods: [{}]\nload: {duration: soon}\n", "s.yaml: load.duration: 'soon' is not a duration"),
        ("pods: [{}]\nload: {}\nschedulers: [rr, fastest]\n", "s.yaml: schedulers[1]: unknown scheduler 'fastest'"),
        ("pods: [{}]\nload: {}\nschedulers: [rr, rr]\n", "s.yaml: schedulers[1]: 'rr' is listed twice"),
        ("pods: [{}]\nload: {}\nevents: [{at: 1s, pod: 4, action: stop}]\n", "s.yaml: events[0].pod: no pod 4"),
        ("pods: [{}]\nload: {}\nevents: [{at: 1s, pod: 0, action: explode}]\n", "s.yaml: events[0].action:"),
        ("pods: [{}]\nload: {}\nevents: [{at: 1s, pod: 0, action: stop, delay: 5ms}]\n", "s.yaml: events[0].delay:"),
        ("pods: [{}]\nload: {}\nclients: {addresses: 0}\n", "s.yaml: clients.addresses: must be at least 1"),
        ("pods: [{}]\nload: {}\nspeed: fast\n", "s.yaml: speed: unknown field"),
        ("pods: [{}\n", "s.yaml: not valid YAML"),
    ])
    func errorsNameTheFileAndField(yaml: String, expected: String) {
        do {
            _ = try BenchScenario(yaml: yaml, file: "s.yaml")
            Issue.record("decoded, expected an error starting with \(expected)")
        } catch {
            #expect(error.code == .scenario)
            #expect(error.message.hasPrefix(expected), "\(error.message)")
        }
    }

    @Test func shippedScenariosDecode() throws {
        let directory = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let names = [
            "homogeneous", "one-slow-pod", "weighted", "long-lived", "pod-failing", "few-sources",
            "few-sources-persistent",
        ]
        for name in names {
            let scenario = try BenchScenario(contentsOfFile: "/\(directory)/manifests/bench/\(name).yaml")
            #expect(scenario.name == name)
            #expect(!scenario.summary.isEmpty)
        }
    }
}
