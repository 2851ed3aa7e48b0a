import Foundation
import Values

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What went wrong with a cache file the sources keep across restarts.
public enum CacheErrorCode: String, ErrorCode {
    /// The file (or its directory) could not be written.
    case unwritable
}

/// A cache file that could not be written; its message reads `FILE: MESSAGE`. The proxy runs on without it.
public typealias CacheError = CodedError<CacheErrorCode>

/// The frame every cache of decoded objects is kept in (``ManifestCache``, ``APIObjectCache``): a magic line naming
/// the cache, the producer that binds it to the program that wrote it (its version, the binary's identity, the
/// format: another build, whose decoder or validation may differ, ignores it), the body, and a digest of all before
/// it, so that a cut or damaged file is refused whole, never half read.
struct CacheFile: Sendable {
    /// Why a cache file's bytes were not used.
    enum Unusable: Error, Equatable {
        /// Written by another program (or another build, or format, of this one).
        case otherProducer(String)
        /// Cut short or damaged.
        case damaged(offset: Int)
    }

    /// The first bytes of every file of this cache.
    let magic: [UInt8]

    init(magic: String) { self.magic = Array(magic.utf8) }

    /// What binds a cache to the program that wrote it: `program` (its name and version), the running binary's
    /// identity (device, inode, size, modification time: a rebuilt or reinstalled binary is another program), the
    /// cache format and the object size limit.
    static func producer(program: String, format: Int, executable: String = "/proc/self/exe") -> String {
        let binary = FileSignature.of(executable).map {
            "\($0.device):\($0.inode):\($0.size):\($0.mtimeSeconds).\($0.mtimeNanoseconds)"
        }
        return "\(program); binary \(binary ?? "unknown"); format \(format); "
            + "object limit \(ObjectSizeLimit.objectBytes)"
    }

    /// The file's bytes: the magic line, `producer`, what `body` writes after them, and the seal, in one buffer.
    func seal(producer: String, _ body: (inout CacheWriter) -> Void) -> [UInt8] {
        var writer = CacheWriter(capacity: 1 << 20)
        for byte in magic { writer.byte(byte) }
        writer.string(producer)
        body(&writer)
        let seal = ContentDigest(of: writer.bytes)
        writer.uint64(seal.high)
        writer.uint64(seal.low)
        return writer.bytes
    }

    /// A reader of the body of a file `producer` wrote, ending before the seal; throws when the file is damaged or
    /// another program's.
    func open(_ bytes: [UInt8], producer: String) throws(Unusable) -> CacheReader {
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
        return reader
    }

    /// Reads the file at `path` and its body with `read`: nil when there is none, or it was written by another
    /// program or is damaged (then `unusable` says why, for a log line).
    func load<Value>(
        from path: String, producer: String, _ read: (inout CacheReader) throws(CacheReader.Malformed) -> Value
    ) -> (value: Value?, unusable: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, nil) }
        do throws(Unusable) {
            return (try decode([UInt8](data), producer: producer, read), nil)
        } catch {
            switch error {
            case .otherProducer(let other): return (nil, "written by another build (\(other))")
            case .damaged(let offset): return (nil, "damaged at byte \(offset) of \(data.count)")
            }
        }
    }

    /// Opens `bytes` and reads its body whole with `read`.
    func decode<Value>(
        _ bytes: [UInt8], producer: String, _ read: (inout CacheReader) throws(CacheReader.Malformed) -> Value
    ) throws(Unusable) -> Value {
        var reader = try open(bytes, producer: producer)
        do throws(CacheReader.Malformed) {
            let value = try read(&reader)
            guard reader.isAtEnd else { throw CacheReader.Malformed(offset: reader.offset) }
            return value
        } catch {
            throw .damaged(offset: error.offset)
        }
    }

    /// Writes `bytes` to `path` (its directory made, owner-only, when missing) through a file beside it renamed into
    /// place, so that a reader never sees half of it. Returns the bytes written; throws naming the file.
    static func write(_ bytes: [UInt8], to path: String) throws(CacheError) -> Int {
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
                throw CacheError(.unwritable, "\(path): cannot write \(temporary)")
            }
            guard rename(temporary, path) == 0 else {
                let reason = OSError.errno(errno).text
                unlink(temporary)
                throw CacheError(.unwritable, "\(path): cannot rename \(temporary) into place: \(reason)")
            }
        } catch let error as CacheError {
            throw error
        } catch {
            throw CacheError(.unwritable, "\(path): \(OSError.text(of: error))", cause: error)
        }
        return bytes.count
    }
}
