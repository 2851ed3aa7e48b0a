import Synchronization

/// The objects of one resource as an API server listed them, decoded and validated, kept across restarts so that a
/// restart that lists them again takes each object it already holds instead of decoding it again.
///
/// Keyed by `metadata.uid` and exactly `metadata.resourceVersion`: the server gives every write of an object a new
/// resourceVersion, and a uid is never given to two objects, so an object taken from the cache is the one the server
/// sent, whatever cluster, name or time stamp. Only objects that passed validation with nothing to report are kept:
/// any other is decoded again at each start, so its errors and warnings are logged again. The file's frame
/// (``CacheFile``) binds it to the program that wrote it and seals it.
public struct APIObjectCache: Sendable {
    /// The cache format; a change to it, or to what a validated object holds, is a new version.
    static let formatVersion = 1
    static let file = CacheFile(magic: "ipvs-proxy API objects cache\n")

    private var entries: [String: KubeObject]

    /// A cache of these objects, by uid.
    public init(entries: [String: KubeObject]) { self.entries = entries }

    /// How many objects it holds.
    public var count: Int { entries.count }

    /// The object with this uid at exactly this resourceVersion, if held.
    func object(uid: String, resourceVersion: String) -> KubeObject? {
        guard let object = entries[uid], object.resourceVersion == resourceVersion else { return nil }
        return object
    }

    /// What binds a cache to the program that wrote it (``CacheFile/producer(program:format:executable:)``); each
    /// resource has a file of its own.
    public static func producer(program: String, executable: String = "/proc/self/exe") -> String {
        CacheFile.producer(program: program, format: formatVersion, executable: executable)
    }

    /// The cache file's bytes for these objects, by uid.
    static func encode(_ objects: [String: KubeObject], producer: String) -> [UInt8] {
        file.seal(producer: producer) { body in
            body.count(objects.count)
            for (uid, object) in objects {
                body.string(uid)
                object.write(to: &body)
            }
        }
    }

    /// Reads a cache file's bytes; `names` is the table the endpoints' names are shared through.
    static func decode(
        _ bytes: [UInt8], producer: String, names: NameTable = .shared
    ) throws(CacheFile.Unusable) -> APIObjectCache {
        try file.decode(bytes, producer: producer) { (reader) throws(CacheReader.Malformed) in
            try read(from: &reader, names: names)
        }
    }

    private static func read(from reader: inout CacheReader, names: NameTable) throws(CacheReader.Malformed)
        -> APIObjectCache
    {
        let count = try reader.count(itemBytes: 6)
        var entries: [String: KubeObject] = [:]
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let uid = try reader.string()
            entries[uid] = try KubeObject.read(from: &reader, names: names)
        }
        return APIObjectCache(entries: entries)
    }

    /// The cache at `path` if it can be used: nil when there is none, or it was written by another program or is
    /// damaged (then `unusable` says why, for a log line; the objects are then decoded, and the cache written anew).
    public static func load(
        from path: String, producer: String, names: NameTable = .shared
    ) -> (cache: APIObjectCache?, unusable: String?) {
        let (cache, unusable) = file.load(from: path, producer: producer) { (reader) throws(CacheReader.Malformed) in
            try read(from: &reader, names: names)
        }
        return (cache, unusable)
    }

    /// Writes a cache of these objects to `path` (``CacheFile/write(_:to:)``). Throws naming the file.
    public static func save(_ objects: [String: KubeObject], producer: String, to path: String) throws(CacheError)
        -> Int
    {
        try CacheFile.write(encode(objects, producer: producer), to: path)
    }
}

/// One resource's first list against its ``APIObjectCache``: the decoding jobs take the objects it holds and record
/// every object that loaded clean, for the cache written once the list is complete. Its parts are read and written
/// by the thread pool's jobs, one at a time, under a lock.
public final class APIObjectCacheSession: Sendable {
    private struct State {
        var loaded: APIObjectCache?
        var recorded: [String: KubeObject] = [:]
        var taken = 0
        var decoded = 0
    }

    private let state: Mutex<State>

    /// A session taking objects from `loaded` (nil: none; every object is decoded and recorded).
    public init(loaded: APIObjectCache?) { state = Mutex(State(loaded: loaded)) }

    /// Whether there is anything to take: the outline of the JSON is worth finding only then.
    var canTake: Bool { state.withLock { ($0.loaded?.count ?? 0) > 0 } }

    /// The object the outline found, from the cache and recorded again, or nil when the cache does not hold it at
    /// that resourceVersion (or either is not known).
    func take(_ object: JSONOutline.Object) -> DecodedItem? {
        guard let uid = object.uid, let version = object.resourceVersion else { return nil }
        return state.withLock { state in
            guard let cached = state.loaded?.object(uid: uid, resourceVersion: version) else { return nil }
            state.recorded[uid] = cached
            state.taken += 1
            return .valid(cached, warnings: [], resourceVersion: version)
        }
    }

    /// Records a decoded object for the next cache when it loaded clean and has a uid.
    func record(_ item: DecodedItem, uid: String?) {
        guard let uid, case .valid(let object, let warnings, _) = item, warnings.isEmpty else { return }
        state.withLock { state in
            state.recorded[uid] = object
            state.decoded += 1
        }
    }

    /// What the list recorded for the next cache.
    public struct Outcome: Sendable {
        /// The objects that loaded clean, by uid.
        public var recorded: [String: KubeObject]
        /// How many were taken from the cache.
        public var taken: Int
        /// True when the cache read at start holds exactly the objects recorded (every one taken from it, none
        /// left over): it need not be written again.
        public var unchanged: Bool
    }

    /// The objects recorded, and how many were taken from the cache; the cache read at start is let go.
    public func finish() -> Outcome {
        state.withLock { state in
            defer { state = State(loaded: nil) }
            let unchanged = state.decoded == 0 && state.loaded?.count == state.recorded.count
            return Outcome(recorded: state.recorded, taken: state.taken, unchanged: unchanged)
        }
    }
}

extension KubeObject {
    /// The API server's resourceVersion of this revision (nil for manifests, and for Nodes).
    var resourceVersion: String? {
        switch self {
        case .service(let service): service.resourceVersion
        case .endpointSlice(let slice): slice.resourceVersion
        case .node: nil
        }
    }
}
