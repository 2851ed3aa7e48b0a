import Values
import Foundation
import Kube

/// A kube-apiserver model on a ``TestAPIServer``, speaking the wire format recorded from kube-apiserver 1.36
/// (`../shared/fixtures/kube-apiserver-1.36`), that injects faults on demand.
///
/// It holds Services and EndpointSlices with one resourceVersion counter and the event history: a LIST serves the
/// current objects in pages (`limit`, an opaque `continue` token keyed by name, `remainingItemCount`); a WATCH from a
/// resourceVersion replays the events after it (410 Gone, as an ERROR event, once the history is compacted past it);
/// a watch-list (`sendInitialEvents=true`, when `watchList`) streams ADDED events and the BOOKMARK annotated
/// `k8s.io/initial-events-end`. Watch bodies then stay open, or are closed after the simulated clock is moved on by
/// ``Faults/idleCloseAfter`` (an idle-closing load balancer). Objects changed by the test reach clients on their next
/// watch. Faults (``Faults``) apply to requests as they come.
public final class FaultyAPIServer: Sendable {
    /// A resource it serves.
    public enum Resource: String, Sendable, CaseIterable {
        case services, endpointSlices

        public var path: String {
            self == .services ? "/api/v1/services" : "/apis/discovery.k8s.io/v1/endpointslices"
        }
        var listKind: String { self == .services ? "ServiceList" : "EndpointSliceList" }
        var kind: String { self == .services ? "Service" : "EndpointSlice" }
        var apiVersion: String { self == .services ? "v1" : "discovery.k8s.io/v1" }
    }

    /// What goes wrong, from now on.
    public struct Faults: Sendable {
        /// Every watch (and watch-list) of these resources is answered with 410 Gone: an ERROR event, or the HTTP
        /// status on every other.
        public var goneStorm: Set<Resource> = []
        /// The next requests are answered with this status (429, 503) and `Retry-After: seconds`.
        public var throttle: (status: Int, retryAfterSeconds: Int, count: Int)? = nil
        /// Watches are closed cleanly after their events, once the simulated clock has been moved on by this.
        public var idleCloseAfter: Duration? = nil
        /// The next watches carrying events send their first event garbled (cut short and ended with a newline).
        public var garbledWatches = 0
        /// The next watches carrying events are cut in the middle of their first event (the connection drops).
        public var truncatedWatches = 0
        /// The next requests for each resource are answered 403 Forbidden (RBAC not there yet): counted per resource,
        /// so that each reflector meets its own share whichever of them asks first.
        public var forbidden: [Resource: Int] = [:]
        /// The next requests get no answer at all (a stalled server).
        public var stalls = 0
        /// Continue tokens are refused as expired (410), as after a compaction between pages.
        public var expireContinue = false

        public init() {}
    }

    struct Event {
        var resourceVersion: Int
        var resource: Resource
        var type: String
        var object: String
    }

    struct State {
        var revision = 100
        var objects: [Resource: [String: (version: Int, json: String)]] = [:]
        var history: [Event] = []
        var compacted = 100
        var faults = Faults()
        var goneAnswers = 0
        /// Events written (events.k8s.io/v1), by `namespace/name`: the created body, patched in place.
        var events: [String: String] = [:]
        /// Writes the events endpoint refuses next (403 Forbidden).
        var refusedEventWrites = 0
    }

    let state = Locked(State())
    private let clock: SimulatedClock?
    /// The loopback server (its `requests` are every request answered through the model).
    public let server: TestAPIServer

    /// A server holding nothing; `clock` is moved on by idle closes.
    public init(clock: SimulatedClock? = nil, watchList: Bool = false) async throws {
        self.clock = clock
        let box = Locked<FaultyAPIServer?>(nil)
        self.server = try await TestAPIServer(watchList: watchList) { request in
            box.withLock { $0 }?.answer(request) ?? .stall
        }
        box.withLock { $0 = self }
    }

    public var baseURL: String { server.baseURL }
    public func shutdown() async { await server.shutdown() }

    /// Changes the faults.
    public func inject(_ change: (inout Faults) -> Void) { state.withLock { change(&$0.faults) } }

    /// The current resourceVersion.
    public var resourceVersion: Int { state.withLock { $0.revision } }

    /// Names (`namespace/name`) of the objects held.
    public func names(_ resource: Resource) -> Set<String> { state.withLock { Set(($0.objects[resource] ?? [:]).keys) } }

