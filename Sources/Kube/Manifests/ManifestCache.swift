import Foundation
import Values

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The objects of a manifests directory's files as they were decoded and validated, kept across restarts so that an
/// unchanged restart does not parse 10,000 files again. Keyed by each file's bytes (``ContentDigest``), not by its
/// name or time stamps: a file is served from the cache only when it holds exactly what its objects were decoded
/// from, so an edit, a `tar` that keeps time stamps, or a rename can never bring back stale objects; the file is
/// still read (and its digest taken), only not parsed.
///
/// Only files that loaded clean are kept (every document a Service, EndpointSlice or Node that passed validation,
/// with no endpoint dropped): a file with anything to report is parsed again at each start, so its errors and
/// warnings are logged again. The cache is bound to the program that wrote it (``producer``: its version, the
/// binary's identity, the format and the object size limit): another build, whose decoder or validation may differ,
/// ignores it and writes its own. A cut or damaged file is ignored whole (a digest of its bytes ends it).
public struct ManifestCache: Sendable {
    /// The cache format; a change to it, or to what a validated object holds, is a new version.
    static let formatVersion = 1
    static let magic: [UInt8] = Array("ipvs-proxy manifests cache\n".utf8)

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

    /// What binds a cache to the program that wrote it: `program` (its name and version), the running binary's
    /// identity (device, inode, size, modification time: a rebuilt or reinstalled binary is another program), the
    /// cache format and the object size limit.
    public static func producer(program: String, executable: String = "/proc/self/exe") -> String {
        let binary = FileSignature.of(executable).map {
            "\($0.device):\($0.inode):\($0.size):\($0.mtimeSeconds).\($0.mtimeNanoseconds)"
        }
        return "\(program); binary \(binary ?? "unknown"); format \(formatVersion); "
            + "object limit \(ObjectSizeLimit.objectBytes)"
    }

    /// The cache file's bytes for these files' objects.
    static func encode(
        _ files: some Sequence<(digest: ContentDigest, objects: [KubeObject])>, producer: String
    ) -> [UInt8] {
        var writer = CacheWriter(capacity: 1 << 20)
        for byte in magic { writer.byte(byte) }
        writer.string(producer)
        var count = 0
        var body = CacheWriter(capacity: 1 << 20)
        for file in files {
            count += 1
            body.uint64(file.digest.high)
            body.uint64(file.digest.low)
            body.count(file.objects.count)
            for object in file.objects { object.write(to: &body) }
        }
        writer.count(count)
        var bytes = writer.bytes + body.bytes
        let seal = ContentDigest(of: bytes)
        var trailer = CacheWriter()
        trailer.uint64(seal.high)
        trailer.uint64(seal.low)
        bytes += trailer.bytes
        return bytes
    }

    /// Why a cache file's bytes were not used.
    enum Unusable: Error, Equatable {
        /// Written by another program (or another build, or format, of this one).
        case otherProducer(String)
        /// Cut short or damaged.
        case damaged(offset: Int)
    }

    /// Reads a cache file's bytes; `names` is the table the endpoints' names are shared through.
    static func decode(_ bytes: [UInt8], producer: String, names: NameTable = .shared) throws(Unusable) -> ManifestCache
    {
        guard bytes.count >= magic.count + 16, bytes.starts(with: magic) else { throw .damaged(offset: 0) }
        let sealed = bytes.count - 16
        var trailer = CacheReader(bytes, from: sealed)
        guard let high = try? trailer.uint64(), let low = try? trailer.uint64(),
            ContentDigest(high: high, low: low) == ContentDigest(of: bytes[0..<sealed])
        else { throw .damaged(offset: sealed) }
        var reader = CacheReader(bytes, from: magic.count, end: sealed)
        let writtenBy: String
        do {
            writtenBy = try reader.string()
        } catch {
            throw .damaged(offset: error.offset)
        }
        guard writtenBy == producer else { throw .otherProducer(writtenBy) }
        do throws(CacheReader.Malformed) {
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
            guard reader.isAtEnd else { throw CacheReader.Malformed(offset: reader.offset) }
            return ManifestCache(entries: entries)
        } catch {
            throw .damaged(offset: error.offset)
        }
    }

    /// The cache at `path` if it can be used: nil when there is none, or it was written by another program or is
    /// damaged (then `unusable` says why, for a log line; the cache is rewritten after the scan).
    public static func load(
        from path: String, producer: String, names: NameTable = .shared
    ) -> (cache: ManifestCache?, unusable: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, nil) }
        do throws(Unusable) {
            return (try decode([UInt8](data), producer: producer, names: names), nil)
        } catch {
            switch error {
            case .otherProducer(let other): return (nil, "written by another build (\(other))")
            case .damaged(let offset): return (nil, "damaged at byte \(offset) of \(data.count)")
            }
        }
    }

    /// Writes the cache of these files' objects to `path` (its directory made, owner-only, when missing), through a
    /// file beside it renamed into place, so that a reader never sees half of it. Throws naming the file.
    public static func save(
        _ files: some Sequence<(digest: ContentDigest, objects: [KubeObject])>, producer: String, to path: String
    ) throws(ManifestError) -> Int {
        let bytes = encode(files, producer: producer)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).\(getpid()).tmp"
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            guard
                FileManager.default.createFile(
                    atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else {
                throw ManifestError(code: .cache, message: "cannot write \(temporary)", file: path)
            }
            guard rename(temporary, path) == 0 else {
                let reason = OSError.errno(errno).text
                unlink(temporary)
                throw ManifestError(
                    code: .cache, message: "cannot rename \(temporary) into place: \(reason)", file: path)
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(code: .cache, message: OSError.text(of: error), file: path, cause: error)
        }
        return bytes.count
    }
}
