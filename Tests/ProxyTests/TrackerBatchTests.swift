import IPVS
import Kube
import Pods
import Testing

@testable import Proxy

/// Changes applied to the tracker as one batch (what the loop does with a batch of inputs) give the state they give
/// one at a time, and touch every virtual server and address that differs from before the batch. The Services of a
/// batch are translated in a set's order, which differs from one process to the next: each run tries other orders.
@Suite struct TrackerBatchTests {
    /// Services that share an external IP (claims), topology-aware ones, and slices of each, some moving between
    /// Services; and this node's Node, whose zone and labels change how Services translate.
    static func pool() throws -> [KubeObject] {
        var objects: [KubeObject] = []
        for index in 0..<4 {
            let timestamp = "2026-0\(index + 1)-01T00:00:00Z"
            let policy = index == 1 ? "\n  internalTrafficPolicy: Local" : ""
            let hints = index == 2 ? "\n  annotations: {service.kubernetes.io/topology-mode: Auto}" : ""
            objects.append(
                .service(
                    try Objects.service(
                        """
                        apiVersion: v1
                        kind: Service
                        metadata:
                          name: s\(index)
                          namespace: default
                          creationTimestamp: "\(timestamp)"\(hints)
                        spec:
                          clusterIP: 10.96.0.\(10 + index)
                          externalIPs: [203.0.113.\(index % 2)]\(policy)
                          ports: [{name: http, protocol: TCP, port: 80}]
                        """)))
            for (slice, owner) in [("a", index), ("b", (index + 1) % 4)] {
                objects.append(
                    .endpointSlice(
                        try Objects.slice(
                            """
                            apiVersion: discovery.k8s.io/v1
                            kind: EndpointSlice
                            metadata: {name: s\(index)-\(slice), namespace: default, labels: {kubernetes.io/service-name: s\(owner)}}
                            addressType: IPv4
                            endpoints:
                            - addresses: [10.244.\(index).1]
                              nodeName: node-a
                              zone: z1
                              hints: {forZones: [{name: z1}]}
                            - addresses: [10.244.\(index).2]
                              conditions: {ready: \(slice == "a")}
                              nodeName: node-b
                              zone: z2
                              hints: {forZones: [{name: z2}]}
                            ports: [{name: http, protocol: TCP, port: 8080}]
                            """)))
            }
        }
        objects.append(.node(ValidatedNode(name: "node-a")))
        objects.append(.node(ValidatedNode(name: "node-a", zone: "z1")))
        return objects
    }

    @Test func aBatchGivesTheStateOfItsChangesOneAtATimeAndTouchesWhatDiffers() throws {
        let pool = try Self.pool()
        var random = SeededRandomNumberGenerator(seed: 0xBA7C_0015)
        for _ in 0..<200 {
            var single = DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-a"))
            var batched = single
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let changes: [ObjectChange] = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                    let object = pool[Int.random(in: 0..<pool.count, using: &random)]
                    return Int.random(in: 0..<4, using: &random) == 0 ? .delete(object) : .upsert(object)
                }
                for change in changes { single.apply(change) }
                let before = batched.desired
                let touched = batched.apply(changes)

                #expect(batched.desired == single.desired, "\(changes)")
                #expect(batched.diagnostics == single.diagnostics)
                #expect(batched.servicePorts == single.servicePorts)
                #expect(batched.healthSummaries == single.healthSummaries)
                // Every virtual server and address that differs is touched (the planner looks at those only).
                let keys = Set(before.virtualServers.keys).union(batched.desired.virtualServers.keys)
                let changed = keys.filter { before.virtualServers[$0] != batched.desired.virtualServers[$0] }
                #expect(changed.isSubset(of: touched.virtualServers), "\(changes)")
                let flipped = before.boundAddresses.symmetricDifference(batched.desired.boundAddresses)
                #expect(flipped.isSubset(of: touched.addresses), "\(changes)")
            }
        }
    }
}
