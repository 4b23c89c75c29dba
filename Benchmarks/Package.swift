// swift-tools-version: 6.1
import PackageDescription

// Benchmarks for segd, kept out of the main build (STYLE.md, "Benchmarks"): this package depends on
// the main package by path and on ordo-one/benchmark with only the MallocInterposer trait (the
// default traits pull swift-runtime-interposer, which has no local copy here).
let package = Package(
    name: "segd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "segd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // Prepared event streams and the default config's segments, shared by both executables.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "SegdCore", package: "segd"), .product(name: "Segd", package: "segd")]
        ),
        // In-process benchmarks 1–3: decode only, engine only, decode + engine.
        .executableTarget(
            name: "SegdBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "SegdCore", package: "segd"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SegdBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Out-of-process measurements against the real `segd` binary: end to end over tcp and ipc
        // beside a bare libzmq subscriber, publish-to-alert latency, resident memory per customer.
        .executableTarget(
            name: "segd-load",
            dependencies: [
                "BenchSupport",
                .product(name: "SegdCore", package: "segd"),
                .product(name: "Segd", package: "segd"),
                .product(name: "SegdDurability", package: "segd"),
                .product(name: "ZeroMQ", package: "segd"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/SegdLoad"
        ),
    ]
)
