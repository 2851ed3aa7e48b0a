import Foundation
import Logging
import NIOCore

extension ResourceWatcher {
    /// One watch (or, `streaming`, a watch-list: a list streamed as ADDED events up to the BOOKMARK annotated
    /// `k8s.io/initial-events-end`, then the watch on the same connection). Returns when it ends, and when to go on.
    func watch<Resource: KubeResource>(
        _ type: Resource.Type, from version: String, streaming: Bool, _ loop: inout Loop
    ) async -> Step? {
        var generator = SystemRandomNumberGenerator()
        let timeout = Int.random(in: options.watchTimeoutSeconds, using: &generator)
        var query = [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(timeout))]
        if streaming {
            query += [("sendInitialEvents", "true"), ("resourceVersionMatch", "NotOlderThan")]
            if !version.isEmpty { query.append(("resourceVersion", version)) }
            if loop.state.hasSynced { metrics.relisted(Resource.kind.resource) }
        } else {
            query.append(("resourceVersion", version))
        }
        if let fieldSelector = loop.fieldSelector { query.append(("fieldSelector", fieldSelector)) }
        var buffer = WatchLineBuffer(maximumLineLength: options.maximumWatchLineBytes)
        var receivedEvents = false
        var responded = false
        // Started before the request, as client-go does: some proxies send no headers until the first event.
        let start = clock.now
        do {
            let response = try await get(Resource.collectionPath, query, timeout: .seconds(timeout + 60))
            guard response.status.code == 200 else {
                let status = await failureStatus(response)
                let retry = loop.state.watchRejected(status: status)
                if status.isExpired {
                    loop.logger.info("resourceVersion expired (410); relisting", metadata: ["status": "\(status)"])
                } else if retry == .now {
                    loop.logger.info("the API server does not stream lists; listing", metadata: ["status": "\(status)"])
                } else {
                    loop.health.failed(at: clock.now, ["status": "\(status)"], "watch refused", loop.logger)
                }
                return Step(retry: retry, retryAfter: response.retryAfter)
            }
            responded = true
            loop.health.succeeded(at: clock.now, loop.logger)
            for try await chunk in response.body {
                let output = buffer.append(chunk.readableBytesView)
                let cache = await loop.cache?.value
                for line in try await decode(output.lines, Resource.self, cache: cache) {
                    receivedEvents = true
                    if let step = handle(line, &loop) { return step }
                    await reportSynced(&loop)
                }
                if output.overflows > 0 {
                    loop.logger.error(
                        "watch event over the line limit (a line that never ends?); relisting so no change is missed",
                        metadata: ["limit": "\(buffer.maximumLineLength)"])
                    return Step(retry: loop.state.eventLost())
                }
            }
            if let rest = buffer.finish() {
                for line in try await decode([rest], Resource.self) {
                    receivedEvents = true
                    if let step = handle(line, &loop) { return step }
                }
            }
            return ended(receivedEvents: receivedEvents, since: start, &loop, nil)
        } catch {
            if Task.isCancelled { return nil }
            var metadata = failureMetadata(error)
            metadata["resourceVersion"] = "\(loop.state.resourceVersion ?? "")"
            guard responded else {
                loop.health.failed(at: clock.now, metadata, "watch failed", loop.logger)
                return Step(retry: .backoff)
            }
            // A connection lost mid-stream (a load balancer's idle close, a read timeout) is a watch that ended,
            // as client-go's stream watcher treats an unexpected EOF or a timeout.
            return ended(receivedEvents: receivedEvents, since: start, &loop, metadata)
        }
    }

    func ended(receivedEvents: Bool, since start: Duration, _ loop: inout Loop, _ error: Logger.Metadata?) -> Step {
        let lasted = clock.now - start
        let retry = loop.state.watchEnded(receivedEvents: receivedEvents, lasted: lasted)
        var metadata = error ?? [:]
        metadata["lasted"] = "\(lasted)"
        metadata["resourceVersion"] = "\(loop.state.resourceVersion ?? "")"
        switch retry {
        case .now: loop.logger.debug("watch ended; resuming at once", metadata: metadata)
        case .backoff: loop.logger.info("watch ended at once and empty; resuming after a delay", metadata: metadata)
        }
        return Step(retry: retry)
    }

    /// One watch line, decoded and validated.
    enum WatchLine: Sendable {
        /// An event.
        case input(WatchInput)
        /// Not a watch event: the start of the line and the decoding error.
        case malformed(preview: String, error: String)
    }

    /// Decodes and validates watch lines on the thread pool, in one job. The lines are decoded together, as one JSON
    /// array (a streamed list sends hundreds of events per read, and each document decoded on its own pays the
    /// decoder's setup again); when that fails, line by line, so that only a malformed line is reported as one.
    /// With a cache to take from (a streamed first list), an ADDED or MODIFIED event whose object the cache holds
    /// at its resourceVersion is taken from it instead (``JSONOutline``); objects that loaded clean are recorded.
    func decode<Resource: KubeResource>(
        _ lines: [[UInt8]], _ type: Resource.Type, cache: APIObjectCacheSession? = nil
    ) async throws -> [WatchLine] {
        try await threadPool.runIfActive {
            var taken: [WatchLine?] = Array(repeating: nil, count: lines.count)
            if let cache, cache.canTake {
                for (index, line) in lines.enumerated() where line.count <= ObjectSizeLimit.objectBytes {
                    guard let event = try? JSONOutline(line).event(), event.type == "ADDED" || event.type == "MODIFIED",
                        let object = event.object, let item = cache.take(object)
                    else { continue }
                    taken[index] = .input(.upsert(item))
                }
            }
            let rest = lines.indices.filter { taken[$0] == nil }
            var decoded = Self.decode(rest.map { lines[$0] }, type, cache: cache).makeIterator()
            return taken.map { line in line ?? decoded.next() ?? .malformed(preview: "", error: "not decoded") }
        }
    }

    /// Decodes watch lines, together when they all decode, else one by one.
    static func decode<Resource: KubeResource>(
        _ lines: [[UInt8]], _ type: Resource.Type, cache: APIObjectCacheSession?
    ) -> [WatchLine] {
        let decoder = JSONDecoder()
        if lines.count > 1, let events = try? decoder.decode([WatchEvent<Resource>].self, from: array(lines)),
            events.count == lines.count
        {
            return zip(events, lines).map { event, line in watchLine(event, line, decoder, cache) }
        }
        return lines.map { line in
            do {
                let event = try decoder.decode(WatchEvent<Resource>.self, from: Data(line))
                return watchLine(event, line, decoder, cache)
            } catch {
                return .malformed(preview: String(decoding: line.prefix(120), as: UTF8.self), error: "\(error)")
            }
        }
    }

    /// The lines as the elements of one JSON array.
    static func array(_ lines: [[UInt8]]) -> Data {
        var data = Data(capacity: lines.reduce(2) { $0 + $1.count + 1 })
        data.append(UInt8(ascii: "["))
        for (index, line) in lines.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(contentsOf: line)
        }
        data.append(UInt8(ascii: "]"))
        return data
    }

    /// A decoded event as input: a bookmark is read again for the end-of-initial-events annotation; an added or
    /// modified object is recorded for the cache.
    static func watchLine<Resource: KubeResource>(
        _ event: WatchEvent<Resource>, _ line: [UInt8], _ decoder: JSONDecoder, _ cache: APIObjectCacheSession? = nil
    ) -> WatchLine {
        switch event {
        case .bookmark(let version):
            if (try? decoder.decode(InitialEventsEndMarker.self, from: Data(line)))?.isSet == true {
                return .input(.initialEventsEnd(resourceVersion: version))
            }
        case .added(let resource), .modified(let resource):
            let input = WatchInput.from(event, bytes: line.count)
            if let cache, case .upsert(let item) = input { cache.record(item, uid: resource.metadata.uid) }
            return .input(input)
        case .deleted, .error:
            break
        }
        return .input(.from(event, bytes: line.count))
    }

    /// Applies one line; returns when to go on if the watch must stop.
    func handle(_ line: WatchLine, _ loop: inout Loop) -> Step? {
        let input: WatchInput
        switch line {
        case .input(let decoded):
            input = decoded
        case .malformed(let preview, let error):
            loop.logger.error(
                "malformed watch event; ending the watch to resume from the last good resourceVersion",
                metadata: [
                    "line": "\(preview)", "error": "\(error)",
                    "resourceVersion": "\(loop.state.resourceVersion ?? "")",
                ])
            return Step(retry: loop.state.malformedEvent())
        }
        switch input {
        case .upsert(let item), .delete(let item): report([item], loop.logger)
        case .bookmark, .initialEventsEnd, .error: break
        }
        switch loop.state.receive(input) {
        case .changes(let changes):
            emit(changes)
            return nil
        case .relist:
            loop.logger.info("resourceVersion expired (410); relisting after a delay")
            return Step(retry: .backoff)
        case .retry:
            if case .error(let status) = input { loop.logger.warning("watch error", metadata: ["status": "\(status)"]) }
            return Step(retry: .backoff)
        case .restart:
            loop.logger.info(
                "the streamed list cannot go on; starting over", metadata: ["next": "\(loop.state.nextRequest)"])
            return Step(retry: .now)
        }
    }
}
