/// The list-then-watch state machine for one resource (Services, EndpointSlices, Nodes), with no I/O and no clock:
/// client-go's reflector, decision by decision.
///
/// The driver (``ResourceWatcher``) asks ``nextRequest`` what to do (and ``listOptions`` for a list's first page),
/// performs it, and feeds back what happened. Every method says what to emit and whether to go on at once or after
/// the next backoff delay (``Retry``); the delays themselves are the driver's (``Backoff``). The state keeps the
/// objects it has delivered (``known``) so that a relist yields only the difference, never a reset. An object that
/// fails validation does not replace its last valid version; an invalid object never seen before is not delivered.
///
/// As client-go: the first list asks `resourceVersion=0` (the watch cache) in pages; a relist asks the last seen
/// resourceVersion without `limit` (the watch cache, unless the first list came back in pages: the cache is then off
/// and pages are kept); a list refused as expired (410) or as too new goes at once to a consistent read
/// (`resourceVersion` unset, in pages); a continue token that expired mid-list gets one full list at the list's
/// resourceVersion. With ``useWatchList`` the (re)list is a streaming list (``Request/watchList(resourceVersion:)``),
/// complete at the BOOKMARK annotated `k8s.io/initial-events-end`; a server that does not stream lists is then
/// listed instead, for the rest of the run.
public struct ListWatchState: Sendable {
    /// What the driver should do next.
    public enum Request: Sendable, Hashable {
        /// LIST a page (`continue` token for pages after the first; the first page's query is ``listOptions``).
        case list(continue: String?)
        /// WATCH from this resourceVersion.
        case watch(resourceVersion: String)
        /// A streaming list: WATCH with `sendInitialEvents=true`, `resourceVersionMatch=NotOlderThan`, from this
        /// resourceVersion ("": the most recent, a consistent read). It turns into the watch once complete.
        case watchList(resourceVersion: String)
    }

    /// The query of a list's first page.
    public struct ListOptions: Sendable, Hashable {
        /// `resourceVersion`: "0" (any, the watch cache), a version (not older than), or "" (unset: consistent).
        public var resourceVersion: String
        /// Whether `limit` (the page size) is sent.
        public var paginated: Bool
    }

    /// When to make the next request.
    public enum Retry: Sendable, Hashable {
        /// At once.
        case now
        /// After the next backoff delay.
        case backoff
    }

    /// What a watch event means for the driver.
    public enum WatchOutcome: Sendable, Hashable {
        /// Emit these changes (maybe none) and keep reading.
        case changes([ObjectChange])
        /// The resourceVersion is too old (410): stop this watch and relist after the backoff delay.
        case relist
        /// The server reported another error: stop this watch and resume after the backoff delay.
        case retry
        /// The streaming list cannot be used (or must start over at the most recent version): stop and go on at once
        /// with ``nextRequest``.
        case restart
    }

    /// The resource.
    public let kind: ObjectKind
    /// The objects delivered so far (their last valid versions).
    public private(set) var known: [ObjectKey: KubeObject] = [:]
    /// The resourceVersion to resume the watch from; nil while a (re)list is needed or under way.
    public private(set) var resourceVersion: String?
    /// The last resourceVersion seen (of a complete list or an event): where a relist reads from.
    public private(set) var lastSyncResourceVersion: String?
    /// True once the last list at ``lastSyncResourceVersion`` was refused as expired: lists read consistently.
    public private(set) var lastSyncResourceVersionUnavailable = false
    /// True once a `resourceVersion=0` list came back in pages (no watch cache): relists keep their pages.
    public private(set) var paginatedResult = false
    /// Whether (re)lists are streamed (watch-list); turned off for good when the server does not stream them.
    public private(set) var useWatchList: Bool
    /// True once the first complete list has been delivered.
    public private(set) var hasSynced = false
    /// True when the last complete list had no resourceVersion (nothing to watch from: relist after a delay).
    public private(set) var listEndedWithoutVersion = false
    /// What to do next.
    public private(set) var nextRequest: Request

