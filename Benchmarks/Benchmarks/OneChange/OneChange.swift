import Benchmark
import Foundation
@_spi(Encoding) import IPVS
import Kube
import Logging
import Proxy
import Values

/// One EndpointSlice change at 10,000 Services x 10 endpoints, through the real path with no kernel: the watch
/// event's JSON decoded and validated (Kube), applied to the desired-state tracker, planned against the actual
/// state, and each operation encoded as its netlink request into a counting kernel that accepts everything. Each
/// iteration removes one endpoint from one Service's slice, or restores it (a different Service each time), and
/// checks that exactly one operation went to the kernel. Also: emptying one Service of 30,000 endpoints (30 slices of
/// 1,000 deleted, then one pass), the case that was quadratic in the bookkeeping of applied operations; and the
/// whole-cluster translate and full plan (WholeCluster.swift).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .instructions, .throughput],
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 10_000
    )

    // The cluster is loaded once (decoding 20,000 objects and the first sync take seconds) and changed by every
    // iteration after it.
    let tenThousand = Shared { BenchCluster(services: 10_000, endpoints: 10) }
    Benchmark("One EndpointSlice change at 10,000 Services x 10 endpoints") { benchmark in
        tenThousand.prepare()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            tenThousand.iteration += 1
            tenThousand.cluster?.change(tenThousand.iteration)
        }
        benchmark.stopMeasurement()
    }

    wholeClusterBenchmarks(tenThousand)
    restartCheckBenchmarks(tenThousand)
    footprintBenchmarks()
    diagnosticsBenchmarks()

    let large = Shared {
        var cluster = BenchCluster(services: 0, endpoints: 0)
        cluster.apply(OneChangeInput.event("ADDED", OneChangeInput.service(0)), as: Service.self)
        cluster.sync(expecting: 1)
        return cluster
    }
    let slices = (0..<30).map { OneChangeInput.slice(0, slice: $0, endpoints: ($0 * 1000)..<($0 * 1000 + 1000)) }
    Benchmark(
        "Empty a Service of 30,000 endpoints (30 slices deleted, one pass)",
        configuration: .init(warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        large.prepare()
        for _ in benchmark.scaledIterations {
            for slice in slices { large.cluster?.apply(OneChangeInput.event("ADDED", slice), as: EndpointSlice.self) }
            large.cluster?.sync(expecting: 30_000)
            benchmark.startMeasurement()
            for slice in slices { large.cluster?.apply(OneChangeInput.event("DELETED", slice), as: EndpointSlice.self) }
            large.cluster?.sync(expecting: 30_000)
            benchmark.stopMeasurement()
        }
    }
}

/// A cluster made on first use and kept across a benchmark's iterations (the harness runs them one after another
/// on one thread).
final class Shared: @unchecked Sendable {
    private let make: () -> BenchCluster
    /// Optional so that it is changed in place (`cluster?.change(...)`): a computed or lazy property would hand out
    /// a copy, and the change would then copy every table of it.
    var cluster: BenchCluster?
    var iteration = 0

    init(_ make: @escaping () -> BenchCluster) { self.make = make }

    /// Makes the cluster now (outside the measurement) if it was not made yet.
    func prepare() { if cluster == nil { cluster = make() } }
}

/// The tracker and the reconciler over a counting kernel, loaded with `services` Services of `endpoints`
/// endpoints each (decoded from list responses and synced once).
struct BenchCluster {
    var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-0"))
    var reconciler: Reconciler
    let kernel = CountingKernel()
    let services: Int
    let endpoints: Int
    /// Whether each Service's last endpoint is currently removed.
    var removed: [Bool]
    /// What the changes since the last pass touched.
    var touchedKeys: Set<VirtualServerKey> = []
    var touchedAddresses: Set<IPAddress> = []