    /// Creates or replaces an object given as JSON without its resourceVersion (set here).
    public func upsert(_ resource: Resource, _ json: String) throws {
        guard var object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            var metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String
        else { throw FaultyAPIServerError("not an object with metadata.name: \(json.prefix(80))") }
        let namespace = metadata["namespace"] as? String ?? "default"
        try state.withLock { state in
            state.revision += 1
            metadata["resourceVersion"] = String(state.revision)
            object["metadata"] = metadata
            object["kind"] = resource.kind
            object["apiVersion"] = resource.apiVersion
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let key = "\(namespace)/\(name)"
            let type = state.objects[resource]?[key] == nil ? "ADDED" : "MODIFIED"
            state.objects[resource, default: [:]][key] = (state.revision, text)
            state.history.append(Event(resourceVersion: state.revision, resource: resource, type: type, object: text))
        }
    }

    /// Deletes an object.
    public func delete(_ resource: Resource, _ key: String) {
        state.withLock { state in
            guard let old = state.objects[resource]?.removeValue(forKey: key) else { return }
            state.revision += 1
            let object = old.json.replacingOccurrences(
                of: "\"resourceVersion\":\"\(old.version)\"", with: "\"resourceVersion\":\"\(state.revision)\"")
            state.history.append(
                Event(resourceVersion: state.revision, resource: resource, type: "DELETED", object: object))
        }
    }

    /// Forgets the history up to now (etcd compaction): watches from older versions get 410.
    public func compact() { state.withLock { $0.compacted = $0.revision } }

    /// A Service in the recorded shape (ClusterIP, one TCP port).
    public static func service(_ name: String, namespace: String = "default", clusterIP: String, port: Int = 80)
        -> String
    {
        """
        {"metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"uid-\(name)",\
        "creationTimestamp":"2026-11-22T02:19:10Z"},"spec":{"ports":[{"name":"http","protocol":"TCP","port":\(port),\
        "targetPort":8080}],"clusterIP":"\(clusterIP)","clusterIPs":["\(clusterIP)"],"type":"ClusterIP",\
        "sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack",\
        "internalTrafficPolicy":"Cluster"},"status":{"loadBalancer":{}}}
        """
    }

    /// An EndpointSlice of `service` in the recorded shape (ready endpoints, one TCP port).
    public static func slice(_ name: String, service: String, namespace: String = "default", addresses: [String])
        -> String
    {
        let endpoints = addresses.map {
            "{\"addresses\":[\"\($0)\"],\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false}}"
        }
        return """
            {"metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"uid-\(name)","generation":1,\
            "creationTimestamp":"2026-11-22T02:19:10Z","labels":{"kubernetes.io/service-name":"\(service)"}},\
            "addressType":"IPv4","endpoints":[\(endpoints.joined(separator: ","))],\
            "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """
    }

    // MARK: Answers

    func answer(_ request: TestAPIServer.Request) -> TestAPIServer.Response {
        if request.path.hasPrefix(Self.eventsPrefix) { return answerEvent(request) }
        guard let resource = Resource.allCases.first(where: { $0.path == request.path }) else {
            return .json(status: 404, body: Self.status(404, "NotFound", "the server could not find the requested resource"))
        }
        if let fault = takeFault(resource, request) { return fault }
        if request.isWatchList { return watchList(resource) }
        if request.isWatch { return watch(resource, from: Int(request.query["resourceVersion"] ?? "") ?? 0) }
        return list(resource, limit: Int(request.query["limit"] ?? "") ?? 0, continue: request.query["continue"])
    }

    private func takeFault(_ resource: Resource, _ request: TestAPIServer.Request) -> TestAPIServer.Response? {
        state.withLock { state in
            if state.faults.stalls > 0 {
                state.faults.stalls -= 1
                return .stall
            }
            if let left = state.faults.forbidden[resource], left > 0 {
                state.faults.forbidden[resource] = left - 1
                let verb = request.isWatch ? "watch" : "list"
                let message =
                    "\(resource.rawValue.lowercased()) is forbidden: User \\\"system:serviceaccount:kube-system:kube-proxy\\\" "
                    + "cannot \(verb) resource \\\"\(resource.rawValue.lowercased())\\\" at the cluster scope"
                return .json(status: 403, body: Self.status(403, "Forbidden", message))
            }
            if let throttle = state.faults.throttle, throttle.count > 0 {
                state.faults.throttle?.count -= 1
                let reason = throttle.status == 429 ? "TooManyRequests" : "ServiceUnavailable"
                return .jsonWithHeaders(
                    status: throttle.status,
                    body: Self.status(throttle.status, reason, "Too many requests, please try again later."),
                    headers: [("Retry-After", String(throttle.retryAfterSeconds))])
            }
            if request.isWatch && state.faults.goneStorm.contains(resource) {
                state.goneAnswers += 1
                let message = "too old resource version: \(request.query["resourceVersion"] ?? "") (\(state.revision))"
                let status = Self.status(410, "Expired", message)
                return state.goneAnswers % 2 == 0
                    ? .json(status: 410, body: status) : .stream(["{\"type\":\"ERROR\",\"object\":\(status)}\n"], .finish)
            }
            if !request.isWatch, request.query["continue"] != nil, state.faults.expireContinue {
                return .json(status: 410, body: Self.expiredContinue)
            }
            return nil
        }
    }

