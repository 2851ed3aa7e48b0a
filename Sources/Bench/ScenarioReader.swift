import Values
import Yams

/// Walks a scenario's YAML tree, turning every problem into a ``BenchError`` that names the file and the field
/// (`one-slow-pod.yaml: load.concurrency: must be at least 1`).
struct ScenarioReader {
    let file: String

    func fail(_ path: String, _ message: String) -> BenchError {
        BenchError(.scenario, "\(file): \(path.isEmpty ? "" : "\(path): ")\(message)")
    }

    func mapping(_ node: Node?, _ path: String, allowed: Set<String>) throws(BenchError) -> Node.Mapping {
        guard let node else { throw fail(path, "missing") }
        guard let mapping = node.mapping else { throw fail(path, "expected a mapping of fields") }
        for (key, _) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw fail(join(path, key.string ?? "?"), "unknown field (known: \(known))")
            }
        }
        return mapping
    }

    func sequence(_ node: Node?, _ path: String) throws(BenchError) -> [Node] {
        guard let node else { throw fail(path, "missing") }
        guard let sequence = node.sequence else { throw fail(path, "expected a list") }
        return Array(sequence)
    }

    func string(_ node: Node?, _ path: String) throws(BenchError) -> String {
        guard let node else { throw fail(path, "missing") }
        guard let scalar = node.scalar else { throw fail(path, "expected a single value") }
        return scalar.string
    }

    func int(_ node: Node?, _ path: String, minimum: Int, default value: Int? = nil) throws(BenchError) -> Int {
        if node == nil, let value { return value }
        let text = try string(node, path)
        guard let number = Int(text) else { throw fail(path, "'\(text)' is not a whole number") }
        guard number >= minimum else { throw fail(path, "must be at least \(minimum) (is \(number))") }
        return number
    }

    func double(_ node: Node?, _ path: String) throws(BenchError) -> Double {
        let text = try string(node, path)
        guard let number = Double(text), number.isFinite, number > 0 else {
            throw fail(path, "'\(text)' is not a positive number")
        }
        return number
    }

    func duration(_ node: Node?, _ path: String, default value: Duration? = nil) throws(BenchError) -> Duration {
        if node == nil, let value { return value }
        let text = try string(node, path)
        guard let duration = GoDuration.parse(text) else {
            throw fail(path, "'\(text)' is not a duration (like 250ms, 8s, 1.5s, 1m30s)")
        }
        return duration
    }

    func join(_ path: String, _ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }
}
