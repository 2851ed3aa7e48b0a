import Benchmark
import Foundation
import IPVS
import Kube
import Logging
import Proxy

/// The heap each part of the proxy's state holds at 10,000 Services x 10 endpoints, as custom metrics in bytes: the
/// live bytes glibc's allocator reports (`MallocHeap.bytesInUse`) after each part is built, less those before it.
/// Deterministic for one binary, unlike resident memory: it is the figure to compare when a representation changes.
/// The parts, in the order a node builds them: the decoded and validated objects, the API server source's caches of
/// them (each kind listed in pages of 500: what it knows, sharing their storage), the desired-state tracker that
/// translates them (sharing it too), the reconciler after the first full pass (what it believes the kernel holds,
/// and what it owns), and the masquerade tracker's elements.
func footprintBenchmarks() {
    let metrics: [BenchmarkMetric] = Footprint.parts.map { .custom($0, polarity: .prefersSmaller) }
    Benchmark(
        "Heap held at 10,000 Services x 10 endpoints (bytes per part)",
        configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 3)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let bytes = Footprint.measure()
            for (part, value) in zip(Footprint.parts, bytes) { benchmark.measurement(.custom(part), value) }
        }
    }
    // Issue 15's P4 asks for the resident set after 1,000 changes too: the heap the one-change path's state holds
    // (decoded objects, tracker, reconciler) once built, and again after 1,000 changes, each taking one endpoint off
    // a different Service's slice. The second is no larger when the changes leave nothing behind.
    let held = ["held when built", "held after 1,000 changes"]
    Benchmark(
        "Heap held before and after 1,000 EndpointSlice changes at 10,000 Services x 10 endpoints (bytes)",
        configuration: .init(
            metrics: held.map { .custom($0, polarity: .prefersSmaller) }, warmupIterations: 0,
            maxDuration: .seconds(60), maxIterations: 3)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let start = MallocHeap.bytesInUse
            var cluster = BenchCluster(services: 10_000, endpoints: 10)
            benchmark.measurement(.custom(held[0]), MallocHeap.bytesInUse - start)
            for iteration in 1...1_000 { cluster.change(iteration) }
            benchmark.measurement(.custom(held[1]), MallocHeap.bytesInUse - start)
            withExtendedLifetime(cluster) {}
        }
    }
}

enum Footprint {
    static let parts = [
        "decoded objects", "API server caches", "desired-state tracker", "reconciler", "masquerade tracker", "total",
    ]

    /// Builds every part once and returns the bytes each holds, in the order of ``parts``.
    static func measure() -> [Int] {
        var sizes: [Int] = []
        let start = MallocHeap.bytesInUse
        var last = start
        func mark() {
            let now = MallocHeap.bytesInUse
            sizes.append(now - last)
            last = now
        }
        let decoded = Decoded(services: 10_000, endpoints: 10)
        mark()
        let caches = [ObjectKind.service, .endpointSlice].map { kind in
            var cache = ListWatchState(kind: kind)
            let items = decoded.objects.filter { $0.kind == kind }
            for start in stride(from: 0, to: items.count, by: 500) {
                let page = items[start..<min(start + 500, items.count)].map {
                    DecodedItem.valid($0, warnings: [], resourceVersion: nil)
                }
                let last = start + 500 >= items.count
                _ = cache.receivePage(page, metadata: ListMeta(resourceVersion: "1", continue: last ? nil : "\(start)"))
            }
            precondition(cache.known.count == items.count, "the cache did not take every object")
            return cache
        }
        mark()
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-0"))
        for object in decoded.objects { _ = tracker.apply(.upsert(object)) }
        mark()
        let kernel = CountingKernel()
        var reconciler = Reconciler(
            kernel: kernel, link: CountingLink(), logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        do { try reconciler.adopt() } catch { fatalError("adoption failed: \(error)") }
        _ = reconciler.sync(tracker.desired, scope: .all)
        precondition(kernel.operations == 110_000, "the first pass was not one operation per object")
        mark()
        var masquerade = MasqueradeTracker(configuration: MasqueradeConfiguration())
        masquerade.rebuild(from: tracker.desired)
        _ = masquerade.takePending()
        mark()
        sizes.append(last - start)
        withExtendedLifetime((decoded, caches, tracker, reconciler, masquerade)) {}
        return sizes
    }
}
