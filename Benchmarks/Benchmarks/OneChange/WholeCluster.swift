import Benchmark
import Foundation
import Kube
import Proxy

/// The whole-cluster steps at 10,000 Services x 10 endpoints, apart from decoding and from the kernel:
/// translating the 20,000 decoded objects into the desired state (a fresh tracker each iteration), planning a
/// full pass against an actual state that already matches it (zero operations, checked), and the two steps of each
/// periodic resync's start that cost in proportion to the cluster (listing the virtual servers to read; comparing
/// the VIP link's 10,000 addresses, as read, with what the proxy knew and with the desired state).
func wholeClusterBenchmarks(_ cluster: Shared) {
    let decoded = Decoded(services: 10_000, endpoints: 10)
    Benchmark(
        "Translate 10,000 Services x 10 endpoints (20,000 decoded objects into a fresh desired state)",
        configuration: .init(warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-0"))
            // As the loop applies a new node's first list: one batch, each Service translated once.
            blackHole(tracker.apply(decoded.objects.map { ObjectChange.upsert($0) }))
            precondition(tracker.desired.virtualServers.count == 10_000, "not one virtual server per Service")
            blackHole(tracker)
        }
    }

    onLoadedCluster(cluster, "List the virtual servers a resync reads at 10,000 Services") { loaded in
        { _ in
            let keys = loaded.reconciler.resyncKeys(loaded.tracker.desired)
            precondition(keys.count >= 10_000, "a resync that would not read every virtual server")
            blackHole(keys)
        }
    }

    onLoadedCluster(cluster, "Compare the VIP link's 10,000 addresses as a resync reads them") { loaded in
        let bound = loaded.tracker.desired.boundAddresses
        let listed = Array(bound)  // what the link's dump gives: every address, once
        return { _ in
            // As `Reconciler.resync` does with `link: true`: the read as a set, what moved since the proxy last
            // knew the link, and what the pass must plan.
            let read = Set(listed)
            let moved = read.symmetricDifference(bound)
            let toPlan = bound.symmetricDifference(read)
            precondition(moved.isEmpty && toPlan.isEmpty, "an unchanged link found changed")
            blackHole((read, moved, toPlan))
        }
    }

    onLoadedCluster(cluster, "Plan a full pass at 10,000 Services x 10 endpoints, nothing changed", seconds: 30) {
        loaded in
        { _ in
            let plan = loaded.reconciler.plan(loaded.tracker.desired, scope: .all)
            precondition(plan.operations.isEmpty, "a full plan of an unchanged cluster planned operations")
            blackHole(plan)
        }
    }
}

/// A benchmark of `name` over the loaded `cluster` (made before the measurement): `setUp` gets the cluster and
/// returns the measured step, run once per iteration; at most 20 iterations within `seconds`.
private func onLoadedCluster(
    _ cluster: Shared, _ name: String, seconds: Int64 = 10,
    _ setUp: @escaping (BenchCluster) -> (Int) -> Void
) {
    Benchmark(name, configuration: .init(warmupIterations: 1, maxDuration: .seconds(seconds), maxIterations: 20)) {
        benchmark in
        cluster.prepare()
        guard let loaded = cluster.cluster else { fatalError("the cluster did not load") }
        let step = setUp(loaded)
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations { step(iteration) }
        benchmark.stopMeasurement()
    }
}

/// The benchmark's Services and EndpointSlices, decoded and validated once, ready for a tracker.
struct Decoded {
    let objects: [KubeObject]

    init(services: Int, endpoints: Int) {
        let serviceList = OneChangeInput.list("ServiceList", (0..<services).map { OneChangeInput.service($0) })
        let sliceList = OneChangeInput.list(
            "EndpointSliceList", (0..<services).map { OneChangeInput.slice($0, endpoints: 0..<endpoints) })
        var objects: [KubeObject] = []
        do {
            let items =
                try JSONDecoder().decode(ObjectList<Service>.self, from: serviceList).items.map(DecodedItem.from)
                + JSONDecoder().decode(ObjectList<EndpointSlice>.self, from: sliceList).items.map(DecodedItem.from)
            for item in items {
                guard case .valid(let object, _, _) = item else { fatalError("invalid object: \(item)") }
                objects.append(object)
            }
        } catch {
            fatalError("the benchmark's objects did not load: \(error)")
        }
        self.objects = objects
    }
}
