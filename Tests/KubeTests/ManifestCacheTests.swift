import Foundation
import TestSupport
import Testing
import Values

@testable import Kube

/// The decoded-manifests cache: what it keeps, that it gives back exactly that, and that it is used only for the
/// bytes its objects were decoded from.
@Suite("Manifests cache", .timeLimit(.minutes(1)))
struct ManifestCacheTests {
    typealias Files = ManifestsDirectoryTests

    /// Objects with every field set (and the optional ones absent in a second version), as validation makes them.
    static func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    static func everyField() throws -> [KubeObject] {
        let service = ValidatedService(
            key: ObjectKey(namespace: "shop", name: "web"), resourceVersion: "42", type: .loadBalancer,
            clusterIPs: [try ip("10.96.0.10"), try ip("fd00::a")], isHeadless: false,
            ports: [
                .init(name: "http", protocol: .tcp, port: 80, targetPort: .name("web"), nodePort: 30080),
                .init(name: "dns", protocol: .udp, port: 53, targetPort: .number(5353), nodePort: nil),
                .init(name: "", protocol: .sctp, port: 9, targetPort: .number(9), nodePort: nil),
            ],
            sessionAffinity: .clientIP(timeoutSeconds: 600), externalIPs: [try ip("192.0.2.7")],
            loadBalancerIngressIPs: [try ip("203.0.113.9")], internalTrafficPolicy: .local,
            externalTrafficPolicy: .local, healthCheckNodePort: 31000, externalName: nil,
            labels: ["app": "web", "tier": "front"], annotations: ["ipvs-proxy/scheduler": "wlc"],
            deletionTimestamp: "2026-12-06T10:00:00Z", creationTimestamp: "2026-01-01T00:00:00Z",
            loadBalancerSourceRanges: ["10.0.0.0/8", "192.168.0.0/16"])
        let bare = ValidatedService(
            key: ObjectKey(namespace: "default", name: "external"), resourceVersion: nil, type: .externalName,
            clusterIPs: [], isHeadless: true, ports: [], sessionAffinity: .none, externalIPs: [],
            loadBalancerIngressIPs: [], internalTrafficPolicy: .cluster, externalTrafficPolicy: .cluster,
            healthCheckNodePort: nil, externalName: "db.example.com", labels: [:], annotations: [:],
            deletionTimestamp: nil)
        let slice = ValidatedEndpointSlice(
            key: ObjectKey(namespace: "shop", name: "web-abc"), resourceVersion: "43", serviceName: "web",
            addressType: .ipv4,
            endpoints: [
                .init(
                    address: try ip("10.1.0.5"), ready: true, serving: true, terminating: false,
                    nodeName: "ip-10-0-1-23.eu-west-1.compute.internal", zone: "eu-west-1a",
                    hintZones: ["eu-west-1a"], hintNodes: ["ip-10-0-1-23.eu-west-1.compute.internal"],
                    targetName: "web-5d8f7"),
                .init(address: try ip("10.1.0.6"), ready: false, serving: true, terminating: true),
                .init(address: try ip("10.1.0.7"), ready: false, serving: false, terminating: false),
            ],
            ports: [.init(name: "http", protocol: .tcp, port: 8080), .init(name: "dns", protocol: .udp, port: 5353)],
            lastChangeTriggerTime: 1_765_000_000.25, serviceProxyName: "ipvs", headless: true)
        let bareSlice = ValidatedEndpointSlice(
            key: ObjectKey(namespace: "default", name: "v6"), resourceVersion: nil, serviceName: nil,
            addressType: .ipv6,
            endpoints: [
                .init(
                    address: try ip("fd00::5"), ready: true, serving: true,
                    terminating: false)
            ], ports: [])
        let node = ValidatedNode(
            name: "lab", zone: "z1", beingDeleted: true, taintKeys: ["b", "a"],
            hostIPs: [try ip("192.0.2.1"), try ip("2001:db8::1")])
        return [
            .service(service), .service(bare), .endpointSlice(slice), .endpointSlice(bareSlice), .node(node),
            .node(ValidatedNode(name: "bare")),
        ]
    }

    static let digest = ContentDigest(of: Array("a file".utf8))

    @Test func everyFieldComesBackAsItWasWritten() throws {
        let objects = try Self.everyField()
        let bytes = ManifestCache.encode([(Self.digest, objects)], producer: "test 1")
        let cache = try ManifestCache.decode(bytes, producer: "test 1")
        #expect(cache.count == 1)
        #expect(cache.objects(for: Self.digest) == objects)
        #expect(cache.objects(for: ContentDigest(of: Array("another file".utf8))) == nil)
    }

