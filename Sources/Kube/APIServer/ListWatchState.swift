/// The list-then-watch state machine for one resource (Services or EndpointSlices), with no I/O.
///
/// The driver (``APIServerSource``) asks ``nextRequest`` what to do, performs it, and feeds back what
/// happened; every method returns the object changes to emit. The state keeps the objects it has delivered
/// (``known``) so that a relist — after 410 Gone or any failure to resume — yields only the difference,
/// never a reset. An object that fails validation does not replace its last valid version (as a rejected
/// update would not); an invalid object never seen before is not delivered.
public struct ListWatchState: Sendable {
    /// What the driver should do next.
    public enum Request: Sendable, Hashable {
        /// LIST a page (`continue` token for pages after the first).
        case list(continue: String?)
        /// WATCH from this resourceVersion.
        case watch(resourceVersion: String)
    }

    /// The resource.
    public let kind: ObjectKind
    /// The objects delivered so far (their last valid versions).
    public private(set) var known: [ObjectKey: KubeObject] = [:]
    /// The resourceVersion to resume the watch from; nil while a (re)list is needed or under way.
    public private(set) var resourceVersion: String?
    /// True once the first complete list has been delivered.
    public private(set) var hasSynced = false
    /// The retry delay policy.
    public private(set) var backoff: Backoff
    /// What to do next.
    public private(set) var nextRequest: Request = .list(continue: nil)

    private var listed: [ObjectKey: KubeObject] = [:]

    /// Creates the state: the first request is a LIST.
    public init(kind: ObjectKind, backoff: Backoff = Backoff()) {
        self.kind = kind
        self.backoff = backoff
    }

    /// A LIST page arrived. Returns the changes to emit (only after the last page: the diff from
    /// ``known``); earlier pages return nothing.
    public mutating func receivePage(_ items: [DecodedItem], metadata: ListMeta) -> [ObjectChange] {
        if case .list(continue: nil) = nextRequest { listed = [:] }
        for item in items {
            switch item {
            case .valid(let object, _, _):
                listed[object.key] = object
            case .invalid(let key, _, _):
                if let key, let previous = known[key] { listed[key] = previous }
            }
        }
        if let token = metadata.continue, !token.isEmpty {
            nextRequest = .list(continue: token)
            return []
        }
        let before = ObjectSnapshot(Dictionary(uniqueKeysWithValues: known.values.map { ($0.id, $0) }))
        let after = ObjectSnapshot(Dictionary(uniqueKeysWithValues: listed.values.map { ($0.id, $0) }))
        known = listed
        listed = [:]
        hasSynced = true
        backoff.reset()
        if let version = metadata.resourceVersion, !version.isEmpty {
            resourceVersion = version
            nextRequest = .watch(resourceVersion: version)
        } else {
            resourceVersion = nil
            nextRequest = .list(continue: nil)
        }
        return before.changes(to: after)
    }

    /// A LIST failed (transport error, 5xx, 410 on an expired continue token, 400 bad continue...).
    /// The list restarts from its first page after the returned delay.
    public mutating func listFailed(using generator: inout some RandomNumberGenerator) -> Duration {
        listed = [:]
        nextRequest = .list(continue: nil)
        return backoff.next(using: &generator)
    }

    /// What a watch event means for the driver.
    public enum WatchOutcome: Sendable, Hashable {
        /// Emit these changes (maybe none) and keep reading.
        case changes([ObjectChange])
        /// The resourceVersion is too old (410): stop this watch and relist now.
        case relist
        /// The server reported another error: stop this watch and retry after the delay.
        case retry(after: Duration)
    }

    /// A watch event arrived.
    public mutating func receive(
        _ input: WatchInput, using generator: inout some RandomNumberGenerator
    ) -> WatchOutcome {
        switch input {
        case .bookmark(let version):
            advance(to: version)
            backoff.reset()
            return .changes([])
        case .error(let status):
            if status.isExpired {
                resourceVersion = nil
                nextRequest = .list(continue: nil)
                return .relist
            }
            return .retry(after: backoff.next(using: &generator))
        case .upsert(let item):
            advance(to: item.resourceVersion)
            backoff.reset()
            guard case .valid(let object, _, _) = item, object.kind == kind else { return .changes([]) }
            if known[object.key] == object { return .changes([]) }
            known[object.key] = object
            return .changes([.upsert(object)])
        case .delete(let item):
            advance(to: item.resourceVersion)
            backoff.reset()
            guard let key = item.key, let previous = known.removeValue(forKey: key) else { return .changes([]) }
            return .changes([.delete(previous)])
        }
    }

    /// The watch response itself failed: HTTP 410 relists at once, anything else resumes from the last
    /// resourceVersion after the returned delay.
    public mutating func watchRejected(
        status: APIStatus, using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        if status.isExpired {
            resourceVersion = nil
            nextRequest = .list(continue: nil)
            return nil
        }
        return backoff.next(using: &generator)
    }

    /// The watch body ended. A clean end (the server's timeoutSeconds) resumes at once; a dropped
    /// connection resumes from the last seen resourceVersion after the returned delay.
    public mutating func watchEnded(
        cleanly: Bool, using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        cleanly ? nil : backoff.next(using: &generator)
    }

    /// The watch lost an event it could not read (a line longer than the watch line limit): relist after the
    /// returned delay, so that the lost change is not missed (backoff: a server that keeps sending it cannot make
    /// the proxy spin).
    public mutating func eventLost(using generator: inout some RandomNumberGenerator) -> Duration {
        resourceVersion = nil
        nextRequest = .list(continue: nil)
        return backoff.next(using: &generator)
    }

    private mutating func advance(to version: String?) {
        guard let version, !version.isEmpty else { return }
        resourceVersion = version
        nextRequest = .watch(resourceVersion: version)
    }
}
