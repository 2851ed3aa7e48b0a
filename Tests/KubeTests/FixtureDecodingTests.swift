import Foundation
import Testing
import Values

@testable import Kube

@Suite("Decoding recorded kube-apiserver 1.36 responses")
struct FixtureDecodingTests {
    func services() throws -> [String: ValidatedService] {
        let list = try JSONDecoder().decode(ObjectList<Service>.self, from: Fixtures.data("services-list.json"))
        var result: [String: ValidatedService] = [:]
        for service in list.items {
            let validated = try ServiceValidator.validate(service)
            result[validated.key.description] = validated
        }
        return result
    }

    @Test func serviceListMetadataAndItems() throws {
        let list = try JSONDecoder().decode(ObjectList<Service>.self, from: Fixtures.data("services-list.json"))
        #expect(list.kind == "ServiceList")
        #expect(list.metadata.resourceVersion == "216")
        #expect(list.metadata.continue == nil)
        #expect(
            list.items.map { "\($0.metadata.namespace ?? "")/\($0.metadata.name ?? "")" } == [
                "default/ext", "default/headless", "default/kubernetes", "default/web", "shop/api",
            ])
    }

    @Test func clusterIPServiceWithNamedTargetPortAndAffinity() throws {
        let web = try #require(try services()["default/web"])
        #expect(web.type == .clusterIP)
        #expect(web.clusterIPs == [.v4(IPv4Address(10, 96, 0, 10))])
        #expect(web.resourceVersion == "209")
        #expect(web.sessionAffinity == .clientIP(timeoutSeconds: 600))
        #expect(web.annotations["kube-router.io/service.scheduler"] == "lc")
        #expect(
            web.ports == [
                .init(name: "http", protocol: .tcp, port: 80, targetPort: .name("web"), nodePort: nil),
                .init(name: "dns", protocol: .udp, port: 53, targetPort: .number(5353), nodePort: nil),
            ])
        #expect(web.internalTrafficPolicy == .cluster)
        #expect(!web.isHeadless)
    }

    @Test func nodePortServiceWithExternalIPsAndLocalPolicy() throws {
        let api = try #require(try services()["shop/api"])
        #expect(api.type == .nodePort)
        #expect(api.externalIPs.map(\.description) == ["203.0.113.10"])
        #expect(api.externalTrafficPolicy == .local)
        #expect(api.ports.first?.nodePort == 30080)
        #expect(api.ports.first?.targetPort == .number(8080))
    }

    @Test func headlessExternalNameAndDefaultKubernetesService() throws {
        let all = try services()
        let headless = try #require(all["default/headless"])
        #expect(headless.isHeadless)
        #expect(headless.clusterIPs.isEmpty)
        let ext = try #require(all["default/ext"])
        #expect(ext.type == .externalName)
        #expect(ext.externalName == "example.com")
        #expect(ext.ports.isEmpty)
        let kubernetes = try #require(all["default/kubernetes"])
        // Its labels (`component`, `provider`) are an application's: no proxy reads them, so none is kept.
        #expect(kubernetes.labels.isEmpty)
        #expect(kubernetes.ports.first?.targetPort == .number(6443))
        #expect(kubernetes.sessionAffinity == SessionAffinity.none)
    }

    @Test func endpointSliceList() throws {
        let list = try JSONDecoder().decode(
            ObjectList<EndpointSlice>.self, from: Fixtures.data("endpointslices-list.json"))
        #expect(list.metadata.resourceVersion == "216")
        let results = try list.items.map { try EndpointSliceValidator.validate($0) }
        #expect(results.allSatisfy { $0.warnings.isEmpty })
        let web = try #require(results.first { $0.slice.key == key("default/web-abc12") }?.slice)
        #expect(web.serviceName == "web")
        #expect(web.serviceKey == key("default/web"))
        #expect(web.addressType == .ipv4)
        #expect(
            web.ports == [
                .init(name: "http", protocol: .tcp, port: 8080), .init(name: "dns", protocol: .udp, port: 5353),
            ])
        #expect(web.endpoints.map(\.address.description) == ["10.244.1.2", "10.244.1.3"])
        #expect(
            web.endpoints.map { [$0.ready, $0.serving, $0.terminating] } == [
                [true, true, false], [false, true, true],
            ])
        #expect(web.endpoints.map(\.nodeName) == ["node-a", "node-b"])
        #expect(web.endpoints.map(\.zone) == ["z1", nil])
        let api = try #require(results.first { $0.slice.key == key("shop/api-x1") }?.slice)
        // Only `ready` is given: serving follows it, terminating defaults to false.
        #expect(api.endpoints.map { [$0.ready, $0.serving, $0.terminating] } == [[true, true, false]])
    }

    @Test func paginatedListPages() throws {
        let first = try JSONDecoder().decode(ObjectList<Service>.self, from: Fixtures.data("services-list-page1.json"))
        let second = try JSONDecoder().decode(ObjectList<Service>.self, from: Fixtures.data("services-list-page2.json"))
        #expect(first.items.compactMap(\.metadata.name) == ["ext", "headless"])
        #expect(first.metadata.remainingItemCount == 3)
        #expect(first.metadata.continue?.isEmpty == false)
        #expect(second.items.compactMap(\.metadata.name) == ["kubernetes", "web"])
        #expect(second.metadata.continue != first.metadata.continue)
    }

    @Test func failureStatuses() throws {
        let gone = try JSONDecoder().decode(APIStatus.self, from: Fixtures.data("services-list-410.json"))
        #expect(gone.isExpired && gone.code == 410 && gone.reason == "Expired")
        let bad = try JSONDecoder().decode(APIStatus.self, from: Fixtures.data("services-list-bad-continue.json"))
        #expect(!bad.isExpired && bad.code == 400 && bad.reason == "BadRequest")
    }

    @Test func serviceWatchEvents() throws {
        let events = try Fixtures.lines("services-watch.jsonl").map {
            try JSONDecoder().decode(WatchEvent<Service>.self, from: Data($0.utf8))
        }
        let summary = events.map { event -> String in
            switch event {
            case .added(let s): "ADDED \(s.metadata.name ?? "") \(s.metadata.resourceVersion ?? "")"
            case .modified(let s): "MODIFIED \(s.metadata.name ?? "") \(s.metadata.resourceVersion ?? "")"
            case .deleted(let s): "DELETED \(s.metadata.name ?? "") \(s.metadata.resourceVersion ?? "")"
            case .bookmark(let version): "BOOKMARK \(version ?? "")"
            case .error(let status): "ERROR \(status.code ?? 0)"
            }
        }
        #expect(summary == ["MODIFIED web 217", "ADDED late 220", "DELETED late 221", "BOOKMARK 221", "BOOKMARK 221"])
    }

    @Test func endpointSliceWatchEventsAndBookmarkWithNullFields() throws {
        let events = try Fixtures.lines("endpointslices-watch.jsonl").map {
            WatchInput.from(try JSONDecoder().decode(WatchEvent<EndpointSlice>.self, from: Data($0.utf8)))
        }
        #expect(events.count == 4)
        guard case .upsert(.valid(let object, _, let version)) = events[0], let slice = object.slice else {
            Issue.record("first event is not a valid upsert: \(events[0])")
            return
        }
        #expect(version == "218")
        #expect(slice.endpoints.count == 2)  // kubectl patch appended an endpoint
        #expect(events[3] == .bookmark(resourceVersion: "235"))
    }

    @Test func watchErrorEventCarries410() throws {
        let line = try #require(try Fixtures.lines("services-watch-410.jsonl").first)
        let event = try JSONDecoder().decode(WatchEvent<Service>.self, from: Data(line.utf8))
        guard case .error(let status) = event else {
            Issue.record("not an ERROR event")
            return
        }
        #expect(status.isExpired)
        #expect(status.message == "too old resource version: 210 (247)")
    }
}
