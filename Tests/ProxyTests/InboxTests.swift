import Health
import Kube
import Metrics
import Prometheus
import TestSupport
import Testing

@testable import Proxy

/// The inbox stays bounded while the loop is busy, without losing truth: each object's and each endpoint's latest
/// input wins, ticks are one, and a full inbox makes producers wait instead of growing or dropping.
@Suite("Inbox")
struct InboxTests {
    static func service(_ name: String, port: Int = 80) throws -> KubeObject {
        .service(
            try Objects.service(
                """
                apiVersion: v1
                kind: Service
                metadata: {name: \(name), namespace: default}
                spec: {clusterIP: 10.96.0.10, ports: [{name: http, protocol: TCP, port: \(port)}]}
                """))
    }

    static func target(_ address: String) -> HealthTarget {
        HealthTarget(address: F.ip(address), port: 8080, probe: HealthProbe())
    }

    static func describe(_ inputs: [Inbox.Input]) -> [String] {
        inputs.map { input in
            switch input {
            case .event(.change(.upsert(let object))):
                if case .service(let service) = object {
                    return "upsert \(object.key.name):\(service.ports.map { "\($0.port)" }.joined())"
                }
                return "upsert \(object.key.name)"
            case .event(.change(.delete(let object))): return "delete \(object.key.name)"
            case .event(.synced): return "synced"
            case .tick: return "tick"
            case .health(let transition): return "health \(transition.target.address) \(transition.status)"
            case .sourceEnded: return "ended"
            case .node(let addresses): return "node \(addresses.nodePortAddresses.map(\.description).joined(separator: ","))"
            case .superseded(let counted): return "counted \(counted.isDelete ? "delete" : "upsert") \(counted.kind)"
            }
        }
    }

    @Test func theLatestChangeOfAnObjectReplacesItsPendingOneInFirstArrivalOrder() async throws {
        let inbox = Inbox()
        await inbox.push(.event(.change(.upsert(try Self.service("a", port: 80)))))
        await inbox.push(.event(.change(.upsert(try Self.service("b")))))
        await inbox.push(.event(.synced))
        await inbox.push(.event(.change(.upsert(try Self.service("a", port: 81)))))
        await inbox.push(.event(.change(.upsert(try Self.service("c")))))
        await inbox.push(.event(.change(.delete(try Self.service("c")))))
        #expect(inbox.depth == 4)
        let stamped = inbox.takeStamped()
        #expect(
            Self.describe(stamped.map(\.input)) == [
                "counted upsert service", "upsert a:81", "upsert b:80", "counted upsert service", "delete c", "synced",
            ])
        #expect(stamped[1].at <= stamped[2].at, "a change is dated by its object's first sighting")
        #expect(inbox.take().isEmpty)
        #expect(inbox.depth == 0)
    }

    @Test func aDeleteThenAnAddOfTheSameObjectEndsAsTheAdd() async throws {
        let inbox = Inbox()
        await inbox.push(.event(.change(.delete(try Self.service("a")))))
        await inbox.push(.event(.change(.upsert(try Self.service("a", port: 82)))))
        #expect(Self.describe(inbox.take()) == ["counted delete service", "upsert a:82"])
    }

    @Test func ticksAreOneAndEachEndpointKeepsItsLatestStatus() async {
        let inbox = Inbox()
        for _ in 0..<5 { await inbox.push(.tick) }
        await inbox.push(.health(HealthTransition(target: Self.target("10.244.0.10"), status: .down)))
        await inbox.push(.health(HealthTransition(target: Self.target("10.244.0.11"), status: .down)))
        await inbox.push(.health(HealthTransition(target: Self.target("10.244.0.10"), status: .up)))
        await inbox.push(.sourceEnded)
        #expect(
            Self.describe(inbox.take()) == [
                "health 10.244.0.10 up", "health 10.244.0.11 down", "tick", "ended",
            ])
    }

    @Test func aFullInboxMakesTheProducerWaitUntilTheLoopTakes() async throws {
        let inbox = Inbox(capacity: 2)
        await inbox.push(.event(.change(.upsert(try Self.service("a")))))
        await inbox.push(.event(.change(.upsert(try Self.service("b")))))
        // Coalescing never needs room, nor do ticks.
        await inbox.push(.event(.change(.upsert(try Self.service("a", port: 81)))))
        let third = try Self.service("c")
        let producer = Task { await inbox.push(.event(.change(.upsert(third)))) }
        await waitFor { inbox.waitingProducers == 1 }
        #expect(inbox.waitingProducers == 1, "the third object waits for room")
        #expect(Self.describe(inbox.take()) == ["counted upsert service", "upsert a:81", "upsert b:80"])
        await producer.value
        #expect(Self.describe(inbox.take()) == ["upsert c:80"], "nothing was dropped")
    }

    @Test func aCancelledProducerStopsWaiting() async throws {
        let inbox = Inbox(capacity: 1)
        await inbox.push(.event(.change(.upsert(try Self.service("a")))))
        let second = try Self.service("b")
        let producer = Task { await inbox.push(.event(.change(.upsert(second)))) }
        await waitFor { inbox.waitingProducers == 1 }
        producer.cancel()
        await producer.value
        #expect(inbox.waitingProducers == 0)
    }

    @Test func theDepthIsAMetric() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ProxyMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let inbox = Inbox(depth: metrics.inboxDepth)
        await inbox.push(.event(.change(.upsert(try Self.service("a")))))
        await inbox.push(.event(.change(.upsert(try Self.service("b")))))
        await inbox.push(.tick)
        #expect(registry.emitToString().contains("\(ProxyMetrics.Name.inboxDepth) 3"))
        _ = inbox.take()
        #expect(registry.emitToString().contains("\(ProxyMetrics.Name.inboxDepth) 0"))
    }

    @Test func theNodesAddressesKeepTheLatestSet() async throws {
        let inbox = Inbox()
        let first = NodeAddressSet(nodePortAddresses: [F.ip("192.168.1.5")], otherInterfaceAddresses: [])
        let second = NodeAddressSet(nodePortAddresses: [F.ip("192.168.1.6")], otherInterfaceAddresses: [])
        await inbox.push(.node(first))
        await inbox.push(.tick)
        await inbox.push(.node(second))
        #expect(Self.describe(inbox.take()) == ["node 192.168.1.6", "tick"])
        #expect(inbox.depth == 0)
    }
}
