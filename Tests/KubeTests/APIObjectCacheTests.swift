import Foundation
import Logging
import TestSupport
import Testing

@testable import Kube

/// The API objects cache: its file gives back exactly what was written, and a restart takes from it only an object
/// with the same uid at the same resourceVersion, from a list or a streamed list.
@Suite("API objects cache")
struct APIObjectCacheTests {
    typealias Faults = APIServerFaultTests

    static func objects() throws -> [String: KubeObject] {
        let objects = try ManifestCacheTests.everyField().filter { $0.kind != .node }
        return Dictionary(uniqueKeysWithValues: objects.enumerated().map { ("uid-\($0.offset)", $0.element) })
    }

    @Test func aFileGivesBackWhatWasWrittenOnlyToItsProducer() throws {
        let objects = try Self.objects()
        let bytes = APIObjectCache.encode(objects, producer: "p 1")
        let cache = try APIObjectCache.decode(bytes, producer: "p 1")
        #expect(cache.count == objects.count)
        for (uid, object) in objects {
            if let version = object.resourceVersion {
                #expect(cache.object(uid: uid, resourceVersion: version) == object)
                #expect(cache.object(uid: uid, resourceVersion: version + "0") == nil)
            }
        }
        #expect(throws: CacheFile.Unusable.otherProducer("p 1")) { try APIObjectCache.decode(bytes, producer: "p 2") }
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: CacheFile.Unusable.self) {
                try APIObjectCache.decode(Array(bytes[0..<length]), producer: "p 1")
            }
        }
        var changed = bytes
        changed[bytes.count / 2] ^= 1
        #expect(throws: CacheFile.Unusable.self) { try APIObjectCache.decode(changed, producer: "p 1") }
    }

    static func source(_ server: FaultyAPIServer, _ clock: SimulatedClock, cache: String, watchList: Bool)
        -> APIServerSource
    {
        var source = Faults.source(server, clock, watchList: watchList)
        source.options.cacheDirectory = cache
        source.options.cacheProducer = "test"
        return source
    }

    /// The Services a source delivered before it synced, by name, with their first cluster IP.
    static func clusterIPs(_ events: [SourceEvent]) -> [String: String] {
        var found: [String: String] = [:]
        for event in events {
            guard case .change(.upsert(.service(let service))) = event else { continue }
            found[service.key.name] = service.clusterIPs.first.map { "\($0)" }
        }
        return found
    }

    /// A server whose Services s0 and s1 are at resourceVersions 101 and 102 (every server counts from 100), with
    /// the cluster IPs given; `uid` replaces s1's uid.
    static func server(_ clock: SimulatedClock, _ ips: (String, String), s1UID: String? = nil, watchList: Bool)
        async throws -> FaultyAPIServer
    {
        let server = try await FaultyAPIServer(clock: clock, watchList: watchList)
        try server.upsert(.services, FaultyAPIServer.service("s0", clusterIP: ips.0))
        var s1 = FaultyAPIServer.service("s1", clusterIP: ips.1)
        if let s1UID { s1 = s1.replacingOccurrences(of: "uid-s1", with: s1UID) }
        try server.upsert(.services, s1)
        try server.upsert(.endpointSlices, FaultyAPIServer.slice("s0-a", service: "s0", addresses: ["10.244.0.2"]))
        return server
    }

    /// The first run writes the cache; a second run against a server that holds other content under the same uid
    /// and resourceVersion takes the cached object (so it was not decoded), and decodes one whose uid differs; a
    /// third, against a server whose resourceVersions differ, decodes everything.
    @Test(arguments: [false, true])
    func aRestartTakesOnlyTheSameUIDAtTheSameResourceVersion(watchList: Bool) async throws {
        let directory = try TemporaryDirectory()
        let cache = directory.path + "/api-cache"
        let clock = SimulatedClock()
        let first = try await Self.server(clock, ("10.96.1.1", "10.96.1.2"), watchList: watchList)
        let before = try await Faults.run(Self.source(first, clock, cache: cache, watchList: watchList)) {
            $0.hasSynced
        }
        await first.shutdown()
        #expect(Self.clusterIPs(before) == ["s0": "10.96.1.1", "s1": "10.96.1.2"])
        #expect(FileManager.default.fileExists(atPath: cache + "/services"))
        #expect(FileManager.default.fileExists(atPath: cache + "/endpointslices"))

        let second = try await Self.server(clock, ("10.96.9.1", "10.96.9.2"), s1UID: "uid-new", watchList: watchList)
        let after = try await Faults.run(Self.source(second, clock, cache: cache, watchList: watchList)) {
            $0.hasSynced
        }
        await second.shutdown()
        #expect(Self.clusterIPs(after) == ["s0": "10.96.1.1", "s1": "10.96.9.2"])
        #expect(after.all(.endpointSlice) == ["upsert endpointslices/default/s0-a"])

        let third = try await FaultyAPIServer(clock: clock, watchList: watchList)
        try third.upsert(.services, FaultyAPIServer.service("other", clusterIP: "10.96.5.5"))
        try third.upsert(.services, FaultyAPIServer.service("s0", clusterIP: "10.96.7.1"))
        let again = try await Faults.run(Self.source(third, clock, cache: cache, watchList: watchList)) {
            $0.hasSynced
        }
        await third.shutdown()
        #expect(Self.clusterIPs(again) == ["other": "10.96.5.5", "s0": "10.96.7.1"])
    }

    /// A restart that takes every object from the cache, and finds no other, leaves the file as it was.
    @Test func aRestartThatTakesEverythingDoesNotWriteTheCacheAgain() async throws {
        let directory = try TemporaryDirectory()
        let cache = directory.path + "/api-cache"
        let clock = SimulatedClock()
        let first = try await Self.server(clock, ("10.96.1.1", "10.96.1.2"), watchList: false)
        _ = try await Faults.run(Self.source(first, clock, cache: cache, watchList: false)) { $0.hasSynced }
        await first.shutdown()
        let inode = { (name: String) in
            (try? FileManager.default.attributesOfItem(atPath: cache + "/" + name))?[.systemFileNumber] as? UInt64
        }
        let before = (inode("services"), inode("endpointslices"))
        #expect(before.0 != nil && before.1 != nil)

        let second = try await Self.server(clock, ("10.96.1.1", "10.96.1.2"), watchList: false)
        let capture = LogCapture()
        let options = Self.source(second, clock, cache: cache, watchList: false).options
        let source = APIServerSource(
            connection: ClusterConnection(server: second.baseURL, token: .literal("t0k3n")), options: options,
            logger: capture.logger(level: .info))
        _ = try await Faults.run(source) { $0.hasSynced }
        await second.shutdown()
        #expect(inode("services") == before.0 && inode("endpointslices") == before.1, "rewritten")
        let unchanged = capture.records.filter { $0.message == "API objects cache unchanged: not written" }
        #expect(unchanged.count == 2, "\(capture.records.map(\.message))")
    }

    @Test func anUnwritableCacheLeavesTheSourceWorking() async throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.path + "/file"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let clock = SimulatedClock()
        let server = try await Self.server(clock, ("10.96.1.1", "10.96.1.2"), watchList: false)
        let capture = LogCapture()
        var source = Self.source(server, clock, cache: blocker + "/api-cache", watchList: false)
        source = APIServerSource(
            connection: ClusterConnection(server: server.baseURL, token: .literal("t0k3n")), options: source.options,
            logger: capture.logger(level: .info))
        let events = try await Faults.run(source) { $0.hasSynced }
        await server.shutdown()
        #expect(Self.clusterIPs(events) == ["s0": "10.96.1.1", "s1": "10.96.1.2"])
        let warnings = capture.records.filter { $0.message.hasPrefix("API objects cache not written") }
        #expect(warnings.count == 2, "\(capture.records.map(\.message))")
    }
}
