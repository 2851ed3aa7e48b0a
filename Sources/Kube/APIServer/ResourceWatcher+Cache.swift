import Foundation
import Logging
import NIOCore

extension ResourceWatcher {
    /// The file of this resource's ``APIObjectCache``, when the source keeps one.
    func cachePath(_ kind: ObjectKind) -> String? {
        options.cacheDirectory.map { "\($0)/\(kind.resource)" }
    }

    /// Reads the cache on the pool; a session that takes nothing when there is none or it cannot be used (said in a
    /// log line: the objects are then decoded, and the cache written anew).
    func loadCache(from path: String, _ logger: Logger) async -> APIObjectCacheSession {
        let producer = options.cacheProducer
        let start = ContinuousClock.now
        let loaded = try? await threadPool.runIfActive { APIObjectCache.load(from: path, producer: producer) }
        if let unusable = loaded?.unusable {
            logger.info(
                "API objects cache not used: every object is decoded",
                metadata: ["file": "\(path)", "reason": "\(unusable)"])
        } else if let cache = loaded?.cache {
            logger.info(
                "API objects cache read",
                metadata: [
                    "file": "\(path)", "objects": "\(cache.count)", "seconds": "\(ContinuousClock.now - start)",
                ])
        }
        return APIObjectCacheSession(loaded: loaded?.cache)
    }

    /// Writes the objects the first list recorded, on the pool; logs when it cannot (the proxy runs on: the next
    /// start decodes every object).
    func writeCache(_ session: APIObjectCacheSession, to path: String, _ logger: Logger) async {
        let producer = options.cacheProducer
        let start = ContinuousClock.now
        let outcome = session.finish()
        guard !outcome.unchanged else {
            logger.info(
                "API objects cache unchanged: not written",
                metadata: ["file": "\(path)", "objectsReadFromCache": "\(outcome.taken)"])
            return
        }
        let (recorded, taken) = (outcome.recorded, outcome.taken)
        let written = try? await threadPool.runIfActive {
            Result { () throws(CacheError) in try APIObjectCache.save(recorded, producer: producer, to: path) }
        }
        switch written {
        case .success(let bytes):
            logger.info(
                "API objects cache written",
                metadata: [
                    "file": "\(path)", "objects": "\(recorded.count)", "bytes": "\(bytes)",
                    "objectsReadFromCache": "\(taken)", "seconds": "\(ContinuousClock.now - start)",
                ])
        case .failure(let error):
            logger.warning(
                "API objects cache not written: the next start decodes every object", metadata: ["error": "\(error)"])
        case nil:
            logger.warning("API objects cache not written: the thread pool stopped", metadata: ["file": "\(path)"])
        }
    }
}
