import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Drives a ``ListWatchState`` over HTTP for one resource and emits its changes.
///
/// Bodies are decoded and validated on `threadPool` (a LIST page holds up to 500 objects, a watch event can be an
/// EndpointSlice of a thousand endpoints), one job per page or per received chunk of watch lines; the watcher's
/// task only waits for the network and the pool and runs the state machine. Every wait is on `clock`: the backoff
/// (``Backoff``, client-go's), a server's `Retry-After` (the longer of the two), the client-side rate limit.
struct ResourceWatcher: Sendable {
    let transport: APITransport
    let threadPool: NIOThreadPool
    let connection: ClusterConnection
    let routing: HTTPRouting
    let options: APIServerSource.Options
    /// Shared by all resources' requests, as client-go's one client is.
    let limiter: RequestRateLimiter<SourceClockAdapter>
    let logger: Logger
    let deliver: @Sendable (SourceEvent) -> Void
    let gate: SyncGate
    let metrics: APIClientMetrics
    var clock: any SourceClock { options.clock }

    /// When the next request goes, as one request's handling decided.
    struct Step: Sendable {
        var retry: ListWatchState.Retry
        /// The server's `Retry-After`, if it gave one.
        var retryAfter: Duration? = nil
    }

    /// What one resource's loop carries from request to request.
    struct Loop {
        /// `metadata.name=NODE`, or nil: sent with every list and watch.
        var fieldSelector: String?
        /// Whether this resource's first list holds back ``SourceEvent/synced``.
        var gated: Bool
        var state: ListWatchState
        var health: ConnectionHealth
        var logger: Logger
        var reportedSynced = false
        /// The first list's ``APIObjectCacheSession`` (its cache read on the pool meanwhile) until the list is
        /// complete; nil without a cache, and after.
        var cache: Task<APIObjectCacheSession, Never>?
        /// The writing of the cache once the first list is complete; awaited before the loop returns.
        var cacheWrite: Task<Void, Never>?
    }

