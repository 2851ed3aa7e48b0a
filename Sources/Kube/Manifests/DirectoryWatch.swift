#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import Values

/// An inotify watch on one directory (Linux): what changed in the directory since the last ``drain()``, read
/// without blocking, or waited for (``next(until:)``) on a thread of its own with no timer. Watches files closed
/// after writing, created, deleted and moved in or out, and the directory itself being deleted or moved. A
/// regular file's creation is not reported on its own (the file is read when its writer closes it), a symlink's is.
final class DirectoryWatch {
    /// What ``drain()`` found.
    typealias Batch = InotifyEvents.Batch

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
    private let readable: ReadableWait
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
        do {
            readable = try ReadableWait(descriptor: descriptor)
        } catch {
            close(descriptor)
            throw Failure(call: "pipe", errno: error.errno)
        }
        self.descriptor = descriptor
        self.directory = directory
    }

    deinit { close(descriptor) }

    /// What the kernel queues next, waiting for it until `deadline` (nil: none); empty at the deadline. Throws
    /// `CancellationError` when the task is cancelled, an `OSError` when the wait fails.
    func next(until deadline: ContinuousClock.Instant?) async throws -> Batch {
        guard try await readable.wait(until: deadline) == .readable else { return Batch() }
        return drain()
    }

    /// Everything the kernel has queued, without waiting.
    func drain() -> Batch {
        var batch = Batch()
        let size = buffer.count
        while true {
            let count = read(descriptor, &buffer, size)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            InotifyEvents.decode(buffer[..<count], into: &batch, isRegularFile: isRegularFile)
        }
        return batch
    }

    private func isRegularFile(_ name: String) -> Bool {
        var info = stat()
        return lstat(directory + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
