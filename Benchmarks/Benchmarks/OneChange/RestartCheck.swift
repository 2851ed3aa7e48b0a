import Benchmark
import IPVS
import NFTables
import Proxy
import Values

/// What an unchanged restart does for the nftables table at 10,000 Services x 10 endpoints beside its first pass:
/// find the table marked as its own, read its sets' 130,000 keys back, rebuild the elements from the desired state and
/// compare (nothing written, checked). The kernel side is a fake that hands the keys over at once: the figure is the
/// proxy's own CPU.
func restartCheckBenchmarks(_ cluster: Shared) {
    Benchmark(
        "An unchanged restart's nftables check at 10,000 Services (read back, rebuild, compare; nothing written)",
        configuration: .init(warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 10)
    ) { benchmark async in
        cluster.prepare()
        guard let loaded = cluster.cluster else { fatalError("the cluster did not load") }
        let desired = loaded.tracker.desired
        let configuration = MasqueradeConfiguration()
        var written = MasqueradeTracker(configuration: configuration)
        written.rebuild(from: desired)
        let sets = WrittenSets(written)
        let nft = MarkedTable(mark: NFTablesScript.mark(for: configuration))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var sync = MasqueradeSync(configuration: configuration, nft: nft, sets: sets)
            _ = await sync.prepare()
            let action = await sync.sync(desired, touched: nil)
            guard case .kept(let elements) = action, elements == written.elementCount else {
                fatalError("an unchanged table was not kept: \(action)")
            }
            blackHole(sync)
        }
        benchmark.stopMeasurement()
    }
}

/// Sets that hold what an earlier run wrote, read back at once; a write is a failure of the benchmark.
private struct WrittenSets: NFTablesSetAccess {
    let keys: [String: [[UInt8]]]

    init(_ tracker: MasqueradeTracker) {
        var keys: [String: [[UInt8]]] = [:]
        tracker.forEachElement { keys[$0.setName, default: []].append($0.storedKey) }
        self.keys = keys
    }

    func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError) {
        fatalError("an unchanged restart wrote set elements")
    }

    func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]] { keys }
}

/// A table already there, marked as written for the configuration; a script run is a failure of the benchmark.
private struct MarkedTable: NFTablesRunner {
    let mark: String

    func run(_ script: String) async throws(NFTablesError) { fatalError("an unchanged restart rewrote the table") }

    func mark(ofTable name: String) async throws(NFTablesError) -> String? { mark }
}