    private var listed: [ObjectKey: KubeObject] = [:]
    private var pages = 0
    private var fullListPending = false

    /// Creates the state: the first request is a LIST (or, with `watchList`, a streaming list).
    public init(kind: ObjectKind, watchList: Bool = false) {
        self.kind = kind
        self.useWatchList = watchList
        self.nextRequest = watchList ? .watchList(resourceVersion: "") : .list(continue: nil)
    }

    /// The query of the next list's first page.
    public var listOptions: ListOptions {
        let version = lastSyncResourceVersionUnavailable ? "" : (lastSyncResourceVersion ?? "0")
        let paginated = !fullListPending && (paginatedResult || version == "" || version == "0")
        return ListOptions(resourceVersion: version, paginated: paginated)
    }

    /// True while a streaming list's initial events are being read.
    public var isStreamingList: Bool {
        if case .watchList = nextRequest { true } else { false }
    }

    /// A LIST page arrived. Returns the changes to emit: until the first list is complete, each page's new and
    /// changed objects as it arrives (``deliverAhead(_:)``); after the last page, the diff from ``known`` (with
    /// every deletion: only a whole list tells what is gone).
    public mutating func receivePage(_ items: [DecodedItem], metadata: ListMeta) -> [ObjectChange] {
        if case .list(continue: nil) = nextRequest {
            listed = [:]
            pages = 0
        }
        pages += 1
        collect(items)
        let ahead = deliverAhead(items)
        if let token = metadata.continue, !token.isEmpty {
            nextRequest = .list(continue: token)
            return ahead
        }
        if listOptions.resourceVersion == "0" && pages > 1 { paginatedResult = true }
        fullListPending = false
        return ahead + complete(at: metadata.resourceVersion)
    }

    /// Before the first complete list, the valid objects of a page (or of a streaming list's event) that are new or
    /// changed since delivered, marked delivered: the proxy may program what they add while the rest is read, and
    /// the list's end then delivers only what differs from them (a deletion above all). Nothing is ever deleted
    /// ahead: an object is gone only when a whole list says so. A relist keeps its single diff at the end (its
    /// upserts are few, and its deletions must come with them).
    private mutating func deliverAhead(_ items: [DecodedItem]) -> [ObjectChange] {
        guard !hasSynced else { return [] }
        var changes: [ObjectChange] = []
        for case .valid(let object, _, _) in items where object.kind == kind && known[object.key] != object {
            known[object.key] = object
            changes.append(.upsert(object))
        }
        return changes
    }

    /// A LIST failed: `status` is the server's answer (nil for a transport error or an unreadable body). The list
    /// restarts from its first page: at once after an expiry (a full list for an expired continue token, then a
    /// consistent read), after the backoff delay otherwise.
    public mutating func listFailed(status: APIStatus?) -> Retry {
        let onContinuePage = if case .list(continue: .some) = nextRequest { true } else { false }
        let requested = listOptions.resourceVersion
        listed = [:]
        nextRequest = .list(continue: nil)
        if let status, status.isExpired || status.isResourceVersionTooLarge {
            if onContinuePage && status.isExpired && !fullListPending {
                fullListPending = true
                return .now
            }
            fullListPending = false
            if requested != "" {
                lastSyncResourceVersionUnavailable = true
                return .now
            }
        }
        fullListPending = false
        return .backoff
    }

    /// A watch event arrived.
    public mutating func receive(_ input: WatchInput) -> WatchOutcome {
        if isStreamingList { return receiveInitial(input) }
        switch input {
        case .bookmark(let version), .initialEventsEnd(let version):
            advance(to: version)
            return .changes([])
        case .error(let status):
            guard status.isExpired else { return .retry }
            relist()
            return .relist
        case .upsert(let item):
            advance(to: item.resourceVersion)
            guard case .valid(let object, _, _) = item, object.kind == kind else { return .changes([]) }
            if known[object.key] == object { return .changes([]) }
            known[object.key] = object
            return .changes([.upsert(object)])
        case .delete(let item):
            advance(to: item.resourceVersion)
            guard let key = item.key, let previous = known.removeValue(forKey: key) else { return .changes([]) }
            return .changes([.delete(previous)])
        }
    }

