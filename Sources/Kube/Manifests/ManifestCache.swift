import Values

/// The objects of a manifests directory's files as they were decoded and validated, kept across restarts so that an
/// unchanged restart does not parse 10,000 files again. Keyed by each file's bytes (``ContentDigest``), not by its
/// name or time stamps: a file is served from the cache only when it holds exactly what its objects were decoded
/// from, so an edit, a `tar` that keeps time stamps, or a rename can never bring back stale objects; the file is
/// still read (and its digest taken), only not parsed.
///
/// Only files that loaded clean are kept (every document a Service, EndpointSlice or Node that passed validation,
/// with no endpoint dropped): a file with anything to report is parsed again at each start, so its errors and
/// warnings are logged again. The file's frame (``CacheFile``) binds it to the program that wrote it and seals it:
/// another build ignores it and writes its own, and a cut or damaged file is ignored whole.
public struct ManifestCache: Sendable {
    /// The cache format; a change to it, or to what a validated object holds, is a new version.
    static let formatVersion = 1
    static let file = CacheFile(magic: "ipvs-proxy manifests cache\n")

    /// Why a cache file's bytes were not used.
    typealias Unusable = CacheFile.Unusable

    private var entries: [ContentDigest: [KubeObject]]

    /// An empty cache.
    public init() { entries = [:] }

    /// A cache of these files' objects.
    init(entries: [ContentDigest: [KubeObject]]) { self.entries = entries }

    /// How many files' objects it holds.
    public var count: Int { entries.count }

    /// The digests of the files it holds.
    public var digests: Set<ContentDigest> { Set(entries.keys) }

    /// The objects of the file whose bytes have `digest`, if cached.
    public func objects(for digest: ContentDigest) -> [KubeObject]? { entries[digest] }

    /// What binds a cache to the program that wrote it (``CacheFile/producer(program:format:executable:)``).
    public static func producer(program: String, executable: String = "/proc/self/exe") -> String {
        CacheFile.producer(program: program, format: formatVersion, executable: executable)
    }

    /// The cache file's bytes for these files' objects.
    static func encode(
        _ files: some Sequence<(digest: ContentDigest, objects: [KubeObject])>, producer: String
    ) -> [UInt8] {
        // The count goes first: the files are taken once (a sequence may not be read twice).
        let files = Array(files)
        return file.seal(producer: producer) { body in
            body.count(files.count)
            for file in files {
                body.uint64(file.digest.high)
                body.uint64(file.digest.low)
                body.count(file.objects.count)
                for object in file.objects { object.write(to: &body) }
            }
        }
    }

    /// Reads a cache file's bytes; `names` is the table the endpoints' names are shared through.
    static func decode(_ bytes: [UInt8], producer: String, names: NameTable = .shared) throws(Unusable) -> ManifestCache
    {
        try file.decode(bytes, producer: producer) { (reader) throws(CacheReader.Malformed) in
            try read(from: &reader, names: names)
        }
    }

    private static func read(from reader: inout CacheReader, names: NameTable) throws(CacheReader.Malformed)
        -> ManifestCache
    {
        let count = try reader.count(itemBytes: 20)
        var entries: [ContentDigest: [KubeObject]] = [:]
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let digest = ContentDigest(high: try reader.uint64(), low: try reader.uint64())
            let objectCount = try reader.count(itemBytes: 2)
            var objects: [KubeObject] = []
            objects.reserveCapacity(objectCount)
            for _ in 0..<objectCount { objects.append(try KubeObject.read(from: &reader, names: names)) }
            entries[digest] = objects
        }
        return ManifestCache(entries: entries)
    }

    /// The cache at `path` if it can be used: nil when there is none, or it was written by another program or is
    /// damaged (then `unusable` says why, for a log line; the cache is rewritten after the scan).
    public static func load(
        from path: String, producer: String, names: NameTable = .shared
    ) -> (cache: ManifestCache?, unusable: String?) {
        let (cache, unusable) = file.load(from: path, producer: producer) { (reader) throws(CacheReader.Malformed) in
            try read(from: &reader, names: names)
        }
        return (cache, unusable)
    }

    /// Writes the cache of these files' objects to `path` (``CacheFile/write(_:to:)``). Throws naming the file.
    public static func save(
        _ files: some Sequence<(digest: ContentDigest, objects: [KubeObject])>, producer: String, to path: String
    ) throws(CacheError) -> Int {
        try CacheFile.write(encode(files, producer: producer), to: path)
    }
}
