import Foundation
import TestSupport
import Testing

@testable import Kube

/// A file read in the moment it is written may have been read empty or cut short, which parses as fewer objects,
/// not as an error: the scanner says it is settling until a scan reads it with an mtime older than the settle
/// time, and the source does not say `synced` before. A heuristic with a limit: a writer that stalls longer than
/// the settle time between truncating and writing is read empty and settled (tools that replace files by rename,
/// as kubectl-driven tooling and the soak do, never are).
@Suite struct ManifestSettlingTests {
    @Test func aFreshlyWrittenFileIsSettlingUntilItIsReadOld() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write("a.yaml", "")
        // "Just written", however loaded the machine: an mtime a minute ahead of the scan.
        let fresh = Date(timeIntervalSinceNow: 60)
        try FileManager.default.setAttributes([.modificationDate: fresh], ofItemAtPath: directory.file("a.yaml"))
        _ = scanner.scan()
        #expect(scanner.incomplete.isEmpty)
        #expect(scanner.settling, "read within the settle time of its mtime")
        // The mtime an hour back: the next scan reads it again, now settled.
        let old = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory.file("a.yaml"))
        _ = scanner.scan()
        #expect(!scanner.settling)
    }

    static func service(_ name: String, _ ip: String) -> String {
        "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: x}\nspec: {clusterIP: \(ip)}\n"
    }

    static func setModified(_ directory: TemporaryDirectory, _ name: String, secondsFromNow: TimeInterval) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: secondsFromNow)], ofItemAtPath: directory.file(name))
    }

    /// At start, a file read unsettled is not delivered at all, not even for a while: a file cut short mid-write can
    /// parse as another valid object (here a cluster IP of one digit fewer), and nothing delivered should ever hold one.
    /// The next scan reads it settled and delivers what it holds.
    @Test func aStartDefersAFileReadUnsettledUntilItIsReadSettled() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write("a.yaml", Self.service("a", "10.96.0.1"))
        try directory.write("b.yaml", Self.service("b", "10.96.0.2"))  // b's writer has reached "10.96.0.2" of ".23"
        try Self.setModified(directory, "a.yaml", secondsFromNow: -3600)
        try Self.setModified(directory, "b.yaml", secondsFromNow: 60)
        let first = scanner.scan(defersUnsettled: true)
        #expect(first.changes.map(\.object.id.key.name) == ["a"], "\(first.changes)")
        #expect(scanner.settling && scanner.deferred == [directory.file("b.yaml")])
        #expect(scanner.incomplete.isEmpty)

        try directory.write("b.yaml", Self.service("b", "10.96.0.23"))
        try Self.setModified(directory, "b.yaml", secondsFromNow: -3600)
        let second = scanner.scan(defersUnsettled: true)
        guard case .upsert(.service(let b)) = second.changes.first, second.changes.count == 1 else {
            Issue.record("b delivered once, settled: \(second.changes)")
            return
        }
        #expect(b.clusterIPs.map(\.description) == ["10.96.0.23"])
        #expect(!scanner.settling && scanner.deferred.isEmpty)
    }

    /// A file that changed while a start read it is read again before the start is whole: until then the start is
    /// settling (before, it was neither loaded nor waited for, so a first sync could go without its objects).
    @Test func aFileChangedWhileAStartReadItIsWaitedFor() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write("a.yaml", Self.service("a", "10.96.0.1"))
        try Self.setModified(directory, "a.yaml", secondsFromNow: -3600)
        let batch = scanner.prepareScan()
        let (changes, _) = scanner.finish(batch, reading: [nil], defersUnsettled: true)  // nil: changed mid-read
        #expect(changes.isEmpty)
        #expect(scanner.settling, "waiting to read a.yaml again")
        let again = scanner.scan(defersUnsettled: true)
        #expect(again.changes.count == 1 && !scanner.settling)
        // A deferred file that vanishes is no longer waited for.
        try directory.write("b.yaml", Self.service("b", "10.96.0.2"))
        try Self.setModified(directory, "b.yaml", secondsFromNow: 60)
        _ = scanner.scan(defersUnsettled: true)
        #expect(scanner.settling)
        try FileManager.default.removeItem(atPath: directory.file("b.yaml"))
        _ = scanner.scan(defersUnsettled: true)
        #expect(!scanner.settling)
    }
}

/// A file removed between the directory event that named it and its read (a config tool's delete right after its
/// write; seen in the churn soak as "cannot open the file" errors) is no error: it is left to be read again, and the
/// removal's own event forgets it and its objects.
@Suite struct ManifestVanishingTests {
    static let service =
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\nspec: {clusterIP: 10.96.0.1}\n"

    @Test func aFileRemovedBeforeItsReadIsNoErrorAndItsRemovalForgetsIt() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write("a.yaml", Self.service)
        let first = scanner.prepareUpdate(names: ["a.yaml"])
        let loaded = scanner.finish(first, reading: first.files.map { ManifestsDirectoryScanner.read($0) })
        #expect(loaded.changes.count == 1 && loaded.diagnostics.isEmpty, "\(loaded)")

        try directory.write("a.yaml", Self.service + "# changed\n")
        let batch = scanner.prepareUpdate(names: ["a.yaml"])
        let file = try #require(batch.files.first)
        try FileManager.default.removeItem(atPath: directory.file("a.yaml"))
        let read = ManifestsDirectoryScanner.read(file)
        #expect(read == nil, "vanished, not failed: \(String(describing: read))")
        let (changes, diagnostics) = scanner.finish(batch, reading: [read])
        #expect(changes.isEmpty && diagnostics.isEmpty, "\(diagnostics)")

        // The removal's event.
        let removal = scanner.prepareUpdate(names: ["a.yaml"])
        let removed = scanner.finish(removal, reading: removal.files.map { ManifestsDirectoryScanner.read($0) })
        #expect(removed.changes.count == 1 && removed.diagnostics.isEmpty, "\(removed)")
    }
}