    /// The watch (or streaming list) request itself was refused with `status`.
    public mutating func watchRejected(status: APIStatus) -> Retry {
        let expired = status.isExpired || status.isResourceVersionTooLarge
        if isStreamingList {
            if expired {
                lastSyncResourceVersionUnavailable = true
                nextRequest = .watchList(resourceVersion: "")
                return .now
            }
            // A server that does not know watch-list refuses the request as invalid: list instead.
            if let code = status.code, [400, 404, 405, 406, 415, 422, 501].contains(code) {
                fallBackToList()
                return .now
            }
            return .backoff
        }
        if expired { relist() }
        return .backoff
    }

    /// The watch body ended (the server's `timeoutSeconds`, a load balancer closing an idle connection, a
    /// connection lost mid-stream) after `lasted`. As client-go: resume at once, unless it ended within a second
    /// without a single event (then after the backoff delay, so a proxy that closes every watch cannot make it spin).
    /// A streaming list that ends at once and empty is tried again after the delay; one that ends otherwise before its
    /// end marker is from a server that does not stream lists: it is listed instead.
    public mutating func watchEnded(receivedEvents: Bool, lasted: Duration) -> Retry {
        let short = !receivedEvents && lasted < .seconds(1)
        if isStreamingList && !short {
            // No end marker (a real server sends it at once, even for no objects): the server streams a plain watch.
            fallBackToList()
            return .now
        }
        return short ? .backoff : .now
    }

    /// A watch line was not a watch event (cut, garbled, an unknown type): as client-go, the watch ends and resumes
    /// from the last good resourceVersion after the backoff delay, so the server sends that change again.
    public mutating func malformedEvent() -> Retry {
        .backoff
    }

    /// The watch lost an event it could not read (a line longer than the watch line limit): relist after the
    /// backoff delay, so that the lost change is not missed.
    public mutating func eventLost() -> Retry {
        relist()
        return .backoff
    }

    private mutating func receiveInitial(_ input: WatchInput) -> WatchOutcome {
        switch input {
        case .upsert(let item):
            collect([item])
            return .changes(deliverAhead([item]))
        case .initialEventsEnd(let version):
            lastSyncResourceVersionUnavailable = false
            return .changes(complete(at: version))
        case .error(let status):
            switch watchRejected(status: status) {
            case .now: return .restart
            case .backoff: return .retry
            }
        case .bookmark, .delete:
            // Not part of a list: the server ignored sendInitialEvents.
            fallBackToList()
            return .restart
        }
    }

    private mutating func collect(_ items: [DecodedItem]) {
        for item in items {
            switch item {
            case .valid(let object, _, _):
                listed[object.key] = object
            case .invalid(let key, _, _):
                if let key, let previous = known[key] { listed[key] = previous }
            }
        }
    }

    /// Ends a (streamed) list: the diff from what was delivered.
    private mutating func complete(at version: String?) -> [ObjectChange] {
        let changes = ObjectSnapshot.changes(from: known, to: listed)
        known = listed
        listed = [:]
        hasSynced = true
        lastSyncResourceVersionUnavailable = false
        if let version, !version.isEmpty {
            listEndedWithoutVersion = false
            resourceVersion = version
            lastSyncResourceVersion = version
            nextRequest = .watch(resourceVersion: version)
        } else {
            listEndedWithoutVersion = true
            relist()
        }
        return changes
    }

    private mutating func relist() {
        resourceVersion = nil
        listed = [:]
        nextRequest =
            useWatchList
            ? .watchList(resourceVersion: lastSyncResourceVersionUnavailable ? "" : (lastSyncResourceVersion ?? ""))
            : .list(continue: nil)
    }

    private mutating func fallBackToList() {
        useWatchList = false
        relist()
    }

    private mutating func advance(to version: String?) {
        guard let version, !version.isEmpty else { return }
        resourceVersion = version
        lastSyncResourceVersion = version
        nextRequest = .watch(resourceVersion: version)
    }
}
