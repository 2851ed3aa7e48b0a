import Benchmark
import Foundation
import IPVS
import Kube

/// Decoding (and validating) API-server list responses: 10,000 Services, and 10,000 EndpointSlices of
/// 10 endpoints each, generated in memory in the JSON shape a real API server sends; and YAML manifest files as
/// the manifests source reads them.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    let services = ObjectDecodingInput.serviceList(count: 10_000)
    let slices = ObjectDecodingInput.endpointSliceList(count: 10_000, endpointsPerSlice: 10)

    Benchmark("Decode ServiceList (10,000 Services)") { benchmark in
        for _ in benchmark.scaledIterations {
            let list = try JSONDecoder().decode(ObjectList<Service>.self, from: services)
            blackHole(list.items.count)
        }
    }

    Benchmark("Decode+validate ServiceList (10,000 Services)") { benchmark in
        for _ in benchmark.scaledIterations {
            let list = try JSONDecoder().decode(ObjectList<Service>.self, from: services)
            let valid = try list.items.map { try ServiceValidator.validate($0) }
            blackHole(valid.count)
        }
    }

    Benchmark("Decode EndpointSliceList (10,000 slices x 10 endpoints)") { benchmark in
        for _ in benchmark.scaledIterations {
            let list = try JSONDecoder().decode(ObjectList<EndpointSlice>.self, from: slices)
            blackHole(list.items.count)
        }
    }

    Benchmark("Decode+validate EndpointSliceList (10,000 slices x 10 endpoints)") { benchmark in
        for _ in benchmark.scaledIterations {
            let list = try JSONDecoder().decode(ObjectList<EndpointSlice>.self, from: slices)
            let valid = try list.items.map { try EndpointSliceValidator.validate($0) }
            blackHole(valid.count)
        }
    }

    // A restart's first list from an API server, one page of the 10,000 slices: decoded whole as a cold start does
    // (recording each object for the cache), and taken from the cache a first list wrote (the outline of the page,
    // then each object by uid and resourceVersion).
    let sliceBytes = [UInt8](slices)
    let sliceCache: APIObjectCache
    do {
        let recording = APIObjectCacheSession(loaded: nil)
        _ = try DecodedItem.page(sliceBytes, EndpointSlice.self, cache: recording)
        sliceCache = APIObjectCache(entries: recording.finish().recorded)
        precondition(sliceCache.count == 10_000, "the slices did not all load clean")
    } catch {
        fatalError("cannot decode the slices for the benchmark: \(error)")
    }

    Benchmark("Decode+validate an EndpointSlice page, recording for the cache (10,000 slices x 10 endpoints)") {
        benchmark in
        for _ in benchmark.scaledIterations {
            let recording = APIObjectCacheSession(loaded: nil)
            let page = try DecodedItem.page(sliceBytes, EndpointSlice.self, cache: recording)
            blackHole((page.items.count, recording.finish().recorded.count))
        }
    }

    Benchmark("Take an EndpointSlice page from the API objects cache (10,000 slices x 10 endpoints)") { benchmark in
        for _ in benchmark.scaledIterations {
            let session = APIObjectCacheSession(loaded: sliceCache)
            let page = try DecodedItem.page(sliceBytes, EndpointSlice.self, cache: session)
            let taken = session.finish().taken
            precondition(taken == 10_000, "only \(taken) objects were taken from the cache")
            blackHole(page.items.count)
        }
    }

    let manifests = ObjectDecodingInput.manifestFiles(count: 1_000, endpointsPerSlice: 10)

    Benchmark("Parse+validate YAML manifests (1,000 files: Service + slice x 10 endpoints)") { benchmark in
        for _ in benchmark.scaledIterations {
            var accepted = 0
            for (index, text) in manifests.enumerated() {
                accepted += try ManifestFile.parse(text, path: "m\(index).yaml").accepted.count
            }
            blackHole(accepted)
        }
    }

    Benchmark("Read YAML manifests into nodes (1,000 files, no decoding)") { benchmark in
        for _ in benchmark.scaledIterations {
            var documents = 0
            for text in manifests { documents += try YAMLObjectDecoder.documents(text).count }
            blackHole(documents)
        }
    }

    // What the manifests source keeps of a directory beside the objects themselves (each file's objects and
    // signature, the file defining each object), built from 10,000 parsed files (parsed before the measurement) and
    // committed; and the heap it holds then (`MallocHeap.bytesInUse`, deterministic: the figure to compare when its
    // representation changes).
    let directory = ObjectDecodingInput.manifestFiles(count: 10_000, endpointsPerSlice: 10)
    Benchmark(
        "Load 10,000 parsed manifest files into the directory's state and commit (Service + slice x 10 endpoints)",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .custom("bytes held", polarity: .prefersSmaller)],
            warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)
    ) { benchmark in
        let files = try directory.enumerated().map { index, text in
            let path = String(format: "/manifests/svc-%05d.yaml", index + 1)
            return (path, try ManifestFile.parse(text, path: path))
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let start = MallocHeap.bytesInUse
            var state = ManifestDirectoryState()
            for (path, file) in files { blackHole(state.load(path, signature: nil, content: .success(file))) }
            let changes = state.commit().changes.count
            precondition(changes == 2 * files.count, "the state did not take every object")
            benchmark.measurement(.custom("bytes held"), MallocHeap.bytesInUse - start)
            blackHole(state)
        }
    }

    // What a restart does instead of parsing the same files: the digest of each file's bytes, and the objects read
    // back from the cache file written after the first scan (tmpfs-backed temporary directory, like /run).
    let cacheFile = NSTemporaryDirectory() + "ipvs-proxy-bench-manifests-cache-\(getpid())"
    let producer = "benchmark"
    do {
        var files: [(digest: ContentDigest, objects: [KubeObject])] = []
        for (index, text) in manifests.enumerated() {
            let file = try ManifestFile.parse(text, path: "m\(index).yaml")
            files.append((ContentDigest(of: Array(text.utf8)), file.accepted.map(\.object)))
        }
        _ = try ManifestCache.save(files, producer: producer, to: cacheFile)
    } catch {
        fatalError("cannot write the manifests cache for the benchmark: \(error)")
    }

    Benchmark("Take 1,000 YAML manifests' objects from the manifests cache (digest each file, read the cache)") {
        benchmark in
        for _ in benchmark.scaledIterations {
            var digests = 0
            for text in manifests { digests &+= Int(truncatingIfNeeded: ContentDigest(of: text.utf8).low) }
            let (cache, unusable) = ManifestCache.load(from: cacheFile, producer: producer)
            precondition(unusable == nil && cache?.count == manifests.count, "the cache is not the one written")
            blackHole((digests, cache))
        }
    }
}
