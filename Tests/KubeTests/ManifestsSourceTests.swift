import Foundation
import Logging
import NIOPosix
import TestSupport
import Testing
import Values

@testable import Kube

/// The source's event stream over a real directory, watched by inotify (the full-scan safety net is an hour
/// away, so only inotify can deliver the edits) and, for comparison, by polling.
@Suite("Manifests directory source", .timeLimit(.minutes(1)))
struct ManifestsSourceTests {
    typealias Files = ManifestsDirectoryTests

    struct Stream {
        var iterator: AsyncStream<SourceEvent>.AsyncIterator

        /// The next change, as `upsert services/default/a`.
        mutating func next() async -> String {
            switch await iterator.next() {
            case .change(let change)?: change.summary
            case .synced?: "synced"
            case nil: "end"
            }
        }
    }

    func replace(_ directory: TemporaryDirectory, _ name: String, _ text: String) throws {
        try directory.replace(name, text)
    }

    @Test(arguments: [true, false])
    func followsCreateEditRenameDeleteAndInvalidFiles(inotify: Bool) async throws {
        let directory = try TemporaryDirectory()
        let capture = LogCapture()
        try directory.write("a.yaml", Files.service("a"))
        let source = ManifestsDirectorySource(
            directory: directory.path, pollInterval: .milliseconds(20),
            rescanInterval: .seconds(3600), useInotify: inotify, logger: capture.logger())
        try await source.withEvents { iterator in
            var stream = Stream(iterator: iterator)
            #expect(await stream.next() == "upsert services/default/a")
            #expect(await stream.next() == "synced")

            // New files written in place (read once closed); edits replace the file by a rename, as editors do (an
            // in-place rewrite can be read half-written by any watcher).
            try directory.write("b.yaml", Files.service("b"))
            #expect(await stream.next() == "upsert services/default/b")
            try replace(directory, "b.yaml", Files.service("b", port: 81))
            #expect(await stream.next() == "upsert services/default/b")
            try replace(directory, "b.yaml", "kind: Service\nmetadata: {name: [b\n")
            try replace(directory, "b.yaml", Files.service("b", port: 82))
            #expect(await stream.next() == "upsert services/default/b")
            try directory.move("b.yaml", "c.yaml")
            try replace(directory, "a.yaml", Files.service("a", port: 83))
            #expect(await stream.next() == "upsert services/default/a")
            try replace(directory, "c.yaml", Files.slice("b-1", service: "b", addresses: ["10.0.0.1"]))
            #expect(await stream.next() == "upsert endpointslices/default/b-1")
            #expect(await stream.next() == "delete services/default/b")
            try directory.remove("a.yaml")
            #expect(await stream.next() == "delete services/default/a")

            let messages = capture.records.map(\.message)
            #expect(messages.contains("manifests directory polled") == !inotify)
            #expect(!messages.contains { $0.contains("inotify unavailable") })
        }
    }

