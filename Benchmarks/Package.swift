// swift-tools-version:6.1
import PackageDescription

// Microbenchmarks, kept in their own package (as swift-nio does) so that the main package does not depend on
// the benchmark harness. Run: `cd Benchmarks && swift package benchmark`.
let package = Package(
    name: "ipvs-proxy-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ipvs-proxy", path: "../"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "NetlinkEncoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "IPVS", package: "ipvs-proxy"),
                .product(name: "Values", package: "ipvs-proxy"),
            ],
            path: "Benchmarks/NetlinkEncoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ObjectDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Kube", package: "ipvs-proxy"),
                .product(name: "IPVS", package: "ipvs-proxy"),
            ],
            path: "Benchmarks/ObjectDecoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "OneChange",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Kube", package: "ipvs-proxy"),
                .product(name: "Proxy", package: "ipvs-proxy"),
                .product(name: "IPVS", package: "ipvs-proxy"),
                .product(name: "NFTables", package: "ipvs-proxy"),
                .product(name: "Values", package: "ipvs-proxy"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/OneChange",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
