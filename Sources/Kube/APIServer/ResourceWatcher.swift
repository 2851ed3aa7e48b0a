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
/// task only waits for the network and the pool and runs the state machine.
struct ResourceWatcher: Sendable {
    let transport: APITransport
    let threadPool: NIOThreadPool
    let connection: ClusterConnection
    let routing: HTTPRouting
    let options: APIServerSource.Options
    /// Shared by both resources' requests, as client-go's one client is.
    let limiter: RequestRateLimiter<ContinuousClock>
    let logger: Logger
    let deliver: @Sendable (SourceEvent) -> Void
    let gate: SyncGate

    /// Lists and watches until the task is cancelled. `fieldSelector` narrows both (`metadata.name=NODE`); a
    /// resource that is not `gated` does not hold back ``SourceEvent/synced``.
    func run<Resource: KubeResource>(_ type: Resource.Type, fieldSelector: String? = nil, gated: Bool = true) async {
        var state = ListWatchState(kind: Resource.kind, backoff: options.backoff)
        var generator = SystemRandomNumberGenerator()
        var reportedSynced = false
        var logger = self.logger
        logger[metadataKey: "resource"] = "\(Resource.kind.resource)"
        while !Task.isCancelled {
            let delay: Duration?
            switch state.nextRequest {
            case .list(let token):
                delay = await listPage(
                    Resource.self, continue: token, fieldSelector: fieldSelector, state: &state,
                    generator: &generator, logger)
                if gated && state.hasSynced && !reportedSynced {
                    reportedSynced = true
                    if await gate.markSynced() { deliver(.synced) }
                }
            case .watch(let version):
                delay = await watch(
                    Resource.self, from: version, fieldSelector: fieldSelector, state: &state, generator: &generator,
                    logger)
            }
            if let delay {
                logger.debug("retrying", metadata: ["delay": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    func emit(_ changes: [ObjectChange]) {
        for change in changes { deliver(.change(change)) }
    }

    /// A GET with the current token (a token file is re-read for each request, on the thread pool), after the
    /// client-side rate limit lets it go.
    func get(
        _ path: String, _ query: [(String, String)], timeout: Duration
    ) async throws -> (status: HTTPResponseStatus, body: APIBody) {
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        var headers = HTTPHeaders()
        if let host = routing.hostHeader { headers.add(name: "Host", value: host) }
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "ipvs-proxy")
        let connection = self.connection
        if let token = try await threadPool.runIfActive({ connection.currentToken() }) {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        try await limiter.wait()
        return try await transport.get(path + query, headers: headers, timeout: timeout)
    }

    /// The failure status of a non-200 response: its Status body, or one made from the HTTP code.
    func failureStatus(_ response: (status: HTTPResponseStatus, body: APIBody)) async -> APIStatus {
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
        _ type: Resource.Type, continue token: String?, fieldSelector: String?, state: inout ListWatchState,
        generator: inout SystemRandomNumberGenerator, _ logger: Logger
    ) async -> Duration? {
        var query = [("limit", String(options.pageSize))]
        if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        if let token { query.append(("continue", token)) }
        do {
            let response = try await get(Resource.collectionPath, query, timeout: .seconds(60))
            guard response.status.code == 200 else {
                let status = await failureStatus(response)
                let delay = state.listFailed(using: &generator)
                logger.warning("list failed; relisting from the first page", metadata: ["status": "\(status)"])
                return delay
            }
            let body = try await response.body.collect(upTo: options.maximumListBytes)
            let (items, metadata) = try await threadPool.runIfActive {
                let page = try JSONDecoder().decode(ObjectList<Resource>.self, from: Data(body.readableBytesView))
                return (page.items.map(DecodedItem.from), page.metadata)
            }
            report(items, logger)
            emit(state.receivePage(items, metadata: metadata))
            return nil
        } catch {
            if Task.isCancelled { return nil }
            let delay = state.listFailed(using: &generator)
            logger.warning("list failed", metadata: failureMetadata(error))
            return delay
        }
    }

    func watch<Resource: KubeResource>(
        _ type: Resource.Type, from version: String, fieldSelector: String?, state: inout ListWatchState,
        generator: inout SystemRandomNumberGenerator, _ logger: Logger
    ) async -> Duration? {
        let timeout = Int.random(in: options.watchTimeoutSeconds, using: &generator)
        var query = [
            ("watch", "true"), ("resourceVersion", version), ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", String(timeout)),
        ]
        if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        var buffer = WatchLineBuffer(maximumLineLength: options.maximumWatchLineBytes)
        var receivedAny = false
        do {
            let response = try await get(Resource.collectionPath, query, timeout: .seconds(timeout + 60))
            guard response.status.code == 200 else {
                let status = await failureStatus(response)
                logger.warning("watch refused", metadata: ["status": "\(status)"])
                return state.watchRejected(status: status, using: &generator)
            }
            for try await chunk in response.body {
                let output = buffer.append(chunk.readableBytesView)
                receivedAny = receivedAny || !output.lines.isEmpty
                for line in try await decode(output.lines, Resource.self) {
                    if let outcome = handle(line, state: &state, generator: &generator, logger) { return outcome }
                }
                if output.overflows > 0 {
                    logger.error(
                        "watch event over the line limit (a line that never ends?); relisting so no change is missed",
                        metadata: ["limit": "\(buffer.maximumLineLength)"])
                    return state.eventLost(using: &generator)
                }
            }
            if let rest = buffer.finish() {
                for line in try await decode([rest], Resource.self) {
                    if let outcome = handle(line, state: &state, generator: &generator, logger) { return outcome }
                }
            }
            // A watch the server ends without sending anything is not trusted as a clean end: retrying it
            // at once could spin (a misbehaving proxy closing every watch), so it backs off.
            return state.watchEnded(cleanly: receivedAny, using: &generator)
        } catch {
            if Task.isCancelled { return nil }
            var metadata = failureMetadata(error)
            metadata["resourceVersion"] = "\(state.resourceVersion ?? "")"
            logger.info("watch connection lost; resuming", metadata: metadata)
            return state.watchEnded(cleanly: false, using: &generator)
        }
    }

    /// One watch line, decoded and validated.
    enum WatchLine: Sendable {
        /// An event.
        case input(WatchInput)
        /// Not a watch event: the start of the line and the decoding error.
        case malformed(preview: String, error: String)
    }

    /// Decodes and validates watch lines on the thread pool, in one job.
    func decode<Resource: KubeResource>(_ lines: [[UInt8]], _ type: Resource.Type) async throws -> [WatchLine] {
        try await threadPool.runIfActive {
            lines.map { line in
                do {
                    let event = try JSONDecoder().decode(WatchEvent<Resource>.self, from: Data(line))
                    return .input(.from(event, bytes: line.count))
                } catch {
                    return .malformed(preview: String(decoding: line.prefix(120), as: UTF8.self), error: "\(error)")
                }
            }
        }
    }

    /// Applies one line; returns the delay (or nil for "at once") when the watch must stop.
    func handle(
        _ line: WatchLine, state: inout ListWatchState, generator: inout SystemRandomNumberGenerator, _ logger: Logger
    ) -> Duration?? {
        let input: WatchInput
        switch line {
        case .input(let decoded):
            input = decoded
        case .malformed(let preview, let error):
            logger.error("malformed watch event skipped", metadata: ["line": "\(preview)", "error": "\(error)"])
            return nil
        }
        switch input {
        case .upsert(let item), .delete(let item): report([item], logger)
        case .bookmark, .error: break
        }
        switch state.receive(input, using: &generator) {
        case .changes(let changes):
            emit(changes)
            return nil
        case .relist:
            logger.info("resourceVersion expired (410); relisting")
            return .some(nil)
        case .retry(let delay):
            if case .error(let status) = input { logger.warning("watch error", metadata: ["status": "\(status)"]) }
            return .some(delay)
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