    init(services: Int, endpoints: Int) {
        self.services = services
        self.endpoints = endpoints
        removed = Array(repeating: false, count: services)
        reconciler = Reconciler(
            kernel: kernel, link: CountingLink(), logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let serviceList = OneChangeInput.list("ServiceList", (0..<services).map { OneChangeInput.service($0) })
        let sliceList = OneChangeInput.list(
            "EndpointSliceList", (0..<services).map { OneChangeInput.slice($0, endpoints: 0..<endpoints) })
        do {
            for item in try JSONDecoder().decode(ObjectList<Service>.self, from: serviceList).items {
                apply(DecodedItem.from(item), delete: false)
            }
            for item in try JSONDecoder().decode(ObjectList<EndpointSlice>.self, from: sliceList).items {
                apply(DecodedItem.from(item), delete: false)
            }
            try reconciler.adopt()
        } catch {
            fatalError("the benchmark's objects did not load: \(error)")
        }
        _ = reconciler.sync(tracker.desired, scope: .all)
        (touchedKeys, touchedAddresses) = ([], [])
        precondition(kernel.operations == services * (1 + endpoints), "the first sync was not one operation each")
    }

    /// One endpoint of Service `iteration % services` removed, or restored: one watch event, one pass.
    mutating func change(_ iteration: Int) {
        let index = iteration % services
        removed[index].toggle()
        let count = removed[index] ? endpoints - 1 : endpoints
        let line = OneChangeInput.event(
            "MODIFIED", OneChangeInput.slice(index, endpoints: 0..<count, version: iteration))
        apply(line, as: EndpointSlice.self)
        sync(expecting: 1)
    }

    /// Decodes one watch event line, validates its object and applies it to the tracker.
    mutating func apply<Resource: KubeResource>(_ line: Data, as type: Resource.Type) {
        let event: WatchEvent<Resource>
        do {
            event = try JSONDecoder().decode(WatchEvent<Resource>.self, from: line)
        } catch {
            fatalError("a watch event did not decode: \(error)")
        }
        switch WatchInput.from(event) {
        case .upsert(let item): apply(item, delete: false)
        case .delete(let item): apply(item, delete: true)
        default: fatalError("not an object event")
        }
    }

    mutating func apply(_ item: DecodedItem, delete: Bool) {
        guard case .valid(let object, _, _) = item else { fatalError("invalid object: \(item)") }
        let touched = tracker.apply(delete ? .delete(object) : .upsert(object))
        touchedKeys.formUnion(touched.virtualServers)
        touchedAddresses.formUnion(touched.addresses)
    }

    /// One pass over what the changes touched; checks that exactly `expecting` operations reached the kernel (nil:
    /// any number).
    mutating func sync(expecting: Int?) {
        let before = kernel.operations
        let report = reconciler.sync(
            tracker.desired, scope: .only(virtualServers: touchedKeys, addresses: touchedAddresses))
        (touchedKeys, touchedAddresses) = ([], [])
        precondition(
            expecting == nil
                || (report.plan.operations.count == expecting && kernel.operations - before == expecting),
            "expected \(expecting) operations, planned \(report.plan.operations.count)")
        blackHole(report)
    }
}

/// A kernel that accepts every operation after encoding its netlink request, and counts them; it holds no table
/// (the benchmark's Services are UDP: nothing drains, so nothing is read back).
final class CountingKernel: IPVSKernel, @unchecked Sendable {
    private(set) var operations = 0
    private(set) var bytes = 0
    private var encoder = NetlinkEncoder(capacity: 1 << 20)

    func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
        encoder.removeAll()
        for operation in operations {
            self.operations += 1
            IPVSMessages.encode(operation, family: 0x1c, sequence: UInt32(truncatingIfNeeded: self.operations), into: &encoder)
            if encoder.bytes.count > 1 << 19 {
                bytes += encoder.bytes.count
                encoder.removeAll()
            }
        }
        bytes += encoder.bytes.count
        return Array(repeating: .success(()), count: operations.count)
    }

    func version() throws -> IPVSVersion { IPVSVersion(code: 0x01_02_01, connectionTableSize: 4096) }
    func virtualServers() throws -> [VirtualServerState] { [] }
    func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { nil }
    func flush() throws {}
    func timeouts() throws -> IPVSTimeouts { IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300) }
    func setTimeouts(_ timeouts: IPVSTimeouts) throws {}
}

/// A VIP link that accepts every address.
struct CountingLink: VIPLink {
    func ensure() throws -> Bool { false }
    func delete() throws {}
    func addresses() throws -> [IPAddress] { [] }
    func add(_ address: IPAddress) throws {}
    func remove(_ address: IPAddress) throws {}
}
