// swift-tools-version:6.1
import PackageDescription

/// A libFuzzer target, Tests/Fuzz/<name> (docs/testing.md): its `LLVMFuzzerTestOneInput`, with `main` from FuzzDriver.
func fuzzTarget(_ name: String, _ module: Target.Dependency) -> Target {
    .executableTarget(name: name, dependencies: [module, "FuzzDriver"], path: "Tests/Fuzz/\(name)")
}

// Data flows one way: Kube (objects) -> Proxy (desired state, plan, reconcile) -> IPVS (kernel).
// IPVS knows nothing of Kubernetes, Kube knows nothing of IPVS; the CLI only wires modules together.
let package = Package(
    name: "ipvs-proxy",
    products: [
        .executable(name: "ipvs-proxy", targets: ["ipvs-proxy"]),
        .executable(name: "ipvs-bench", targets: ["ipvs-bench"]),
        .library(name: "Values", targets: ["Values"]),
        .library(name: "IPVS", targets: ["IPVS"]),
        .library(name: "Kube", targets: ["Kube"]),
        .library(name: "Proxy", targets: ["Proxy"]),
        .library(name: "NFTables", targets: ["NFTables"]),
        .library(name: "Health", targets: ["Health"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The values every module shares: addresses, families, prefixes, durations, the error shape. No I/O.
        .target(
            name: "Values", exclude: ["README.md"],
            // `Locked` declares ThreadSanitizer's annotations with `@_extern(c)` (only in the -DTSAN build).
            swiftSettings: [.enableExperimentalFeature("Extern")]),
        // The only C in the project: libnl-3, libnl-genl-3 and libnl-nf-3 (conntrack), found through pkg-config
        // (libnl-nf's module names libnl-route and libnl-3 under it; the headers of all four share one folder).
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-nf-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-genl-3-dev", "libnl-nf-3-dev", "libnftables-dev"])]
        ),
        // Kernel I/O: IPVS over generic netlink, the VIP link over rtnetlink, sysctls.
        .target(
            name: "IPVS",
            dependencies: [
                "Values",
                "CNetlink",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        // Kernel I/O through libnftables: the proxy's nftables table, applied in process, off the cooperative pool.
        .target(
            name: "NFTables",
            dependencies: [
                "CNetlink",
                "Values",
            ],
            exclude: ["README.md"]
        ),
        // Kubernetes objects and their sources (API server, manifests directory).
        .target(
            name: "Kube",
            dependencies: [
                "Values",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            exclude: ["README.md"]
        ),
        // Active health probes (TCP, HTTP, UDP) on one event loop; knows nothing of Kubernetes or IPVS.
        .target(
            name: "Health",
            dependencies: [
                "Values",
                "CNetlink",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        // Desired state, plan, reconcile loop: the only module that sees both Kube and IPVS.
        .target(
            name: "Proxy",
            dependencies: [
                "Values",
                "IPVS",
                "NFTables",
                "Kube",
                "Health",
                // The health-check node ports' HTTP server.
                "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        // Backend "pods" in network namespaces, for the lab, the demo and the scheduler benchmark (ipvs-bench only).
        .target(
            name: "Pods",
            dependencies: [
                "Values",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["README.md"]
        ),
        // The scheduler benchmark: pods with the scenario's behaviour, one scheduler after another, real traffic
        // (ipvs-bench only).
        .target(
            name: "Bench",
            dependencies: [
                "Values",
                "IPVS",
                "Pods",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"]
        ),
        // The proxy's settings: flags, environment and config file (ours or kube-proxy's), merged and checked.
        .target(
            name: "Settings",
            dependencies: [
                "Values",
                // The probe limits (HealthProbeRules) the health-check settings are checked against.
                "Health",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"]
        ),
        // The small HTTP server behind /metrics, /healthz and /livez.
        .target(
            name: "Telemetry",
            dependencies: [
                "Values",
                .product(name: "Logging", package: "swift-log"),
                // The process metrics (process_*), made through swift-metrics as the proxy's.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "ipvs-proxy",
            dependencies: [
                "Values",
                "IPVS",
                "Kube",
                "Proxy",
                "Health",
                "Settings",
                "Telemetry",
                "NFTables",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"]
        ),
        // The lab's tools, apart from the node binary: the scheduler benchmark, the pods fixture, the kernel-lab
        // benchmarks. The node image holds ipvs-proxy alone.
        .executableTarget(
            name: "ipvs-bench",
            dependencies: [
                "Values",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "IPVS",
                "Pods",
                "Bench",
                "Health",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        // What tests share, one fake per seam (the IPVS kernel, the VIP link, nft), a temporary directory and a
        // polling wait. A regular target under Tests/, used only by test targets.
        .target(
            name: "TestSupport",
            dependencies: [
                "Values", "IPVS", "Proxy", "NFTables", .product(name: "Logging", package: "swift-log"),
                // The loopback API server.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "ValuesTests", dependencies: ["Values"]),
        .testTarget(name: "IPVSTests", dependencies: ["IPVS", "Values", "TestSupport"]),
        .testTarget(name: "NFTablesTests", dependencies: ["NFTables", "Values"]),
        .testTarget(
            name: "KubeTests",
            dependencies: [
                "Kube",
                "Values",
                "TestSupport",
                // The seeded random number generator of the pods fixture, for the backoff tests.
                "Pods",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy",
                "Health",
                "Values",
                "TestSupport",
                "NFTables",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PodsTests",
            dependencies: [
                "Pods", "Values", "TestSupport", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BenchTests",
            dependencies: ["Bench", "IPVS", "Pods", "Values", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "HealthTests",
            dependencies: [
                "Health", "Values", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "SettingsTests",
            dependencies: ["Settings", "Proxy", "IPVS", "Values", "Health", .product(name: "Yams", package: "Yams")]
        ),
        // The node binary's command line as swift-argument-parser parses it (kube-proxy's flags translated).
        .testTarget(name: "CommandLineTests", dependencies: ["ipvs-proxy", "Settings"]),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "Telemetry",
                "Proxy",
                "Kube",
                "Values",
                "TestSupport",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // libFuzzer targets, one per decoder of outside bytes (docs/testing.md, scripts/fuzz). A plain build makes
        // each a replayer of the inputs named on its command line; scripts/fuzz builds them with
        // -sanitize=fuzzer,address -DFUZZING in their own build folder.
        // What every fuzz target shares: its main (libFuzzer's driver, declared with `@_extern(c)`, or a replayer).
        .target(
            name: "FuzzDriver", path: "Tests/Fuzz/FuzzDriver", swiftSettings: [.enableExperimentalFeature("Extern")]),
        fuzzTarget("FuzzWatchStream", "Kube"),
        fuzzTarget("FuzzManifestFile", "Kube"),
        fuzzTarget("FuzzYAMLReader", "Kube"),
        fuzzTarget("FuzzConfigFile", "Settings"),
        fuzzTarget("FuzzIPVSDump", "IPVS"),
        fuzzTarget("FuzzRouteMessages", "IPVS"),
        fuzzTarget("FuzzInotifyEvents", "Kube"),
        fuzzTarget("FuzzHTTPStatusLine", "Health"),
        // Tests that need a real kernel with IPVS: they run inside the kernel lab (scripts/lab) and are
        // skipped, with the reason shown, anywhere else.
        .testTarget(
            name: "LabTests",
            dependencies: ["Values", "IPVS", "Kube", "Proxy", "Pods", "Bench", "Health", "NFTables", "TestSupport"]
        ),
    ]
)
