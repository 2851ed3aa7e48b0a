#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The decoder of what `read(2)` returns from an inotify descriptor (`struct inotify_event` records, each followed
/// by its NUL-padded name) into what a directory's watcher acts on. Pure apart from the question it asks
/// `isRegularFile`, so it is unit-tested and fuzzed (FuzzInotifyEvents) on bytes alone.
public enum InotifyEvents {
    /// What a run of events says about the directory.
    public struct Batch: Sendable, Equatable {
        /// Names of entries that changed (each once, in no particular order).
        public var names: Set<String> = []
        /// The kernel dropped events (queue overflow), or a `..`-prefixed entry changed (a Kubernetes ConfigMap
        /// volume swapping its `..data` symlink, which changes every file behind the symlinks at once): only a
        /// full scan can tell what changed.
        public var needsScan = false
        /// The directory was deleted or moved away: the watch is gone.
        public var lost = false

        /// True when nothing happened.
        public var isEmpty: Bool { names.isEmpty && !needsScan && !lost }

        /// A batch saying these things (by default, nothing).
        public init(names: Set<String> = [], needsScan: Bool = false, lost: Bool = false) {
            self.names = names
            self.needsScan = needsScan
            self.lost = lost
        }
    }

    /// The size of `struct inotify_event` before its name: `int wd; uint32_t mask, cookie, len;`.
    static let headerSize = 16

    /// Adds the events in `bytes` (what one `read(2)` returned) to `batch`. A record cut short by the end of the
    /// bytes keeps the part of its name that is there; a header cut short is ignored. `isRegularFile(name)` is asked
    /// only of an entry just created, whose creation alone is not reported (its writer's close follows).
    public static func decode(
        _ bytes: ArraySlice<UInt8>, into batch: inout Batch, isRegularFile: (String) -> Bool
    ) {
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= headerSize {
            let mask = word(bytes, at: offset + 4)
            let length = Int(word(bytes, at: offset + 12))
            let nameStart = offset + headerSize
            offset = nameStart + min(length, bytes.endIndex - nameStart)
            let nameBytes = bytes[nameStart..<offset]
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

    /// The host-order 32-bit word at `offset` (inotify records are in the host's byte order).
    private static func word(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt32 {
        withUnsafeBytes(of: (bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])) {
            $0.loadUnaligned(as: UInt32.self)
        }
    }
}
