import Foundation
import TestSupport

@testable import Kube

/// Builds API-server responses from the recorded fixtures.
enum APIServerReplay {
    static let servicesPath = "/api/v1/services"
    static let slicesPath = "/apis/discovery.k8s.io/v1/endpointslices"

    static func page(_ name: String) throws -> (body: String, continue: String?) {
        let body = try Fixtures.text(name)
        let list = try JSONDecoder().decode(ObjectList<Service>.self, from: Data(body.utf8))
        return (body, list.metadata.continue)
    }

    /// The third page the recording stops short of: what the server sends for page 2's continue token
    /// (the remaining item of services-list.json, in the same list shape, no continue token).
    static func lastServicesPage() throws -> String {
        try editedList("services-list.json") { items in items.filter { name(of: $0) == "api" } }
    }

    /// A list fixture with its items edited and, optionally, a new resourceVersion, as JSON text.
    static func editedList(
        _ fixture: String, resourceVersion: String? = nil, edit: ([[String: Any]]) -> [[String: Any]]
    ) throws -> String {
        guard var list = try JSONSerialization.jsonObject(with: Fixtures.data(fixture)) as? [String: Any],
            let items = list["items"] as? [[String: Any]]
        else { throw TestFailure("\(fixture) is not a list") }
        list["items"] = edit(items)
        if let resourceVersion { list["metadata"] = ["resourceVersion": resourceVersion] }
        return String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
    }

    static func name(of item: [String: Any]) -> String? {
        (item["metadata"] as? [String: Any])?["name"] as? String
    }

    /// Sets an annotation on one item.
    static func annotate(_ items: [[String: Any]], _ target: String, _ key: String, _ value: String) -> [[String: Any]]
    {
        items.map { item in
            guard name(of: item) == target, var metadata = item["metadata"] as? [String: Any] else { return item }
            var annotations = metadata["annotations"] as? [String: String] ?? [:]
            annotations[key] = value
            metadata["annotations"] = annotations
            var copy = item
            copy["metadata"] = metadata
            return copy
        }
    }
}

/// Reads a source's events until `done` says enough, failing after a generous safety limit (so a broken
/// source fails the test instead of hanging it; no speed is asserted).
func collect(
    _ source: some ObjectSource, limit: Duration = .seconds(60), until done: @escaping @Sendable ([SourceEvent]) -> Bool
) async throws -> [SourceEvent] {
    try await withThrowingTaskGroup(of: [SourceEvent]?.self) { group in
        group.addTask {
            try await source.withEvents { iterator in
                var events: [SourceEvent] = []
                while let event = await iterator.next() {
                    events.append(event)
                    if done(events) { return events }
                }
                return events
            }
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let events = first else {
            group.cancelAll()
            throw TestFailure("the source did not deliver the expected events in time")
        }
        group.cancelAll()
        return events
    }
}

extension [SourceEvent] {
    /// Change summaries of one kind, in order, split at `synced`.
    func summaries(_ kind: ObjectKind) -> (initial: [String], later: [String]) {
        var initial: [String] = []
        var later: [String] = []
        var synced = false
        for event in self {
            switch event {
            case .synced: synced = true
            case .change(let change) where change.object.kind == kind:
                if synced { later.append(change.summary) } else { initial.append(change.summary) }
            case .change: break
            }
        }
        return (initial, later)
    }

    /// All change summaries of one kind, in order.
    func all(_ kind: ObjectKind) -> [String] {
        compactMap { event in
            guard case .change(let change) = event, change.object.kind == kind else { return nil }
            return change.summary
        }
    }

    var changeCount: Int { filter { if case .change = $0 { true } else { false } }.count }
    var hasSynced: Bool { contains(.synced) }
}
