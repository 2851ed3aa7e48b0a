/// A watch event, decoded and validated, as ``ListWatchState`` consumes it.
public enum WatchInput: Sendable, Hashable {
    /// ADDED or MODIFIED.
    case upsert(DecodedItem)
    /// DELETED.
    case delete(DecodedItem)
    /// BOOKMARK: progress to this resourceVersion.
    case bookmark(resourceVersion: String?)
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
