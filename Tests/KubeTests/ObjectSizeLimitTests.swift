import Foundation
import Pods
import TestSupport
import Testing

@testable import Kube

/// Bounded inputs (issue 12): a manifests file over 16 MiB is refused before it is read; an object over 1.5 MiB, in
/// a file or on a watch line, is refused by name while the others load; a watch line that never ends relists.
@Suite("Object and file size limits")
struct ObjectSizeLimitTests {
    /// A Service whose annotation carries `padding` bytes.
    static func service(_ name: String, padding: Int = 0) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          annotations: {pad: "\(String(repeating: "x", count: padding))"}
        spec:
          clusterIP: 10.96.0.10
          ports: [{port: 80}]

        """
    }

    static let overLimit = ObjectSizeLimit.objectBytes + 1000

    @Test func aFileOverTheLimitIsRefusedBeforeReadingAndTheOthersLoad() throws {
        let directory = try TemporaryDirectory()
        try directory.write("small.yaml", Self.service("small"))
        let padding = String(repeating: "# padding\n", count: ManifestsDirectoryScanner.maximumFileBytes / 10 + 1)
        try directory.write("huge.yaml", Self.service("huge") + padding)
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        let result = scanner.scan()
        #expect(result.changes.map(\.description) == ["upsert services/default/small"])
        let size = try FileManager.default.attributesOfItem(atPath: directory.file("huge.yaml"))[.size] as? Int
        guard case .fileFailed(let error) = result.diagnostics.first, let size else {
            Issue.record("expected a file failure, got \(result.diagnostics)")
            return
        }
        #expect(error.code == .tooLarge)
        #expect(error.message.hasPrefix("\(directory.file("huge.yaml")): \(size) bytes, more than the"), "\(error)")
        #expect(scanner.incomplete.map(\.code) == [.tooLarge], "a refused file keeps a start from being whole")
    }

    @Test func anObjectOverTheLimitIsRefusedByNameAndTheOthersLoad() throws {
        let directory = try TemporaryDirectory()
        let list = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Service, metadata: {name: listed}, spec: {clusterIP: 10.96.0.11, ports: [{port: 80}]}}
            - {apiVersion: v1, kind: Service, metadata: {name: listed-big, annotations: {pad: "\(String(repeating: "y", count: Self.overLimit))"}}, spec: {clusterIP: 10.96.0.12, ports: [{port: 80}]}}

            """
        try directory.write(
            "all.yaml", Self.service("small") + "---\n" + Self.service("big", padding: Self.overLimit) + "---\n" + list)
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        let result = scanner.scan()
        #expect(
            result.changes.map(\.description).sorted() == [
                "upsert services/default/listed", "upsert services/default/small",
            ])
        let file = directory.file("all.yaml")
        let refused = result.diagnostics.map(\.description)
        #expect(refused.count == 2, "\(refused.map { $0.prefix(200) })")
        #expect(refused.contains { $0.hasPrefix("\(file): services/default/big: <object>: ") && $0.contains("limit") })
        #expect(refused.contains { $0.hasPrefix("\(file): services/default/listed-big: <object>: ") })
        #expect(scanner.incomplete.isEmpty, "a refused object does not make the file broken")
    }

    /// An object of nested aliases stands for a tree of 2^21 scalars in a text of 1 KB: it is refused once the walk
    /// passes the limit, not measured whole (which grows with the tree: 2^41 scalars would never finish).
    @Test func anObjectOfNestedAliasesIsRefusedWithoutBeingExpanded() throws {
        var lines = ["kind: Service", "metadata: {name: laughs, namespace: web}", "l0: &l0 [x, x]"]
        for level in 1...20 { lines.append("l\(level): &l\(level) [*l\(level - 1), *l\(level - 1)]") }
        lines.append("spec: {type: NodePort, laughs: *l20}")
        let limit = 500
        let file = try ManifestFile.parse(lines.joined(separator: "\n"), path: "/m/laughs.yaml", objectLimit: limit)
        #expect(file.accepted.isEmpty)
        #expect(file.rejected.first?.id == ObjectID(kind: .service, key: ObjectKey(namespace: "web", name: "laughs")))
        let message = try #require(file.rejected.first?.error.message)
        let counted = message.components(separatedBy: " bytes, more than the 500-byte limit").first?
            .split(separator: " ").last.flatMap { Int($0) }
        #expect(try #require(counted) > limit && counted ?? .max <= 2 * limit, "\(message)")
    }

    @Test func aJSONObjectOverTheLimitIsRefusedByName() throws {
        let json = """
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "big", "namespace": "web"},
             "spec": {"clusterIP": "10.96.0.10", "ports": [{"port": 80}]},
             "x": "\(String(repeating: "z", count: Self.overLimit))"}
            """
        let file = try ManifestFile.parse(json, path: "/m/big.json")
        #expect(file.accepted.isEmpty)
        #expect(file.rejected.first?.id == ObjectID(kind: .service, key: ObjectKey(namespace: "web", name: "big")))
        #expect(file.rejected.first?.error.code == .tooLarge)
        #expect(file.rejected.first?.error.message.hasPrefix("/m/big.json: services/web/big: <object>: ") == true)
    }

    @Test func aWatchLineOverTheObjectLimitIsRefusedByNameAndADeletionStillGoesThrough() {
        let service = ListWatchStateTests.service("big", rv: "12")
        let upsert = WatchInput.from(WatchEvent<Service>.modified(service), bytes: Self.overLimit)
        guard case .upsert(.invalid(let key, let error, let version)) = upsert else {
            Issue.record("expected a refused upsert, got \(upsert)")
            return
        }
        #expect(key == ObjectKey(namespace: "default", name: "big"))
        #expect(version == "12", "the watch still moves past it")
        #expect(error.code == .tooLarge)
        #expect(error.message.hasPrefix("services/default/big: <object>: \(Self.overLimit) bytes"), "\(error)")
        #expect(WatchInput.from(WatchEvent<Service>.deleted(service), bytes: Self.overLimit) == .delete(.from(service)))
        #expect(WatchInput.from(WatchEvent<Service>.added(service), bytes: 1000) == .upsert(.from(service)))
    }

    @Test func aLostWatchEventRelistsAfterABackoff() {
        var state = ListWatchState(kind: .service)
        _ = state.receivePage(
            [ListWatchStateTests.item(ListWatchStateTests.service("a"))], metadata: ListMeta(resourceVersion: "10"))
        #expect(state.nextRequest == .watch(resourceVersion: "10"))
        #expect(state.eventLost() == .backoff)
        #expect(state.nextRequest == .list(continue: nil))
        #expect(state.resourceVersion == nil)
    }
}
