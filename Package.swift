// swift-tools-version: 6.1
import PackageDescription

// Shared by every target: Swift 6 language mode (strict concurrency) is the package default.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "segd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "segd", targets: ["segd"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "SegdDurability", targets: ["SegdDurability"]),
        .library(name: "SegdCore", targets: ["SegdCore"]),
        .library(name: "Segd", targets: ["Segd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // traits: [] leaves out Hummingbird's default traits (swift-configuration, full Foundation):
        // the admin listener needs neither, and the build is shorter.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev (scripts/install-deps.sh checks it with `pkg-config libzmq`).
        // No `pkgConfig:` here: Debian's libzmq.pc adds `-isystem /usr/include/mit-krb5`, which SwiftPM
        // rejects with a warning on every build; the header and library are on the default paths.
        .systemLibrary(name: "CZeroMQ"),
        // What Swift cannot reach on its own: the hardware CRC-32C instruction, glibc's malloc tuning.
        .target(name: "CSegdSupport"),
        .target(
            name: "ZeroMQ",
            dependencies: ["CZeroMQ"],
            swiftSettings: swiftSettings
        ),
        // Journal and snapshot files and the binary encoding the engine serializes itself with.
        .target(
            name: "SegdDurability",
            dependencies: ["CSegdSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SegdCore",
            dependencies: [
                "SegdDurability",
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Segd",
            dependencies: [
                "CSegdSupport",
                "SegdCore",
                "SegdDurability",
                "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "segd",
            dependencies: [
                "Segd",
                "SegdCore",
                "CSegdSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZeroMQTests",
            dependencies: ["ZeroMQ"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SegdCoreTests",
            dependencies: ["SegdCore"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SegdDurabilityTests",
            dependencies: ["SegdDurability"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SegdTests",
            dependencies: [
                "Segd", "SegdCore", "ZeroMQ",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