    /// A file behind a symlink that points out of the directory changes with no event in it: the safety rescan,
    /// the source's only timed wake-up while watching, finds it.
    @Test func theSafetyRescanFindsWhatInotifyCannotSee() async throws {
        let directory = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        try outside.write("a.yaml", Files.service("a"))
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("a.yaml"), withDestinationPath: outside.file("a.yaml"))
        let source = ManifestsDirectorySource(
            directory: directory.path, rescanInterval: .milliseconds(100), logger: LogCapture().logger())
        try await source.withEvents { iterator in
            var stream = Stream(iterator: iterator)
            #expect(await stream.next() == "upsert services/default/a")
            #expect(await stream.next() == "synced")
            try outside.replace("a.yaml", Files.service("a", port: 81))
            #expect(await stream.next() == "upsert services/default/a")
        }
    }

    /// The rescan waits its interval, or longer when it costs more than its share of a CPU over that interval.
    @Test func theSafetyRescanKeepsWithinItsShareOfACPU() {
        let source = ManifestsDirectorySource(
            directory: "/nonexistent", rescanInterval: .seconds(45), rescanShare: CPUShare(0.005),
            logger: .init(label: "t"))
        let start = ContinuousClock.now
        #expect(source.rescanDue(after: start, cpu: .milliseconds(100)) == start + .seconds(45))
        #expect(source.rescanDue(after: start, cpu: .seconds(1)) == start + .seconds(200))
    }

    /// A missing directory at start is not an empty one: nothing is synced (no `synced`, so the proxy deletes
    /// nothing) until it can be read, and then its objects come before `synced`.
    @Test func missingDirectoryIsPolledUntilItAppears() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("later")
        let capture = LogCapture()
        let source = ManifestsDirectorySource(
            directory: path, pollInterval: .milliseconds(20),
            rescanInterval: .seconds(3600), logger: capture.logger())
        try await source.withEvents { iterator in
            var stream = Stream(iterator: iterator)
            await waitFor { capture.records.contains { $0.message.hasPrefix("not syncing yet") } }
            try FileManager.default.createDirectory(atPath: path + ".tmp", withIntermediateDirectories: true)
            try Data(Files.service("a").utf8).write(to: URL(fileURLWithPath: path + ".tmp/a.yaml"))
            try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
            #expect(await stream.next() == "upsert services/default/a")
            #expect(await stream.next() == "synced")
            #expect(capture.records.contains { $0.message == "inotify unavailable: polling the manifests directory" })
            #expect(capture.records.filter { $0.message.hasPrefix("not syncing yet") }.count == 1)
            #expect(capture.records.contains { $0.message == "manifests directory read whole: syncing" })
        }
    }

    /// A file that does not parse at start holds the start back until it is fixed; the other files' objects are
    /// delivered meanwhile, `synced` only after. The fix is written by rename: written in place, a writer stalled
    /// over the settle time (100 ms) between its truncate and its write is read empty, which parses (a CI run at
    /// load 8 saw `synced` before the fixed file's Service); ManifestSettlingTests holds the settle rule itself.
    @Test func brokenFileAtStartHoldsTheStartBack() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", Files.service("a"))
        try directory.write("b.yaml", "kind: Service\n  metadata: [unclosed\n")
        let capture = LogCapture()
        let source = ManifestsDirectorySource(
            directory: directory.path, pollInterval: .milliseconds(20),
            rescanInterval: .seconds(3600), logger: capture.logger())
        try await source.withEvents { iterator in
            var stream = Stream(iterator: iterator)
            #expect(await stream.next() == "upsert services/default/a")
            await waitFor { capture.records.contains { $0.message.hasPrefix("not syncing yet") } }
            try directory.replace("b.yaml", Files.service("b"))
            #expect(await stream.next() == "upsert services/default/b")
            #expect(await stream.next() == "synced")
        }
    }

    /// The first scan delivers its files' objects in runs, while the pool still reads the later files: every
    /// object once, before `synced`, and an object defined twice as the file first in path order has it even though
    /// the later file is loaded in a later run. The scan's log line counts every change.
    @Test func theFirstScanDeliversEveryObjectOnceAsItReads() async throws {
        let directory = try TemporaryDirectory()
        let count = 300
        for index in 0..<count {
            let name = "s\(1000 + index)"
            try directory.write(
                "\(name).yaml",
                Files.service(name) + "---\n" + Files.slice("\(name)-1", service: name, addresses: ["10.0.0.1"]))
        }
        try directory.write("zz.yaml", Files.service("s1000", port: 99))
        // Older than the settle time, so the first scan loads them (a newer file waits for the next scan).
        try await Task.sleep(for: .milliseconds(250))
        let capture = LogCapture()
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let source = ManifestsDirectorySource(
            directory: directory.path, rescanInterval: .seconds(3600), threadPool: pool, logger: capture.logger())
        let delivered = try await source.withEvents { iterator in
            var changes: [ObjectChange] = []
            while case .change(let change)? = await iterator.next() { changes.append(change) }
            return changes
        }
        try await pool.shutdownGracefully()
        let summaries = delivered.map(\.summary)
        #expect(summaries.count == 2 * count)
        #expect(Set(summaries).count == 2 * count)
        #expect(summaries.allSatisfy { $0.hasPrefix("upsert ") })
        let first = delivered.compactMap { change -> [UInt16]? in
            guard case .upsert(.service(let service)) = change, service.key.name == "s1000" else { return nil }
            return service.ports.map(\.port)
        }
        #expect(first == [[80]])
        let scanned = capture.records.first { $0.message == "manifests scanned" }
        #expect(scanned?.metadata["changes"] == "\(2 * count)")
        #expect(capture.records.contains { $0.message.contains("zz.yaml") })
    }

    /// `--once`, `plan` and `status` do not wait: a start that cannot read the directory whole fails, naming it.
    @Test func aStartThatDoesNotWaitFailsOnAMissingDirectory() async throws {
        let directory = try TemporaryDirectory()
        let source = ManifestsDirectorySource(
            directory: directory.file("absent"), useInotify: false, waitsForWholeStart: false,
            logger: LogCapture().logger())
        let error = await #expect(throws: SourceError.self) { try await source.run { _ in } }
        #expect(error?.code == .incomplete)
        #expect(error?.message.contains(directory.file("absent")) == true)
    }
}
