import Foundation
import Testing
import Values

@testable import Kube

/// Endpoints on the same node share one copy of its name, however many slices they come in; the table stays bounded.
@Suite struct NameTableTests {
    static let node = "ip-10-0-1-23.eu-west-1.compute.internal"
    static let zone = "eu-west-1a-far-away-zone"

    /// The address of a string's UTF-8 storage (nil for one held inline).
    static func storage(_ text: String?) -> UnsafeRawPointer? {
        text?.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    /// A slice decoded from JSON, as the API server source decodes it: every string a copy of its own.
    static func slice(_ name: String, endpoints: Int) throws -> EndpointSlice {
        let items = (0..<endpoints).map { index in
            """
            {"addresses":["10.244.0.\(index + 1)"],"nodeName":"\(node)","zone":"\(zone)",\
            "hints":{"forZones":[{"name":"\(zone)"}]}}
            """
        }
        let json = """
            {"metadata":{"name":"\(name)","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},\
            "addressType":"IPv4","endpoints":[\(items.joined(separator: ","))]}
            """
        return try JSONDecoder().decode(EndpointSlice.self, from: Data(json.utf8))
    }

    @Test func endpointsOfTwoSlicesShareTheirNodesNameAndZone() throws {
        let names = NameTable(capacity: 100)
        let first = try EndpointSliceValidator.validate(Self.slice("web-a", endpoints: 2), names: names).slice
        let second = try EndpointSliceValidator.validate(Self.slice("web-b", endpoints: 1), names: names).slice
        let endpoints = first.endpoints + second.endpoints
        #expect(endpoints.map(\.nodeName) == Array(repeating: Self.node, count: 3))
        let nodeStorage = try #require(Self.storage(endpoints[0].nodeName))
        #expect(endpoints.allSatisfy { Self.storage($0.nodeName) == nodeStorage })
        let zoneStorage = try #require(Self.storage(endpoints[0].zone))
        #expect(endpoints.allSatisfy { Self.storage($0.zone) == zoneStorage })
        #expect(endpoints.allSatisfy { Self.storage($0.hintZones.first) == zoneStorage })
        #expect(names.count == 2)
        // The pair is one object, which every endpoint on the node holds.
        let placement = try #require(endpoints[0].placement)
        #expect(endpoints.allSatisfy { $0.placement === placement })
        #expect(names.placementCount == 1)
    }

    /// An endpoint holds its node, zone and hints in one word: 64 bytes an endpoint where the two names took 96 and
    /// the hints 8 more.
    @Test func anEndpointHoldsItsNodeZoneAndHintsInOneWord() {
        #expect(MemoryLayout<ValidatedEndpointSlice.Endpoint>.stride <= 64)
        var endpoint = ValidatedEndpointSlice.Endpoint(
            address: .v4(IPv4Address(10, 244, 0, 1)), ready: true, serving: true, terminating: false,
            nodeName: "node-a")
        #expect(endpoint.nodeName == "node-a" && endpoint.zone == nil)
        endpoint.zone = "zone-a"
        #expect(endpoint.nodeName == "node-a" && endpoint.zone == "zone-a")
        endpoint.nodeName = nil
        #expect(endpoint.nodeName == nil && endpoint.zone == "zone-a")
        endpoint.zone = nil
        #expect(endpoint.placement == nil)
        let none = ValidatedEndpointSlice.Endpoint(
            address: .v4(IPv4Address(10, 244, 0, 1)), ready: true, serving: true, terminating: false)
        #expect(endpoint == none)
    }

    @Test func placementsAreBoundedAsNamesAre() {
        let names = NameTable(capacity: 3)
        for index in 0..<10 { _ = names.placement(node: "node-\(index)", zone: "zone-a") }
        #expect(names.placementCount <= 3)
        let kept = names.placement(node: "node-x", zone: nil)
        #expect(names.placement(node: "node-x", zone: nil) === kept)
        #expect(names.placement(node: nil, zone: nil) == nil)
        #expect(names.placement(node: nil, zone: nil, hintZones: [], hintNodes: []) == nil)
        let hinted = names.placement(node: nil, zone: nil, hintZones: ["zone-a"])
        #expect(hinted?.names.hintZones == ["zone-a"])
        #expect(names.placement(node: nil, zone: nil, hintZones: ["zone-a"]) === hinted)
        #expect(names.placementCount <= 3)
        // More hints than the API server allows: the endpoint's own placement, not kept.
        let many = (0...NameTable.maxHintsPerKind).map { "a-zone-name-too-long-to-be-inline-\($0)" }
        let namesBefore = names.count
        let unkept = names.placement(node: "node-x", zone: nil, hintZones: many)
        #expect(unkept?.names.hintZones == many)
        #expect(names.placement(node: "node-x", zone: nil, hintZones: many) !== unkept)
        // Nor are its hint names interned: the table holds the names it held before.
        #expect(names.count == namesBefore)
    }

    @Test func shortNamesAreLeftInlineAndNotKept() {
        let names = NameTable(capacity: 100)
        #expect(names.intern("node-a") == "node-a")
        #expect(names.intern(nil as String?) == nil)
        #expect(names.count == 0)
    }

    @Test func aFullTableStartsAgainSoNamesCannotGrowIt() {
        let names = NameTable(capacity: 3)
        for index in 0..<10 { _ = names.intern("a-node-name-longer-than-inline-\(index)") }
        #expect(names.count <= 3)
        let kept = names.intern(Self.node)
        let copy = String(decoding: Array(Self.node.utf8), as: UTF8.self)
        #expect(Self.storage(copy) != Self.storage(kept))
        #expect(Self.storage(names.intern(copy)) == Self.storage(kept))
    }

    /// The Pods of a Deployment behind one slice share their ReplicaSet's name in one copy; each name reads back
    /// whole, whatever its shape.
    @Test func endpointsOfOneSliceShareTheirPodNamesPrefix() throws {
        let replicaSet = "checkout-frontend-7d9f8b6c5-"
        let names = ["\(replicaSet)x2kpq", "\(replicaSet)b7wzr", "web-0", "nodash", "ends-", "-", ""]
        let endpoints = names.enumerated().map { index, name in
            ValidatedEndpointSlice.Endpoint(
                address: .v4(IPv4Address(10, 244, 0, UInt8(index + 1))), ready: true, serving: true,
                terminating: false,
                // Each name a copy of its own, as decoding gives them.
                targetName: String(decoding: Array(name.utf8), as: UTF8.self))
        }
        #expect(Self.storage(endpoints[0].targetPrefix) != Self.storage(endpoints[1].targetPrefix))
        let slice = ValidatedEndpointSlice(
            key: ObjectKey(namespace: "default", name: "checkout"), resourceVersion: nil, serviceName: "checkout",
            addressType: .ipv4,
            endpoints: endpoints + [
                ValidatedEndpointSlice.Endpoint(
                    address: .v4(IPv4Address(10, 244, 0, 99)), ready: true, serving: true, terminating: false)
            ],
            ports: [])
        #expect(slice.endpoints.map(\.targetName) == names + [nil])
        #expect(slice.endpoints == endpoints + [slice.endpoints[names.count]])
        let shared = try #require(Self.storage(slice.endpoints[0].targetPrefix))
        #expect(Self.storage(slice.endpoints[1].targetPrefix) == shared)
        #expect(slice.endpoints[0].targetSuffix == "x2kpq")
    }

    /// Zone and node hints, held in the shared placement, read back as given; each kind, the node and the zone
    /// change alone.
    @Test func anEndpointsHintsReadBackAsGiven() throws {
        var endpoint = ValidatedEndpointSlice.Endpoint(
            address: .v4(IPv4Address(10, 244, 0, 1)), ready: true, serving: true, terminating: false,
            hintZones: ["zone-a", "zone-b"], hintNodes: ["node-1"])
        #expect(endpoint.hintZones == ["zone-a", "zone-b"] && endpoint.hintNodes == ["node-1"])
        endpoint.hintNodes = ["node-2", "node-3"]
        #expect(endpoint.hintZones == ["zone-a", "zone-b"] && endpoint.hintNodes == ["node-2", "node-3"])
        endpoint.nodeName = "node-2"
        endpoint.zone = "zone-a"
        #expect(endpoint.hintZones == ["zone-a", "zone-b"] && endpoint.hintNodes == ["node-2", "node-3"])
        endpoint.hintZones = []
        #expect(endpoint.hintZones.isEmpty && endpoint.hintNodes == ["node-2", "node-3"])
        #expect(endpoint.nodeName == "node-2" && endpoint.zone == "zone-a")
        // Another endpoint with the same names holds the same object.
        let other = ValidatedEndpointSlice.Endpoint(
            address: .v4(IPv4Address(10, 244, 0, 2)), ready: true, serving: true, terminating: false,
            nodeName: "node-2", zone: "zone-a", hintNodes: ["node-2", "node-3"])
        #expect(try #require(other.placement) === endpoint.placement)
        endpoint.hintNodes = []
        endpoint.nodeName = nil
        endpoint.zone = nil
        let none = ValidatedEndpointSlice.Endpoint(
            address: .v4(IPv4Address(10, 244, 0, 1)), ready: true, serving: true, terminating: false)
        #expect(endpoint == none)
        #expect(endpoint.placement == nil)
    }
}
