import Foundation
import IPVS
import Kube
import Logging
import Prometheus
import TestSupport
import Testing

@testable import Proxy

/// The per-Service traffic: summed per Service port from the kernel's statistics, as growth between dumps; the
/// Service port of each virtual server kept by the desired state as it changes; the series labelled
/// namespace/service/port, never an address, and removed with their Service port.
@Suite struct ServiceTrafficTests {
    static let http = ServiceMap.ServicePort(service: ObjectKey(namespace: "default", name: "web"), port: "http")
    static let dns = ServiceMap.ServicePort(service: ObjectKey(namespace: "default", name: "web"), port: "dns")
    static let clusterIP = F.web
    static let nodePort = F.key(.tcp, "192.168.1.5", 30080)
    static let ports = [clusterIP: http, nodePort: http, F.dns: dns]

    static func state(
        _ key: VirtualServerKey, connections: UInt64, bytesIn: UInt64 = 0, active: [UInt32] = []
    ) -> VirtualServerState {
        var statistics = Statistics()
        statistics.connections = connections
        statistics.inPackets = connections * 2
        statistics.outPackets = connections * 3
        statistics.inBytes = bytesIn
        statistics.outBytes = bytesIn * 10
        return VirtualServerState(
            server: F.vs(key), statistics: statistics,
            realServers: active.enumerated().map { index, count in
                RealServerState(
                    server: F.rs("10.244.0.\(10 + index)", 8080), activeConnections: count, inactiveConnections: 1)
            })
    }

    @Test func countersAreSummedOverAServicePortsVirtualServersAsGrowthSinceTheLastDump() {
        var traffic = ServiceTraffic()
        let first = traffic.update(
            [
                Self.state(Self.clusterIP, connections: 10, bytesIn: 100, active: [2, 3]),
                Self.state(Self.nodePort, connections: 5, bytesIn: 50, active: [1]),
                Self.state(F.key(.tcp, "10.96.9.9", 80), connections: 1000),  // no Service port: left out
            ], ports: Self.ports)
        #expect(first.keys.sorted() == [Self.http])
        #expect(first[Self.http]?.connections == 15)
        #expect(first[Self.http]?.inPackets == 30)
        #expect(first[Self.http]?.outPackets == 45)
        #expect(first[Self.http]?.inBytes == 150)
        #expect(first[Self.http]?.outBytes == 1500)
        #expect(first[Self.http]?.activeConnections == 6)
        #expect(first[Self.http]?.inactiveConnections == 3)

        let second = traffic.update(
            [
                Self.state(Self.clusterIP, connections: 12, bytesIn: 130, active: [0, 0]),
                // Made again: its counters went down, so all it holds is new.
                Self.state(Self.nodePort, connections: 1, bytesIn: 7),
                Self.state(F.dns, connections: 4),
            ], ports: Self.ports)
        #expect(second[Self.http]?.connections == 3)
        #expect(second[Self.http]?.inBytes == 37)
        #expect(second[Self.http]?.activeConnections == 0)
        #expect(second[Self.dns]?.connections == 4)
    }

    @Test func theTrackerKeepsTheServicePortOfEveryVirtualServerAsTheServiceMapFindsIt() throws {
        let configuration = ProxyConfiguration(nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")])
        var tracker = DesiredStateTracker(configuration: configuration)
        let web = try Objects.web(
            spec: """
                  type: NodePort
                  clusterIP: 10.96.0.10
                  ports:
                  - {name: http, protocol: TCP, port: 80, nodePort: 30080}
                  - {name: dns, protocol: UDP, port: 53}
                """)
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        tracker.apply(.upsert(.service(web)))
        tracker.apply(.upsert(.endpointSlice(slice)))
        #expect(tracker.servicePorts == ServiceMap(tracker: tracker).servicePorts)
        #expect(tracker.servicePorts[Self.nodePort] == Self.http)
        #expect(tracker.servicePorts.count == 3)

        var renamed = web
        renamed.ports = web.ports.filter { $0.name == "dns" }
        tracker.apply(.upsert(.service(renamed)))
        #expect(tracker.servicePorts == ServiceMap(tracker: tracker).servicePorts)
        #expect(tracker.servicePorts.count == 1)
        tracker.apply(.delete(.service(renamed)))
        #expect(tracker.servicePorts.isEmpty)
    }

    @Test func seriesAreLabelledByServicePortAndGoWithIt() async {
        let metrics = ServiceTrafficMetrics()
        var pass = PassReport(
            sync: SyncReport(), full: true, touched: nil, desired: DesiredState(), objectChanges: 0, programmedSeen: [],
            wall: .zero, cpu: .zero, draining: 0, ownedVirtualServers: 0, ownedRealServers: 0)
        pass.servicePorts = Self.ports
        await ServiceTrafficObserver(metrics: metrics).observe(.pass(pass))
        metrics.record([Self.state(Self.clusterIP, connections: 10, bytesIn: 100, active: [2])])
        metrics.record([Self.state(Self.clusterIP, connections: 11, bytesIn: 100, active: [2])])
        let text = metrics.exposition()
        let labels = #"namespace="default",service="web",port="http""#
        #expect(text.contains("ipvs_proxy_service_connections_total{\(labels)} 11"))
        #expect(text.contains("ipvs_proxy_service_bytes_total{\(labels),direction=\"in\"} 100"))
        #expect(text.contains("ipvs_proxy_service_bytes_total{\(labels),direction=\"out\"} 1000"))
        #expect(text.contains("ipvs_proxy_service_active_connections{\(labels)} 2.0"))
        #expect(!text.contains("10.96.0.10") && !text.contains("10.244.0.10"), "never an address")

        #expect(text.contains("# HELP ipvs_proxy_service_connections_total Connections IPVS scheduled"))
        #expect(text.contains("# TYPE ipvs_proxy_service_bytes_total counter\n"))
        #expect(text.contains("# TYPE ipvs_proxy_service_active_connections gauge\n"))

        metrics.record([])
        #expect(metrics.exposition().isEmpty, "gone with its Service port")
    }

    /// Every line is a comment or `name{labels} value`, each family is written once, and label values are escaped.
    @Test func theExpositionIsWellFormedAndEscapesLabelValues() async {
        let metrics = ServiceTrafficMetrics()
        var pass = PassReport(
            sync: SyncReport(), full: true, touched: nil, desired: DesiredState(), objectChanges: 0, programmedSeen: [],
            wall: .zero, cpu: .zero, draining: 0, ownedVirtualServers: 0, ownedRealServers: 0)
        let odd = ServiceMap.ServicePort(service: ObjectKey(namespace: "default", name: "web"), port: "a\"b\\c\nd")
        pass.servicePorts = [Self.clusterIP: Self.http, F.dns: odd]
        await ServiceTrafficObserver(metrics: metrics).observe(.pass(pass))
        metrics.record([Self.state(Self.clusterIP, connections: 3), Self.state(F.dns, connections: 4)])
        let text = metrics.exposition()
        let lines = text.split(separator: "\n")
        #expect(text.hasSuffix("\n"))
        #expect(lines.filter { $0.hasPrefix("# TYPE ") }.count == 5)
        #expect(lines.filter { !$0.hasPrefix("#") }.count == 2 * 7)
        #expect(text.contains(#"port="a\"b\\c\nd"} 4"#), "\(text)")
        #expect(lines.allSatisfy { $0.hasPrefix("# ") || $0.hasPrefix("ipvs_proxy_service_") })
    }
}
