#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What identifies one version of a file without reading it: device, inode, size and modification time
/// (nanoseconds). A rename-over (editors, ConfigMap `..data` swaps) changes the inode; an in-place edit
/// changes mtime or size.
public struct FileSignature: Sendable, Hashable {
    /// The device.
    public var device: UInt64
    /// The inode.
    public var inode: UInt64
    /// The size in bytes.
    public var size: Int64
    /// The modification time, seconds.
    public var mtimeSeconds: Int64
    /// The modification time, nanoseconds within the second.
    public var mtimeNanoseconds: Int64

    /// Creates a signature.
    public init(device: UInt64, inode: UInt64, size: Int64, mtimeSeconds: Int64, mtimeNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
    }

    /// The modification time as a duration since the epoch.
    public var modified: Duration { .seconds(mtimeSeconds) + .nanoseconds(mtimeNanoseconds) }

    /// The wall-clock time now, as a duration since the epoch (comparable with ``modified``).
    public static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }

    /// `stat(2)` of `path` (following symlinks); nil when it is not a regular file or cannot be read.
    public static func of(_ path: String) -> FileSignature? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
            let mtime = info.st_mtimespec
        #else
            let mtime = info.st_mtim
        #endif
        return FileSignature(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            mtimeSeconds: Int64(mtime.tv_sec), mtimeNanoseconds: Int64(mtime.tv_nsec))
    }
}
