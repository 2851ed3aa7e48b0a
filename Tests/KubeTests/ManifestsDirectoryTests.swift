import Foundation
import TestSupport
import Testing

@testable import Kube

/// File operations against a real temporary directory, scanned synchronously (no timing involved).
@Suite("Manifests directory")
final class ManifestsDirectoryTests {
    static func service(_ name: String, port: Int = 80, ip: String = "10.96.0.10") -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
        spec:
          clusterIP: \(ip)
          ports:
          - port: \(port)
            targetPort: 8080

        """
    }

    static func slice(_ name: String, service: String, addresses: [String]) -> String {
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: \(name)
          labels: {kubernetes.io/service-name: \(service)}
        addressType: IPv4
        endpoints:
        \(addresses.map { "- addresses: [\"\($0)\"]" }.joined(separator: "\n"))
        ports:
        - port: 8080

        """
    }

    let directory: TemporaryDirectory
    var scanner: ManifestsDirectoryScanner

    init() throws {
        directory = try TemporaryDirectory()
        scanner = ManifestsDirectoryScanner(directory: directory.path)
    }

    func scan() -> [String] { scanner.scan().changes.map(\.summary) }

    @Test func createEditDelete() throws {
        #expect(scan() == [])
        try directory.write(
            "web.yaml", Self.service("web") + "---\n" + Self.slice("web-1", service: "web", addresses: ["10.0.0.1"]))
        #expect(scan() == ["upsert services/default/web", "upsert endpointslices/default/web-1"])
        #expect(scan() == [])
        try directory.write(
            "web.yaml", Self.service("web") + "---\n" + Self.slice("web-1", service: "web", addresses: ["10.0.0.2"]))
        let edited = scanner.scan().changes
        #expect(edited.map(\.summary) == ["upsert endpointslices/default/web-1"])
        #expect(edited.first?.object.slice?.endpoints.map(\.address.description) == ["10.0.0.2"])
        try directory.remove("web.yaml")
        #expect(scan() == ["delete endpointslices/default/web-1", "delete services/default/web"])
    }

    @Test func sameSizeEditsInQuickSuccessionAreAllSeen() throws {
        try directory.write("a.yaml", Self.service("a", port: 81))
        #expect(scan() == ["upsert services/default/a"])
        try directory.write("a.yaml", Self.service("a", port: 82))
        let changes = scanner.scan().changes
        #expect(changes.map(\.summary) == ["upsert services/default/a"])
        #expect(changes.first?.object.service?.ports.first?.port == 82)
    }

    @Test func objectRemovedFromFileIsDeleted() throws {
        try directory.write("all.yaml", Self.service("a") + "---\n" + Self.service("b"))
        #expect(scan() == ["upsert services/default/a", "upsert services/default/b"])
        try directory.write("all.yaml", Self.service("b"))
        #expect(scan() == ["delete services/default/a"])
    }

    @Test func renameAndMoveBetweenFilesDeleteNothing() throws {
        try directory.write("one.yaml", Self.service("a") + "---\n" + Self.service("b"))
        #expect(scan().count == 2)
        try directory.move("one.yaml", "two.yaml")
        #expect(scan() == [])
        try directory.write("two.yaml", Self.service("a"))
        try directory.write("three.yaml", Self.service("b", port: 90))
        #expect(scan() == ["upsert services/default/b"])
        #expect(scanner.state.snapshot.objects.count == 2)
    }

    @Test func fileThatTurnsUnparseableKeepsItsObjectsUntilFixed() throws {
        try directory.write("web.yaml", Self.service("web"))
        #expect(scan() == ["upsert services/default/web"])
        try directory.write("web.yaml", "kind: Service\nmetadata: {name: [web\n")
        let broken = scanner.scan()
        #expect(broken.changes.isEmpty)
        #expect(broken.diagnostics.count == 1)
        guard case .fileFailed(let error) = broken.diagnostics.first else {
            Issue.record("expected a file failure, got \(broken.diagnostics)")
            return
        }
        #expect(error.message.hasPrefix(directory.file("web.yaml") + ": invalid YAML: "))
        #expect(error.code == .syntax)
        try directory.write("web.yaml", Self.service("web", port: 8443))
        #expect(scan() == ["upsert services/default/web"])
        #expect(scanner.state.snapshot.objects.values.first?.service?.ports.first?.port == 8443)
    }

    @Test func invalidObjectIsRejectedAloneAndKeepsItsLastValidVersion() throws {
        try directory.write("all.yaml", Self.service("a") + "---\n" + Self.service("b"))
        _ = scan()
        try directory.write(
            "all.yaml",
            Self.service("a", port: 70000) + "---\n" + Self.service("b", port: 81) + "---\n"
                + Self.service("c", ip: "10.96.0.300"))
        let result = scanner.scan()
        #expect(result.changes.map(\.summary) == ["upsert services/default/b"])
        let messages = result.diagnostics.map(\.description)
        let file = directory.file("all.yaml")
        #expect(
            messages == [
                "\(file): services/default/a: spec.ports[0].port: 70000 is out of range 1-65535 (keeping its last valid version)",
                "\(file): services/default/c: spec.clusterIP: \"10.96.0.300\" is not a valid IP address",
            ])
        #expect(scanner.state.snapshot.objects.values.compactMap(\.service).map(\.key.name).sorted() == ["a", "b"])
        try directory.write("all.yaml", Self.service("a", port: 8000) + "---\n" + Self.service("b", port: 81))
        #expect(scan() == ["upsert services/default/a"])
    }

    @Test func invalidEndpointIsDroppedWithAWarning() throws {
        try directory.write("s.yaml", Self.slice("web-1", service: "web", addresses: ["10.0.0.1", "10.0.0.x"]))
        let result = scanner.scan()
        #expect(result.changes.first?.object.slice?.endpoints.count == 1)
        #expect(
            result.diagnostics.map(\.description) == [
                "\(directory.file("s.yaml")): endpointslices/default/web-1: endpoints[1].addresses[0]: \"10.0.0.x\" is not an IPv4 address; endpoint dropped"
            ])
    }

    @Test func listKindMultiDocJSONAndIgnoredFiles() throws {
        try directory.write(
            "list.yaml",
            """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Service, metadata: {name: l1, namespace: ns}, spec: {ports: [{port: 1}]}}
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}
            """)
        try directory.write(
            "j.json", #"{"kind": "Service", "metadata": {"name": "j"}, "spec": {"ports": [{"port": 2}]}}"#)
        try directory.write(".hidden.yaml", Self.service("hidden"))
        try directory.write("notes.txt", Self.service("txt"))
        try FileManager.default.createDirectory(atPath: directory.file("sub.yaml"), withIntermediateDirectories: true)
        let result = scanner.scan()
        #expect(result.changes.map(\.summary) == ["upsert services/default/j", "upsert services/ns/l1"])
        #expect(
            result.diagnostics.map(\.description) == [
                "\(directory.file("list.yaml")): ignoring object of kind Deployment"
            ])
    }

    @Test func duplicateDefinitionFirstFileWins() throws {
        try directory.write("a.yaml", Self.service("web", port: 1))
        try directory.write("b.yaml", Self.service("web", port: 2))
        let result = scanner.scan()
        #expect(result.changes.first?.object.service?.ports.first?.port == 1)
        #expect(result.diagnostics.count == 1)
        try directory.remove("a.yaml")
        let after = scanner.scan().changes
        #expect(after.map(\.summary) == ["upsert services/default/web"])
        #expect(after.first?.object.service?.ports.first?.port == 2)
    }

    @Test func missingDirectoryChangesNothing() throws {
        try directory.write("a.yaml", Self.service("a"))
        _ = scan()
        let moved = directory.path + "-gone"
        try FileManager.default.moveItem(atPath: directory.path, toPath: moved)
        defer { try? FileManager.default.moveItem(atPath: moved, toPath: directory.path) }
        let result = scanner.scan()
        #expect(result.changes.isEmpty)
        guard case .fileFailed(let error) = result.diagnostics.first else {
            Issue.record("expected a directory failure")
            return
        }
        #expect(error.code == .directory)
    }

    @Test func sourceStreamsInitialStateSyncedThenChanges() async throws {
        try directory.write("a.yaml", Self.service("a"))
        let source = ManifestsDirectorySource(
            directory: directory.path, pollInterval: .milliseconds(20), logger: .init(label: "test"))
        try await source.withEvents { iterator in
            #expect(
                await iterator.next()
                    == .change(
                        .upsert(
                            .service(
                                try ServiceValidator.validate(
                                    YAMLObjectDecoder.decode(Service.self, fromYAML: Self.service("a")))))))
            #expect(await iterator.next() == .synced)
            try directory.write("b.yaml", Self.service("b"))
            guard case .change(.upsert(let object)) = await iterator.next() else {
                Issue.record("no change for the new file")
                return
            }
            #expect(object.key == key("default/b"))
            try directory.remove("a.yaml")
            guard case .change(.delete(let gone)) = await iterator.next() else {
                Issue.record("no delete for the removed file")
                return
            }
            #expect(gone.key == key("default/a"))
        }
    }
}
