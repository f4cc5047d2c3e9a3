// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "spicerack-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NodeSet", targets: ["NodeSet"]),
        .library(name: "Cumin", targets: ["Cumin"]),
        .library(name: "TestBed", targets: ["TestBed"]),
        .library(name: "Wmflib", targets: ["Wmflib"]),
        .library(name: "Spicerack", targets: ["Spicerack"]),
        // The framework that cookbook trees are compiled against by `cookbook` (see Sources/CookbookBuild).
        .library(name: "SpicerackFramework", type: .dynamic, targets: ["Spicerack"]),
        .executable(name: "nodeset", targets: ["NodeSetCommand"]),
        .executable(name: "cumin", targets: ["CuminCommand"]),
        .executable(name: "testbed", targets: ["TestBedCommand"]),
        .executable(name: "cookbook", targets: ["CookbookCommand"]),
        .library(name: "Scap", targets: ["Scap"]),
        .executable(name: "scap", targets: ["ScapCommand"]),
        .library(name: "SpiderPig", targets: ["SpiderPig"]),
        .executable(name: "spiderpig", targets: ["SpiderPigCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/stencilproject/Stencil", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssh", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // SpiderPig only (heavy: NIO, SQLite, BoringSSL); no other target depends on these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Shared plumbing below Wmflib and Cumin (internal, not a product): the signal router, the child-process
        // runner, the standard-input line reader and Duration helpers. Foundation-free; swift-subprocess only.
        .target(
            name: "OpsSupport",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: swiftSettings
        ),
        // Host-set algebra (ClusterShell NodeSet compatible). No dependencies.
        .target(name: "NodeSet", swiftSettings: swiftSettings),
        // Query grammar, backends, transports, execution engine, reporting.
        .target(
            name: "Cumin",
            dependencies: [
                "NodeSet", "Wmflib", "OpsSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        // Cumin's in-process SSH transport (`transport: native`): swift-nio-ssh, OpenSSH key files, known_hosts,
        // an ssh_config subset. Kept apart so that only the programs that offer it link NIO.
        .target(
            name: "CuminNativeSSH",
            dependencies: [
                "Cumin",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Generic operations helpers (wmflib): retry, interactive prompts, config loaders, IRC/SAL logging, actions.
        .target(
            name: "Wmflib",
            dependencies: [
                "OpsSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The cookbook framework: cookbook APIs, the runner, menu, logs, locks and the Spicerack object.
        .target(
            name: "Spicerack",
            dependencies: [
                "Cumin", "CuminNativeSSH", "NodeSet", "Wmflib", "OpsSupport", "SpicerackLocks", "SpicerackRemote",
                "SpicerackClients",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Distributed locks with concurrency, TTL and heartbeat: a local backend and etcd v3. Its etcd client (also
        // conftool's) speaks HTTPS with client certificates through AsyncHTTPClient (URLSession cannot on Linux).
        .target(
            name: "SpicerackLocks",
            dependencies: [
                "Wmflib", "OpsSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Remote execution for cookbooks (Cumin's engine behind Spicerack's RemoteHosts), HTTP client, Prometheus.
        .target(
            name: "SpicerackRemote",
            dependencies: ["Cumin", "NodeSet", "Wmflib", "OpsSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Clients of the services cookbooks drive: conftool and DNS discovery (etcd), Alertmanager, Puppet,
        // load-balanced clusters (conftool + remote execution).
        .target(
            name: "SpicerackClients",
            dependencies: [
                "Cumin", "NodeSet", "Wmflib", "OpsSupport", "SpicerackLocks", "SpicerackRemote",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Compiles cookbook trees into cached executables (the front half of `cookbook`).
        .target(
            name: "CookbookBuild",
            dependencies: ["Spicerack", "OpsSupport"],
            swiftSettings: swiftSettings
        ),
        // A bed of real OpenSSH hosts on loopback for tests, demos and benchmarks.
        .target(name: "TestBed", swiftSettings: swiftSettings),
        .executableTarget(
            name: "NodeSetCommand",
            dependencies: ["NodeSet", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CuminCommand",
            dependencies: [
                "Cumin", "CuminNativeSSH", "NodeSet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "TestBedCommand",
            dependencies: ["TestBed", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CookbookCommand",
            dependencies: ["CookbookBuild", "Spicerack"],
            swiftSettings: swiftSettings
        ),
        // Scap deploy tooling: scap.cfg loading, targets, checks.yaml, config templates (Stencil), the deploy log
        // and its filter language.
        .target(
            name: "Scap",
            dependencies: [
                "Cumin", "NodeSet", "Wmflib", "OpsSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Stencil", package: "Stencil"),
                // `scap backport`: httpbb smoke tests, the Prometheus error-rate gate and Gerrit's REST API.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ScapCommand",
            dependencies: ["Scap", "CuminNativeSSH", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // SpiderPig: the web UI over scap's machine mode (Hummingbird, GRDB/SQLite, OIDC + TOTP, job runner).
        .target(
            name: "SpiderPig",
            dependencies: [
                "OpsSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                // Live log messages are written as WebSocket frames of bytes shared by every viewer.
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Assets")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SpiderPigCommand",
            dependencies: ["SpiderPig", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // The SpiderPig benchmark's WebSocket viewers and job-list client, run apart from the server
        // (bench/spiderpig/run.sh).
        .executableTarget(
            name: "SpiderPigBenchViewers",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "bench/spiderpig/viewers",
            swiftSettings: swiftSettings
        ),
        // What the test targets share: a log recorder, temporary directories, SSH beds with Cumin's configuration.
        .target(
            name: "TestSupport",
            dependencies: ["Cumin", "TestBed", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpiderPigTests",
            dependencies: [
                "SpiderPig", "TestBed", "TestSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "OpsSupportTests", dependencies: ["OpsSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ScapTests", dependencies: ["Scap", "TestBed", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NodeSetTests", dependencies: ["NodeSet"], resources: [.copy("Corpus")], swiftSettings: swiftSettings),
        .testTarget(name: "CuminTests", dependencies: ["Cumin", "NodeSet", "TestBed", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CuminNativeSSHTests", dependencies: ["CuminNativeSSH", "Cumin", "NodeSet", "TestBed", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "TestBedTests", dependencies: ["TestBed", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "WmflibTests", dependencies: ["Wmflib", "TestBed", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SpicerackLocksTests", dependencies: ["SpicerackLocks", "TestBed", "Wmflib", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SpicerackRemoteTests", dependencies: ["SpicerackRemote", "Cumin", "NodeSet", "TestBed", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SpicerackClientsTests",
            dependencies: [
                "SpicerackClients", "SpicerackRemote", "SpicerackLocks", "Cumin", "NodeSet", "TestBed", "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SpicerackTests", dependencies: ["Spicerack", "CookbookBuild", "Cumin", "TestBed", "TestSupport"],
            swiftSettings: swiftSettings),
    ]
)
