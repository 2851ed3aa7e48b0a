import Foundation

/// An events.k8s.io/v1 Event as it is created: the body of the POST.
public struct EventObject: Sendable, Hashable, Codable {
    /// The Event's metadata: its name and namespace (the regarded object's).
    public struct Metadata: Sendable, Hashable, Codable {
        /// `<regarded name>.<time in hex>`, as client-go names Events.
        public var name: String
        /// The regarded object's namespace.
        public var namespace: String
    }

    /// `events.k8s.io/v1`.
    public var apiVersion = "events.k8s.io/v1"
    /// `Event`.
    public var kind = "Event"
    /// Name and namespace.
    public var metadata: Metadata
    /// When it was first seen, as a MicroTime (RFC 3339 with microseconds).
    public var eventTime: String
    /// The controller reporting (`ipvs-proxy`).
    public var reportingController: String
    /// The instance reporting: the node's name.
    public var reportingInstance: String
    /// What was done.
    public var action: String
    /// Why.
    public var reason: String
    /// What happened, for humans (at most 1 kB).
    public var note: String
    /// Normal or Warning.
    public var type: KubeEvent.Kind
    /// The object the event is about.
    public var regarding: ObjectReference

    /// The API's limit on `note`, in bytes.
    public static let noteLimit = 1024
    /// The API's limit on `action`, `reason`, `reportingController` and `reportingInstance`, in characters.
    public static let fieldLimit = 128

    /// The Event recording `event`, first seen at `time`, reported by `controller` on `instance`.
    public init(_ event: KubeEvent, time: Date, controller: String, instance: String) {
        let nanoseconds = UInt64(max(0, time.timeIntervalSince1970) * 1e9)
        metadata = Metadata(
            name: "\(event.regarding.name).\(String(nanoseconds, radix: 16))", namespace: event.regarding.namespace)
        eventTime = Self.microTime(time)
        reportingController = String(controller.prefix(Self.fieldLimit))
        reportingInstance = String(instance.prefix(Self.fieldLimit))
        action = String(event.action.prefix(Self.fieldLimit))
        reason = String(event.reason.prefix(Self.fieldLimit))
        note = Self.cut(event.note, to: Self.noteLimit)
        type = event.type
        regarding = event.regarding
    }

    /// `text` within `limit` UTF-8 bytes, cut at a character boundary.
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            guard bytes + size <= limit - 3 else { break }
            result.append(character)
            bytes += size
        }
        return result + "..."
    }

    /// A MicroTime: `2006-01-02T15:04:05.000000Z`.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = min(999_999, Int(((seconds - whole) * 1e6).rounded(.down)))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):"
            + "\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(micros, 6))Z"
    }
}

/// The body of the PATCH that records an Event seen again: its `series` (client-go's `EventSeries`).
public struct EventSeriesPatch: Sendable, Hashable, Codable {
    /// An Event's series.
    public struct Series: Sendable, Hashable, Codable {
        /// How many times the event was seen (2 at the first repeat).
        public var count: Int
        /// When it was last seen, as a MicroTime.
        public var lastObservedTime: String
    }

    /// The series.
    public var series: Series
}