    private func list(_ resource: Resource, limit: Int, continue token: String?) -> TestAPIServer.Response {
        state.withLock { state in
            var listVersion = state.revision
            var after = ""
            if let token {
                let parts = token.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2, let version = Int(parts[0]) else {
                    return .json(status: 400, body: Self.status(400, "BadRequest", "invalid continue token"))
                }
                if version < state.compacted { return .json(status: 410, body: Self.expiredContinue) }
                (listVersion, after) = (version, parts[1])
            }
            let all = (state.objects[resource] ?? [:]).sorted { $0.key < $1.key }.filter { $0.key > after }
            let page = limit > 0 ? Array(all.prefix(limit)) : all
            var metadata = "\"resourceVersion\":\"\(listVersion)\""
            if limit > 0, all.count > limit, let last = page.last {
                metadata += ",\"continue\":\"\(listVersion)|\(last.key)\",\"remainingItemCount\":\(all.count - limit)"
            }
            let items = page.map(\.value.json).joined(separator: ",")
            return .json(
                status: 200,
                body: "{\"kind\":\"\(resource.listKind)\",\"apiVersion\":\"\(resource.apiVersion)\","
                    + "\"metadata\":{\(metadata)},\"items\":[\(items)]}")
        }
    }

    private func watch(_ resource: Resource, from version: Int) -> TestAPIServer.Response {
        let (lines, close): ([String], Duration?) = state.withLock { state in
            if version < state.compacted {
                let status = Self.status(410, "Expired", "too old resource version: \(version) (\(state.revision))")
                return (["{\"type\":\"ERROR\",\"object\":\(status)}\n"], .zero)
            }
            var lines = state.history.filter { $0.resource == resource && $0.resourceVersion > version }
                .map { "{\"type\":\"\($0.type)\",\"object\":\($0.object)}\n" }
            if !lines.isEmpty { Self.spoil(&lines, &state.faults) }
            return (lines, state.faults.idleCloseAfter)
        }
        return respond(lines, close: close)
    }

    private func watchList(_ resource: Resource) -> TestAPIServer.Response {
        let (lines, close): ([String], Duration?) = state.withLock { state in
            var lines = (state.objects[resource] ?? [:]).sorted { $0.key < $1.key }
                .map { "{\"type\":\"ADDED\",\"object\":\($0.value.json)}\n" }
            lines.append(
                "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"\(resource.kind)\",\"apiVersion\":\"\(resource.apiVersion)\","
                    + "\"metadata\":{\"resourceVersion\":\"\(state.revision)\",\"creationTimestamp\":null,"
                    + "\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}\n")
            Self.spoil(&lines, &state.faults)
            return (lines, state.faults.idleCloseAfter)
        }
        return respond(lines, close: close)
    }

    private func respond(_ lines: [String], close: Duration?) -> TestAPIServer.Response {
        if lines.last?.hasSuffix("\n") == false { return .stream(lines, .drop) }
        guard let close else { return .stream(lines, .hold) }
        clock?.advance(by: close)
        return .stream(lines, .finish)
    }

    /// Garbles or cuts the first event, as the faults ask.
    private static func spoil(_ lines: inout [String], _ faults: inout Faults) {
        guard let first = lines.first else { return }
        if faults.truncatedWatches > 0 {
            faults.truncatedWatches -= 1
            lines = [String(first.prefix(first.count / 2))]
        } else if faults.garbledWatches > 0 {
            faults.garbledWatches -= 1
            lines[0] = String(first.prefix(first.count / 2)) + "\n"
        }
    }

    static func status(_ code: Int, _ reason: String, _ message: String) -> String {
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"\(message)\","
            + "\"reason\":\"\(reason)\",\"code\":\(code)}"
    }

    static let expiredContinue = status(
        410, "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can start a new list "
            + "without the continue parameter.")
}

/// A test's misuse of ``FaultyAPIServer``.
public struct FaultyAPIServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
