import Foundation

/// The events.k8s.io/v1 endpoints, as the API server answers the event recorder: POST creates (201, the Event
/// back; 409 AlreadyExists for a name taken), PATCH merges a strategic-merge patch's top-level fields into an
/// existing one (200; 404 NotFound for one that does not exist). ``refuseEventWrites(_:)`` answers the next writes
/// 403, as an API server does for a ServiceAccount whose ClusterRole lacks `create`/`patch` on events.
extension FaultyAPIServer {
    static let eventsPrefix = "/apis/events.k8s.io/v1/namespaces/"

    /// The Events written, by `namespace/name`, as JSON text.
    public var events: [String: String] { state.withLock { $0.events } }

    /// The Events written, decoded.
    public func eventObjects() -> [String: [String: Any]] {
        events.compactMapValues { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Answers the next `count` event writes 403 Forbidden.
    public func refuseEventWrites(_ count: Int) { state.withLock { $0.refusedEventWrites = count } }

    func answerEvent(_ request: TestAPIServer.Request) -> TestAPIServer.Response {
        // /apis/events.k8s.io/v1/namespaces/NS/events[/NAME]
        let parts = request.path.dropFirst(Self.eventsPrefix.count).split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[1] == "events" else {
            return .json(
                status: 404, body: Self.status(404, "NotFound", "the server could not find the requested resource"))
        }
        let namespace = parts[0]
        return state.withLock { state -> TestAPIServer.Response in
            if state.refusedEventWrites > 0 {
                state.refusedEventWrites -= 1
                let message =
                    "events.events.k8s.io is forbidden: User system:serviceaccount:kube-system:ipvs-proxy cannot "
                    + "\(request.method.lowercased()) resource events in API group events.k8s.io"
                return .json(status: 403, body: Self.status(403, "Forbidden", message))
            }
            guard var object = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any] else {
                return .json(status: 400, body: Self.status(400, "BadRequest", "the body is not a JSON object"))
            }
            switch (request.method, parts.count) {
            case ("POST", 2):
                guard var metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String else {
                    return .json(status: 422, body: Self.status(422, "Invalid", "metadata.name: Required value"))
                }
                let key = "\(namespace)/\(name)"
                guard state.events[key] == nil else {
                    return .json(status: 409, body: Self.status(409, "AlreadyExists", "events \(name) already exists"))
                }
                metadata["resourceVersion"] = String(state.events.count + 1)
                object["metadata"] = metadata
                let text = Self.text(object)
                state.events[key] = text
                return .json(status: 201, body: text)
            case ("PATCH", 3):
                let key = "\(namespace)/\(parts[2])"
                guard let old = state.events[key],
                    var existing = try? JSONSerialization.jsonObject(with: Data(old.utf8)) as? [String: Any]
                else {
                    return .json(status: 404, body: Self.status(404, "NotFound", "events \(parts[2]) not found"))
                }
                for (field, value) in object { existing[field] = value }
                let text = Self.text(existing)
                state.events[key] = text
                return .json(status: 200, body: text)
            default:
                return .json(status: 405, body: Self.status(405, "MethodNotAllowed", "\(request.method) not allowed"))
            }
        }
    }

    static func text(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
