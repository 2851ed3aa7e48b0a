/// The object an Event is about (`regarding`), as the API's `ObjectReference`.
public struct ObjectReference: Sendable, Hashable, Codable {
    /// `v1` for a Service.
    public var apiVersion: String
    /// `Service`.
    public var kind: String
    /// The object's namespace.
    public var namespace: String
    /// The object's name.
    public var name: String

    /// A reference to a namespaced object.
    public init(apiVersion: String, kind: String, namespace: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// A reference to the Service `key`.
    public static func service(_ key: ObjectKey) -> ObjectReference {
        ObjectReference(apiVersion: "v1", kind: "Service", namespace: key.namespace, name: key.name)
    }
}

/// Something worth telling the owner of an object, as a Kubernetes Event (events.k8s.io/v1) says it: what the
/// object is, what kind of news (`Normal`, `Warning`), why (`reason`, CamelCase), what the controller did
/// (`action`) and a human-readable note. Two events with the same fields are the same event seen again (client-go's
/// isomorphic events: one Event object whose `series` counts them).
public struct KubeEvent: Sendable, Hashable {
    /// The Event's `type`.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Information: the operator's policy at work.
        case normal = "Normal"
        /// Something someone should fix.
        case warning = "Warning"
    }

    /// The object the event is about.
    public var regarding: ObjectReference
    /// Normal or Warning.
    public var type: Kind
    /// Why, in CamelCase (at most 128 characters): `UnsupportedScheduler`.
    public var reason: String
    /// What was done about it, in CamelCase (at most 128 characters): `UseDefaultScheduler`.
    public var action: String
    /// A human-readable description (the API keeps at most 1 kB; longer notes are cut).
    public var note: String

    /// An event.
    public init(regarding: ObjectReference, type: Kind, reason: String, action: String, note: String) {
        self.regarding = regarding
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
    }
}

/// Where events go. `record` never waits: an implementation queues (bounded) or drops, and counts what it drops.
public protocol EventSink: Sendable {
    /// Hands over one event; returns at once.
    func record(_ event: KubeEvent)
}
