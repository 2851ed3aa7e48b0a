import Foundation
import IPVS
import Pods
import Yams

extension BenchScenario {
    /// Reads a scenario file; errors name the file and the field.
    public init(contentsOfFile path: String) throws(BenchError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BenchError(.scenario, "cannot read the scenario file \(path)", cause: error)
        }
        try self.init(yaml: text, file: (path as NSString).lastPathComponent)
    }

    /// Decodes a scenario from YAML; `file` names it in errors. Every field but `pods` and `load` has a default.
    public init(yaml: String, file: String) throws(BenchError) {
        let reader = ScenarioReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw reader.fail("", "not valid YAML: \(error)")
        }
        let top = try reader.mapping(
            root, "",
            allowed: ["name", "summary", "pods", "schedulers", "load", "clients", "persistence", "events", "ceiling"])
        let stem = (file as NSString).deletingPathExtension
        let name = top["name"] == nil ? stem : try reader.string(top["name"], "name")
        let summary = top["summary"] == nil ? "" : try reader.string(top["summary"], "summary")
        let pods = try Self.readPods(top["pods"], reader)
        let schedulers = try Self.readSchedulers(top["schedulers"], reader)
        let load = try Self.readLoad(top["load"], reader)
        var clientAddresses = 1
        if top["clients"] != nil {
            let clients = try reader.mapping(top["clients"], "clients", allowed: ["addresses"])
            clientAddresses = try reader.int(clients["addresses"], "clients.addresses", minimum: 1, default: 1)
            guard clientAddresses <= 200 else { throw reader.fail("clients.addresses", "at most 200") }
        }
        let persistence = top["persistence"] == nil ? nil : try reader.duration(top["persistence"], "persistence")
        if let persistence, persistence < .seconds(1) {
            throw reader.fail("persistence", "must be at least 1s")
        }
        var events: [PodEvent] = []
        if top["events"] != nil {
            for (index, node) in try reader.sequence(top["events"], "events").enumerated() {
                events.append(try Self.readEvent(node, "events[\(index)]", podCount: pods.count, reader))
            }
        }
        let ceiling = try reader.duration(top["ceiling"], "ceiling", default: .seconds(3))
        self.init(
            name: name, summary: summary, pods: pods, schedulers: schedulers, load: load,
            clientAddresses: clientAddresses, persistence: persistence, events: events.sorted { $0.at < $1.at },
            ceilingDuration: ceiling)
    }

    private static func readPods(_ node: Node?, _ reader: ScenarioReader) throws(BenchError) -> [BenchPod] {
        var pods: [BenchPod] = []
        for (index, entry) in try reader.sequence(node, "pods").enumerated() {
            let path = "pods[\(index)]"
            let fields = try reader.mapping(entry, path, allowed: ["count", "delay", "weight"])
            let count = try reader.int(fields["count"], path + ".count", minimum: 1, default: 1)
            let weight = try reader.int(fields["weight"], path + ".weight", minimum: 0, default: 1)
            var delay = DelayDistribution.none
            if fields["delay"] != nil { delay = try readDelay(fields["delay"], path + ".delay", reader) }
            pods += Array(repeating: BenchPod(delay: delay, weight: Int32(clamping: weight)), count: count)
        }
        guard !pods.isEmpty else { throw reader.fail("pods", "needs at least one pod") }
        guard pods.count <= 40 else { throw reader.fail("pods", "at most 40 pods (has \(pods.count))") }
        return pods
    }

    private static func readDelay(
        _ node: Node?, _ path: String, _ reader: ScenarioReader
    ) throws(BenchError) -> DelayDistribution {
        let text = try reader.string(node, path)
        do {
            return try DelayDistribution(parsing: text)
        } catch {
            throw reader.fail(path, "'\(text)' is not a delay (0, 5ms, exp:5ms, lognormal:5ms:0.8, pareto:2ms:1.5)")
        }
    }

    private static func readSchedulers(_ node: Node?, _ reader: ScenarioReader) throws(BenchError) -> [Scheduler] {
        guard node != nil else { return ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "mh"] }
        var schedulers: [Scheduler] = []
        for (index, entry) in try reader.sequence(node, "schedulers").enumerated() {
            let scheduler = Scheduler(try reader.string(entry, "schedulers[\(index)]"))
            guard scheduler.isKnown else {
                let known = Scheduler.known.map(\.rawValue).joined(separator: ", ")
                throw reader.fail("schedulers[\(index)]", "unknown scheduler '\(scheduler)' (known: \(known))")
            }
            guard !schedulers.contains(scheduler) else {
                throw reader.fail("schedulers[\(index)]", "'\(scheduler)' is listed twice")
            }
            schedulers.append(scheduler)
        }
        guard !schedulers.isEmpty else { throw reader.fail("schedulers", "needs at least one scheduler") }
        return schedulers
    }

    private static func readLoad(_ node: Node?, _ reader: ScenarioReader) throws(BenchError) -> LoadShape {
        let fields = try reader.mapping(
            node, "load",
            allowed: ["mode", "concurrency", "rate", "duration", "requestsPerConnection", "think", "timeout"])
        let modeName = fields["mode"] == nil ? "closed" : try reader.string(fields["mode"], "load.mode")
        let mode: LoadShape.Mode
        switch modeName {
        case "closed":
            guard fields["rate"] == nil else { throw reader.fail("load.rate", "only for mode: open") }
            let concurrency = try reader.int(fields["concurrency"], "load.concurrency", minimum: 1, default: 8)
            guard concurrency <= 2000 else { throw reader.fail("load.concurrency", "at most 2000") }
            mode = .closed(concurrency: concurrency)
        case "open":
            guard fields["concurrency"] == nil else { throw reader.fail("load.concurrency", "only for mode: closed") }
            mode = .open(rate: try reader.double(fields["rate"], "load.rate"))
        default:
            throw reader.fail("load.mode", "'\(modeName)' is neither closed nor open")
        }
        let duration = try reader.duration(fields["duration"], "load.duration", default: .seconds(8))
        guard duration >= .seconds(1) else { throw reader.fail("load.duration", "must be at least 1s") }
        return LoadShape(
            mode: mode, duration: duration,
            requestsPerConnection: try reader.int(
                fields["requestsPerConnection"], "load.requestsPerConnection", minimum: 0, default: 1),
            think: try reader.duration(fields["think"], "load.think", default: .zero),
            timeout: try reader.duration(fields["timeout"], "load.timeout", default: .seconds(5)))
    }

    private static func readEvent(
        _ node: Node, _ path: String, podCount: Int, _ reader: ScenarioReader
    ) throws(BenchError) -> PodEvent {
        let fields = try reader.mapping(node, path, allowed: ["at", "pod", "action", "delay"])
        let at = try reader.duration(fields["at"], path + ".at")
        let pod = try reader.int(fields["pod"], path + ".pod", minimum: 0)
        guard pod < podCount else {
            throw reader.fail(path + ".pod", "no pod \(pod) (the pods are 0...\(podCount - 1))")
        }
        let actionName = try reader.string(fields["action"], path + ".action")
        let action: PodEvent.Action
        switch actionName {
        case "stop": action = .stop
        case "start": action = .start
        case "pause": action = .pause
        case "resume": action = .resume
        case "delay": action = .delay(try readDelay(fields["delay"], path + ".delay", reader))
        default: throw reader.fail(path + ".action", "'\(actionName)' is not one of stop, start, pause, resume, delay")
        }
        if fields["delay"] != nil, actionName != "delay" {
            throw reader.fail(path + ".delay", "only for action: delay")
        }
        return PodEvent(at: at, pod: pod, action: action)
    }
}