    /// Lists and watches until the task is cancelled. `fieldSelector` narrows both (`metadata.name=NODE`); a
    /// resource that is not `gated` does not hold back ``SourceEvent/synced``.
    func run<Resource: KubeResource>(_ type: Resource.Type, fieldSelector: String? = nil, gated: Bool = true) async {
        var logger = self.logger
        logger[metadataKey: "resource"] = "\(Resource.kind.resource)"
        var loop = Loop(
            fieldSelector: fieldSelector, gated: gated,
            state: ListWatchState(kind: Resource.kind, watchList: options.watchList),
            health: ConnectionHealth(resource: Resource.kind.resource, metrics: metrics), logger: logger)
        if gated, let path = cachePath(Resource.kind) {
            loop.cache = Task { await loadCache(from: path, logger) }
        }
        defer { loop.cache?.cancel() }
        var backoff = options.backoff
        var generator = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let step: Step?
            switch loop.state.nextRequest {
            case .list(let token):
                step = await listPage(Resource.self, continue: token, &loop)
            case .watch(let version):
                step = await watch(Resource.self, from: version, streaming: false, &loop)
            case .watchList(let version):
                step = await watch(Resource.self, from: version, streaming: true, &loop)
            }
            guard let step else { break }
            await reportSynced(&loop)
            var delay = Duration.zero
            if step.retry == .backoff { delay = backoff.next(at: clock.now, using: &generator) }
            if let after = step.retryAfter { delay = max(delay, after) }
            guard delay > .zero else { continue }
            loop.logger.debug(
                "retrying",
                metadata: ["delay": "\(delay)", "failures": "\(backoff.failures)", "next": "\(loop.state.nextRequest)"])
            do { try await clock.sleep(for: delay) } catch { break }
        }
        await loop.cacheWrite?.value
    }

    func reportSynced(_ loop: inout Loop) async {
        guard loop.gated, loop.state.hasSynced, !loop.reportedSynced else { return }
        loop.reportedSynced = true
        if await gate.markSynced() { deliver(.synced) }
        if let cache = loop.cache, let path = cachePath(loop.state.kind) {
            loop.cache = nil
            let logger = loop.logger
            loop.cacheWrite = Task { await writeCache(await cache.value, to: path, logger) }
        }
    }

    func emit(_ changes: [ObjectChange]) {
        for change in changes { deliver(.change(change)) }
    }

    /// The requests' common part (token, headers, rate limit, counting), shared with the event recorder.
    var requester: APIRequester {
        APIRequester(
            transport: transport, threadPool: threadPool, connection: connection, routing: routing, limiter: limiter,
            metrics: metrics)
    }

    /// A GET with the current token, after the client-side rate limit lets it go (``APIRequester``).
    func get(_ path: String, _ query: [(String, String)], timeout: Duration) async throws -> APIResponse {
        try await requester.send(.GET, path, query, timeout: timeout)
    }

    /// The failure status of a non-200 response: its Status body, or one made from the HTTP code.
    func failureStatus(_ response: APIResponse) async -> APIStatus {
        if let body = try? await response.body.collect(upTo: 1 << 20),
            let status = try? await threadPool.runIfActive({
                try JSONDecoder().decode(APIStatus.self, from: Data(body.readableBytesView))
            }),
            status.code != nil
        {
            return status
        }
        return APIStatus(message: response.status.reasonPhrase, code: Int(response.status.code))
    }

    func listPage<Resource: KubeResource>(
        _ type: Resource.Type, continue token: String?, _ loop: inout Loop
    ) async -> Step? {
        var query: [(String, String)] = []
        if let token {
            query = [("limit", String(options.pageSize)), ("continue", token)]
        } else {
            let list = loop.state.listOptions
            if list.paginated { query.append(("limit", String(options.pageSize))) }
            if !list.resourceVersion.isEmpty { query.append(("resourceVersion", list.resourceVersion)) }
            if loop.state.hasSynced { metrics.relisted(Resource.kind.resource) }
        }
        if let fieldSelector = loop.fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        do {
            let response = try await get(Resource.collectionPath, query, timeout: .seconds(60))
            guard response.status.code == 200 else {
                let status = await failureStatus(response)
                let retry = loop.state.listFailed(status: status)
                if retry == .backoff {
                    loop.health.failed(at: clock.now, ["status": "\(status)"], "list refused", loop.logger)
                } else {
                    loop.logger.info(
                        "list refused; listing again at once", metadata: ["status": "\(status)", "query": "\(query)"])
                }
                return Step(retry: retry, retryAfter: response.retryAfter)
            }
            let body = try await response.body.collect(upTo: options.maximumListBytes)
            let cache = await loop.cache?.value
            let (items, metadata) = try await threadPool.runIfActive {
                try DecodedItem.page(Array(body.readableBytesView), Resource.self, cache: cache)
            }
            loop.health.succeeded(at: clock.now, loop.logger)
            report(items, loop.logger)
            emit(loop.state.receivePage(items, metadata: metadata))
            if metadata.continue?.isEmpty ?? true, loop.state.listEndedWithoutVersion {
                loop.logger.warning("list without a resourceVersion; listing again after a delay")
                return Step(retry: .backoff)
            }
            return Step(retry: .now)
        } catch {
            if Task.isCancelled { return nil }
            loop.health.failed(at: clock.now, failureMetadata(error), "list failed", loop.logger)
            return Step(retry: loop.state.listFailed(status: nil))
        }
    }

    /// The error and, for a TLS failure, which setting to check.
    func failureMetadata(_ error: any Error) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error": "\(error)"]
        if let hint = TLSFailureHint.hint(for: error, connection: connection) { metadata["hint"] = "\(hint)" }
        return metadata
    }

    func report(_ items: [DecodedItem], _ logger: Logger) {
        for item in items {
            switch item {
            case .valid(_, let warnings, _):
                for warning in warnings { logger.warning("\(warning)") }
            case .invalid(_, let error, _):
                logger.error("rejected (keeping its last valid version, if any): \(error)")
            }
        }
    }
}
