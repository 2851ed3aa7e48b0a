import Foundation
import NIOPosix

/// Waits until one file's content differs from what it held at start: the proxy's config file, which kube-proxy
/// watches and exits on (the DaemonSet restarts it with the new file). The file's directory is watched with the
/// manifests' inotify watch (``DirectoryWatch``), so a Kubernetes ConfigMap volume's `..data` swap is seen as well
/// as an edit in place; between events it sleeps on the inotify descriptor, with no timer, and re-reads the file
/// every ``rereadInterval`` as a safety net. Without inotify (or once the directory is gone) it is re-read every
/// ``pollInterval``. An event that leaves the content as it was (a rewrite with the same text, a touch) is no
/// change. Reads run on `threadPool`, never on Swift's cooperative pool.
public struct FileChangeWatch: Sendable {
    /// The file.
    public let path: String
    /// Its content at start; nil when it could not be read (any content then is a change).
    public let original: Data?
    /// How often the file is re-read when inotify cannot tell.
    public let pollInterval: Duration
    /// How often the file is re-read while inotify watches it, in case an event was missed.
    public let rereadInterval: Duration
    /// Whether to use inotify (false: always poll).
    public let useInotify: Bool
    let threadPool: NIOThreadPool

    /// A watch of `path`, whose content is now `original`.
    public init(
        path: String, original: Data?, pollInterval: Duration = .seconds(2),
        rereadInterval: Duration = .seconds(300), useInotify: Bool = true, threadPool: NIOThreadPool = .singleton
    ) {
        self.useInotify = useInotify
        self.path = path
        self.original = original
        self.pollInterval = pollInterval
        self.rereadInterval = rereadInterval
        self.threadPool = threadPool
    }

    /// The file's content now (nil: unreadable). Blocks.
    public static func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Returns once the content differs from ``original`` (a deleted or unreadable file differs from any content).
    /// Throws `CancellationError` when the task is cancelled.
    public func changed() async throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var watch = useInotify ? (try? DirectoryWatch(directory: directory)) : nil
        // Once now, for a change between the read at start and the watch's start.
        var first = true
        var reread = ContinuousClock.now + rereadInterval
        while true {
            if !first, let current = watch {
                let batch = try await current.next(until: reread)
                if batch.lost { watch = nil }
                let due = ContinuousClock.now >= reread
                guard due || batch.lost || batch.needsScan || batch.names.contains(name) else { continue }
                if due { reread = ContinuousClock.now + rereadInterval }
            } else if !first {
                try await Task.sleep(for: pollInterval)
            }
            first = false
            let path = self.path
            let now = try await threadPool.runIfActive { Self.read(path) }
            if now != original { return }
        }
    }
}
