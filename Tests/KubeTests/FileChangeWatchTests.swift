import Values
import Foundation
import Kube
import Synchronization
import TestSupport
import Testing

/// The config file's watch (`run` exits when its config file changes, as kube-proxy does): an edit in place, a
/// rename over it, and a Kubernetes ConfigMap volume's `..data` swap each end the wait; so does the file's removal.
@Suite struct FileChangeWatchTests {
    /// Starts waiting on `name` in `directory` as it is now, applies `change`, and says whether the wait ended
    /// (bounded by `waitFor`'s hang guard, not by a deadline on its speed).
    static func waitEnds(
        _ directory: TemporaryDirectory, _ name: String, pollOnly: Bool = false,
        after change: (TemporaryDirectory) throws -> Void
    ) async throws -> Bool {
        let path = directory.file(name)
        let watch = FileChangeWatch(
            path: path, original: FileChangeWatch.read(path),
            pollInterval: pollOnly ? .milliseconds(20) : .seconds(3600),
            useInotify: !pollOnly)
        let ended = Locked(false)
        let task = Task {
            try await watch.changed()
            ended.withLock { $0 = true }
        }
        defer { task.cancel() }
        // Whether the change comes before the watch starts or after, it is found (the watch reads once at start).
        try change(directory)
        await waitFor { ended.withLock { $0 } }
        return ended.withLock { $0 }
    }

    @Test func anEditInPlaceEndsTheWait() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("config.yaml", "ipvs-scheduler: rr\n")
        #expect(try await Self.waitEnds(directory, "config.yaml") { try $0.write("config.yaml", "sync-period: 1m\n") })
    }

    @Test func aFileRenamedOverItEndsTheWait() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("config.yaml", "ipvs-scheduler: rr\n")
        #expect(try await Self.waitEnds(directory, "config.yaml") { try $0.replace("config.yaml", "adopt: true\n") })
    }

    @Test func removingTheFileEndsTheWait() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("config.yaml", "ipvs-scheduler: rr\n")
        #expect(try await Self.waitEnds(directory, "config.yaml") { try $0.remove("config.yaml") })
    }

    /// A ConfigMap volume: `config.yaml` → `..data/config.yaml`, `..data` → a timestamped directory; an update
    /// writes a new directory and swaps `..data`, so the file itself never gets an event.
    @Test func aConfigMapUpdateEndsTheWait() async throws {
        let directory = try TemporaryDirectory()
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory.file("..2026_1"), withIntermediateDirectories: false)
        try directory.write("..2026_1/config.yaml", "ipvs-scheduler: rr\n")
        try manager.createSymbolicLink(atPath: directory.file("..data"), withDestinationPath: "..2026_1")
        try manager.createSymbolicLink(atPath: directory.file("config.yaml"), withDestinationPath: "..data/config.yaml")
        let ended = try await Self.waitEnds(directory, "config.yaml") { directory in
            try manager.createDirectory(atPath: directory.file("..2026_2"), withIntermediateDirectories: false)
            try directory.write("..2026_2/config.yaml", "ipvs-scheduler: wrr\n")
            try manager.createSymbolicLink(atPath: directory.file("..data_tmp"), withDestinationPath: "..2026_2")
            // Atomically, as the kubelet's atomic writer does (rename over the old link).
            #expect(rename(directory.file("..data_tmp"), directory.file("..data")) == 0)
        }
        #expect(ended)
    }

    /// A change made after the file was read at start but before the watch began is found at once.
    @Test func aChangeBeforeTheWatchStartsIsFound() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("config.yaml", "a: 1\n")
        let watch = FileChangeWatch(path: directory.file("config.yaml"), original: Data("a: 0\n".utf8))
        try await watch.changed()
    }

    /// Without inotify the file is polled.
    @Test func withoutInotifyTheFileIsPolled() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("config.yaml", "a: 1\n")
        let ended = try await Self.waitEnds(directory, "config.yaml", pollOnly: true) {
            try $0.write("config.yaml", "a: 2\n")
        }
        #expect(ended)
    }
}
