/// A watch event, decoded and validated, as ``ListWatchState`` consumes it.
public enum WatchInput: Sendable, Hashable {
    /// ADDED or MODIFIED.
    case upsert(DecodedItem)
    /// DELETED.
    case delete(DecodedItem)
    /// BOOKMARK: progress to this resourceVersion.
    case bookmark(resourceVersion: String?)
    /// The BOOKMARK annotated `k8s.io/initial-events-end: "true"` that ends a watch-list's initial events: the
    /// streamed list is complete at this resourceVersion.
    case initialEventsEnd(resourceVersion: String?)
    /// ERROR.
    case error(APIStatus)

    /// Converts a decoded watch event.
    public static func from<Resource: KubeResource>(_ event: WatchEvent<Resource>) -> WatchInput {
        switch event {
        case .added(let object), .modified(let object): .upsert(.from(object))
        case .deleted(let object): .delete(.from(object))
        case .bookmark(let version): .bookmark(resourceVersion: version)
        case .error(let status): .error(status)
        }
    }
}

/// The annotation of a BOOKMARK that ends a watch-list's initial events (client-go's
/// `metav1.InitialEventsAnnotationKey`).
struct InitialEventsEndMarker: Decodable {
    static let annotation = "k8s.io/initial-events-end"

    struct Object: Decodable { var metadata: ObjectMeta? }
    var object: Object?

    /// Whether the event's object carries the annotation with the value "true".
    var isSet: Bool { object?.metadata?.annotations?[Self.annotation] == "true" }
}
