/// What an ``ObjectSource`` delivers.
public enum SourceEvent: Sendable, Hashable {
    /// One object changed.
    case change(ObjectChange)
    /// The initial state is complete: every object that existed when the source started has been delivered.
    /// Sent once, after the initial list (API server) or the first scan (manifests directory). A consumer
    /// should not delete anything it did not create before this arrives.
    case synced
}