    @Test func anotherProgramsCacheIsNotUsed() throws {
        let bytes = ManifestCache.encode([(Self.digest, try Self.everyField())], producer: "test 1")
        #expect(throws: ManifestCache.Unusable.otherProducer("test 1")) {
            try ManifestCache.decode(bytes, producer: "test 2")
        }
    }

    /// Every cut, and a changed byte anywhere, is refused as damaged: never a crash, never other objects.
    @Test func aCutOrChangedCacheIsRefusedWhole() throws {
        let bytes = ManifestCache.encode([(Self.digest, try Self.everyField())], producer: "test 1")
        for length in 0..<bytes.count {
            #expect(throws: ManifestCache.Unusable.self) {
                try ManifestCache.decode(Array(bytes[0..<length]), producer: "test 1")
            }
        }
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var changed = bytes
            changed[index] ^= 0x20
            #expect(throws: ManifestCache.Unusable.self) { try ManifestCache.decode(changed, producer: "test 1") }
        }
    }

    @Test func theDigestDependsOnEveryByteAndTheLength() {
        let text = Array(Files.service("web").utf8)
        let digest = ContentDigest(of: text)
        #expect(ContentDigest(of: text) == digest)
        for index in text.indices {
            var changed = text
            changed[index] &+= 1
            #expect(ContentDigest(of: changed) != digest)
        }
        #expect(ContentDigest(of: text + [0]) != digest)
        #expect(ContentDigest(of: [UInt8]()) != ContentDigest(of: [0]))
    }

    /// A scan with a cache takes a file's objects from it when the file's bytes are the cached ones (shown with a
    /// planted object no file holds), parses every other file, and keeps in the cache only the files that loaded
    /// clean: a file with a rejected object is parsed at every start, and its error said again.
    @Test func aScanTakesCachedObjectsOnlyForTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", Files.service("a"))
        try directory.write(
            "b.yaml", Files.service("b") + "---\nkind: Service\nmetadata: {name: bad}\nspec: {type: Nope}\n")
        var first = ManifestsDirectoryScanner(directory: directory.path)
        _ = first.scan()
        let cacheable = first.state.cacheable
        #expect(cacheable.count == 1)
        #expect(cacheable.first?.objects.map(\.key.name) == ["a"])
        let digest = try #require(cacheable.first?.digest)
        #expect(digest == ContentDigest(of: Array(Files.service("a").utf8)))

        // A cache saying a.yaml's bytes hold Service shop/web (planted: no file does): a scan with it delivers that,
        // and parses b.yaml, whose rejected object is reported again.
        let planted = try #require(try Self.everyField().first)
        let cache = try ManifestCache.decode(
            ManifestCache.encode([(digest, [planted])], producer: "p"), producer: "p")
        var second = ManifestsDirectoryScanner(directory: directory.path)
        let batch = second.prepareScan()
        let (changes, diagnostics) = second.finish(
            batch, reading: batch.files.map { ManifestsDirectoryScanner.read($0, cache: cache) })
        #expect(changes.map(\.summary) == ["upsert services/default/b", "upsert services/shop/web"])
        #expect(second.filesFromCache == 1)
        #expect(diagnostics.contains { if case .rejected = $0 { true } else { false } })

        // Once a.yaml holds other bytes, it is parsed.
        try directory.write("a.yaml", Files.service("a", port: 81))
        var third = ManifestsDirectoryScanner(directory: directory.path)
        let next = third.prepareScan()
        let parsed = third.finish(next, reading: next.files.map { ManifestsDirectoryScanner.read($0, cache: cache) })
        #expect(parsed.changes.map(\.summary) == ["upsert services/default/a", "upsert services/default/b"])
        #expect(third.filesFromCache == 0)
    }

    /// The source writes the cache after its first whole scan, and again as it stops when a file changed since; a
    /// second start reads it, takes every file from it (the edited one too), and delivers what the first held.
    @Test func aRestartedSourceReadsTheFilesFromTheCache() async throws {
        let directory = try TemporaryDirectory()
        let state = try TemporaryDirectory()
        for index in 0..<20 {
            try directory.write(
                "s\(index).yaml",
                Files.service("s\(index)") + "---\n"
                    + Files.slice("s\(index)-1", service: "s\(index)", addresses: ["10.0.0.\(index + 1)"]))
        }
        let cacheFile = state.file("run/manifests-cache")
        func start(_ capture: LogCapture, producer: String = "test", edit: Bool = false) async throws -> [String] {
            let source = ManifestsDirectorySource(
                directory: directory.path, rescanInterval: .seconds(3600), cacheFile: cacheFile,
                cacheProducer: producer, logger: capture.logger())
            return try await source.withEvents { iterator in
                var seen: [String] = []
                while case .change(let change)? = await iterator.next() { seen.append(change.summary) }
                // Written (or not) after the synced event: wait for the log line.
                for await record in capture.stream where record.message.hasPrefix("manifests cache") {
                    if record.message != "manifests cache read" { break }
                }
                guard edit else { return seen.sorted() }
                try directory.replace("s0.yaml", Files.service("s0", port: 81))
                guard case .change(let change)? = await iterator.next() else {
                    Issue.record("no change after the edit")
                    return seen.sorted()
                }
                #expect(change.summary == "upsert services/default/s0")
                return seen.sorted()
            }
        }
        let first = LogCapture()
        let delivered = try await start(first, edit: true)
        #expect(delivered.count == 40)
        let writes = first.records.filter { $0.message == "manifests cache written" }
        #expect(writes.map { $0.metadata["files"] } == ["20", "20"])
        #expect(writes.first?.metadata["filesReadFromCache"] == "0")
        let attributes = try FileManager.default.attributesOfItem(atPath: cacheFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        // s0.yaml now holds its Service alone, on port 81: read from the cache written as the first start stopped.
        let second = LogCapture()
        let restarted = try await start(second)
        #expect(restarted == delivered.filter { $0 != "upsert endpointslices/default/s0-1" })
        let read = try #require(second.records.first { $0.message == "manifests cache read" })
        #expect(read.metadata["files"] == "20")
        // Nothing changed: nothing is written.
        #expect(second.records.contains { $0.message == "manifests cache unchanged: not written" })
        #expect(!second.records.contains { $0.message == "manifests cache written" })

        // Another program's cache (another producer) is not used, and says so.
        let third = LogCapture()
        let again = try await start(third, producer: "other")
        #expect(again == restarted)
        #expect(third.records.first { $0.message == "manifests cache written" }?.metadata["filesReadFromCache"] == "0")
        #expect(third.records.contains { $0.message.hasPrefix("manifests cache not used") })
    }
}
