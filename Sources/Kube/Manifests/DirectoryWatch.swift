#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An inotify watch on one directory (Linux), read without blocking: what changed in the directory since the
/// last ``drain()``. Watches files closed after writing, created, deleted and moved in or out, and the directory
/// itself being deleted or moved. A regular file's creation is not reported on its own (the file is read when its
/// writer closes it), a symlink's is.
final class DirectoryWatch {
    /// What ``drain()`` found.
    struct Batch: Sendable, Equatable {
        /// Names of entries that changed (each once, in no particular order).
        var names: Set<String> = []
        /// The kernel dropped events (queue overflow), or a `..`-prefixed entry changed (a Kubernetes ConfigMap
        /// volume swapping its `..data` symlink, which changes every file behind the symlinks at once): only a
        /// full scan can tell what changed.
        var needsScan = false
        /// The directory was deleted or moved away: the watch is gone.
        var lost = false

        /// True when nothing happened.
        var isEmpty: Bool { names.isEmpty && !needsScan && !lost }
    }

    /// The error when inotify is unavailable (no kernel support, out of watches or descriptors).
    struct Failure: Error, Sendable, CustomStringConvertible {
        /// The call that failed.
        var call: String
        /// Its errno.
        var errno: Int32
        var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    static let mask: UInt32 =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_DELETE)
        | UInt32(IN_CREATE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR)

    private let descriptor: Int32
    private let directory: String
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Starts watching `directory`.
    init(directory: String) throws(Failure) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { throw Failure(call: "inotify_init1", errno: errno) }
        guard inotify_add_watch(descriptor, directory, Self.mask) >= 0 else {
            let error = errno
            close(descriptor)
            throw Failure(call: "inotify_add_watch \(directory)", errno: error)
        }
        self.descriptor = descriptor
        self.directory = directory
    }

    deinit { close(descriptor) }

    /// Everything the kernel has queued, without waiting.
    func drain() -> Batch {
        var batch = Batch()
        let size = buffer.count
        while true {
            let count = read(descriptor, &buffer, size)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            parse(count, into: &batch)
        }
        return batch
    }

    private func parse(_ count: Int, into batch: inout Batch) {
        // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
        var offset = 0
        while offset + 16 <= count {
            let mask = word(at: offset + 4)
            let length = Int(word(at: offset + 12))
            let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)]
            offset += 16 + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { batch.needsScan = true }
            if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_IGNORED)) != 0 { batch.lost = true }
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            guard !name.isEmpty else { continue }
            // A regular file just created is still being written: its IN_CLOSE_WRITE follows. A symlink (or a
            // directory) gets no other event.
            if mask & ~UInt32(IN_ISDIR) == UInt32(IN_CREATE) && isRegularFile(name) { continue }
            if name.hasPrefix("..") { batch.needsScan = true } else { batch.names.insert(name) }
        }
    }

    private func isRegularFile(_ name: String) -> Bool {
        var info = stat()
        return lstat(directory + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    private func word(at offset: Int) -> UInt32 {
        let littleEndian =
            UInt32(buffer[offset]) | UInt32(buffer[offset + 1]) << 8 | UInt32(buffer[offset + 2]) << 16
            | UInt32(buffer[offset + 3]) << 24
        return UInt32(littleEndian: littleEndian)
    }
}
