import Foundation
import TestSupport
import Testing

@testable import Kube

/// The inotify watch and the scanner's incremental updates, against a real temporary directory, driven
/// synchronously: inotify queues an event during the system call that causes it, so a drain right after the
/// file operation sees it.
@Suite("Manifests directory watch")
final class ManifestsWatchTests {
    typealias Files = ManifestsDirectoryTests

    let directory: TemporaryDirectory
    var scanner: ManifestsDirectoryScanner
    let watch: DirectoryWatch

    init() throws {
        directory = try TemporaryDirectory()
        scanner = ManifestsDirectoryScanner(directory: directory.path)
        watch = try DirectoryWatch(directory: directory.path)
    }

    /// Applies what the watch saw, as the source does, and returns the changes.
    func applyWatched() -> [String] {
        let batch = watch.drain()
        return (batch.needsScan ? scanner.scan() : scanner.update(names: batch.names)).changes.map(\.summary)
    }

    func replace(_ name: String, _ text: String) throws { try directory.replace(name, text) }

    @Test func eachFileOperationIsReportedByName() throws {
        #expect(watch.drain().isEmpty)
        try directory.write("a.yaml", Files.service("a"))
        #expect(watch.drain() == .init(names: ["a.yaml"]))
        try directory.write("a.yaml", Files.service("a", port: 81))
        #expect(watch.drain() == .init(names: ["a.yaml"]))
        try directory.move("a.yaml", "b.yaml")
        #expect(watch.drain() == .init(names: ["a.yaml", "b.yaml"]))
        try replace("b.yaml", Files.service("a", port: 82))
        #expect(watch.drain() == .init(names: [".b.yaml.tmp", "b.yaml"]))
        try directory.remove("b.yaml")
        #expect(watch.drain() == .init(names: ["b.yaml"]))
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("link.yaml"), withDestinationPath: "/dev/null")
        #expect(watch.drain() == .init(names: ["link.yaml"]))
    }

    @Test func configMapDataSwapAsksForAScan() throws {
        try FileManager.default.createDirectory(atPath: directory.file("..2026_01"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("..data_tmp"), withDestinationPath: "..2026_01")
        try directory.move("..data_tmp", "..data")
        #expect(watch.drain() == .init(needsScan: true))
    }

    @Test func deletedDirectoryLosesTheWatch() throws {
        try FileManager.default.removeItem(atPath: directory.path)
        #expect(watch.drain().lost)
    }

    @Test func createEditRenameDeleteThroughTheWatch() throws {
        try directory.write(
            "web.yaml", Files.service("web") + "---\n" + Files.slice("web-1", service: "web", addresses: ["10.0.0.1"]))
        #expect(applyWatched() == ["upsert services/default/web", "upsert endpointslices/default/web-1"])
        try replace(
            "web.yaml", Files.service("web") + "---\n" + Files.slice("web-1", service: "web", addresses: ["10.0.0.2"]))
        #expect(applyWatched() == ["upsert endpointslices/default/web-1"])
        #expect(scanner.state.snapshot.objects.values.compactMap(\.slice).first?.endpoints.count == 1)
        try directory.move("web.yaml", "renamed.yaml")
        #expect(applyWatched() == [])
        #expect(scanner.state.paths == [directory.file("renamed.yaml")])
        try directory.remove("renamed.yaml")
        #expect(applyWatched() == ["delete endpointslices/default/web-1", "delete services/default/web"])
    }

    @Test func sameSizeEditsAreEachRead() throws {
        try directory.write("a.yaml", Files.service("a", port: 81))
        #expect(applyWatched() == ["upsert services/default/a"])
        try directory.write("a.yaml", Files.service("a", port: 82))
        #expect(applyWatched() == ["upsert services/default/a"])
        #expect(scanner.state.snapshot.objects.values.first?.service?.ports.first?.port == 82)
    }

    @Test func updateReadsOnlyTheNamedFiles() throws {
        try directory.write("a.yaml", Files.service("a"))
        try directory.write("b.yaml", Files.service("b"))
        #expect(scanner.scan().changes.count == 2)
        try directory.write("a.yaml", Files.service("a", port: 81))
        try directory.write("b.yaml", Files.service("b", port: 82))
        #expect(
            scanner.update(names: ["a.yaml", "notes.txt", ".swap.yaml"]).changes.map(\.summary) == [
                "upsert services/default/a"
            ])
        #expect(scanner.state.snapshot.objects.values.compactMap(\.service).map(\.ports[0].port).sorted() == [80, 81])
        #expect(scanner.update(names: ["b.yaml"]).changes.map(\.summary) == ["upsert services/default/b"])
    }

    @Test func fileTurnsInvalidAndValidAgain() throws {
        try directory.write("web.yaml", Files.service("web"))
        #expect(applyWatched() == ["upsert services/default/web"])
        try replace("web.yaml", "kind: Service\nmetadata: {name: [web\n")
        let broken = scanner.update(names: watch.drain().names)
        #expect(broken.changes.isEmpty)
        let codes = broken.diagnostics.map { (diagnostic) -> ManifestErrorCode? in
            if case .fileFailed(let error) = diagnostic { return error.code }
            return nil
        }
        #expect(codes == [.syntax])
        try replace("web.yaml", Files.service("web", port: 70000))
        let invalid = scanner.update(names: watch.drain().names)
        #expect(invalid.changes.isEmpty)
        #expect(
            invalid.diagnostics.map(\.description) == [
                "\(directory.file("web.yaml")): services/default/web: spec.ports[0].port: 70000 is out of range 1-65535 (keeping its last valid version)"
            ])
        try replace("web.yaml", Files.service("web", port: 8443))
        #expect(applyWatched() == ["upsert services/default/web"])
        #expect(scanner.state.snapshot.objects.values.first?.service?.ports.first?.port == 8443)
    }

    /// An object moving between files, in separate updates (each file written and seen on its own).
    @Test(arguments: [
        // The second file's copy is identical: no change at any step.
        (81, [String](), [String]()),
        // The second file's copy differs: it applies when the first file lets go of the object.
        (90, [String](), ["upsert services/default/b"]),
    ])
    func objectMovesBetweenFilesOneFileAtATime(port: Int, afterAdd: [String], afterRemove: [String]) throws {
        try directory.write("one.yaml", Files.service("a") + "---\n" + Files.service("b", port: 81))
        #expect(applyWatched().count == 2)
        try replace("two.yaml", Files.service("b", port: port))
        let added = scanner.update(names: watch.drain().names)
        #expect(added.changes.map(\.summary) == afterAdd)
        #expect(
            added.diagnostics.map(\.description) == [
                "\(directory.file("two.yaml")): services/default/b is already defined in \(directory.file("one.yaml")); ignored"
            ])
        try replace("one.yaml", Files.service("a"))
        #expect(applyWatched() == afterRemove)
        #expect(
            scanner.state.snapshot.objects[ObjectID(kind: .service, key: key("default/b"))]?.service?.ports.first?.port
                == UInt16(port))
        try directory.remove("two.yaml")
        #expect(applyWatched() == ["delete services/default/b"])
    }

    @Test func objectMovedWithinOneUpdateIsOnlyUpdated() throws {
        try directory.write("one.yaml", Files.service("a") + "---\n" + Files.service("b"))
        #expect(applyWatched().count == 2)
        try directory.write("two.yaml", Files.service("b", port: 90))
        try directory.write("one.yaml", Files.service("a"))
        #expect(applyWatched() == ["upsert services/default/b"])
        #expect(scanner.state.snapshot.objects.count == 2)
    }
}
