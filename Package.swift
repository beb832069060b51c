// swift-tools-version:6.0
import PackageDescription

// Layers, lowest first: UploadCore (the model) ← Transport (libcurl), Sandbox (a local
// server speaking the same API) and TerminalUI (the screen's pure core) ← TerminalRuntime
// (ncurses, the loop, the disk) ← the `mediaup` executable, which only wires.
let package = Package(
    name: "mediaup",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mediaup", targets: ["mediaup"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Thin typed wrappers over libcurl's variadic setopt/getinfo; no logic.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // Typed wrappers for ncursesw's macros and variadic calls; no logic.
        .target(name: "CNCurses", linkerSettings: [.linkedLibrary("ncursesw")]),
        // OpenSSL's SHA-256 (SHA-NI where the CPU has it) for end-to-end checksums.
        .target(name: "CCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        .target(
            name: "UploadCore",
            dependencies: [
                "CCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Transport", dependencies: ["UploadCore", "CCurl"]),
        .target(
            name: "Sandbox",
            dependencies: [
                "UploadCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The screen as pure functions of its state: reducer, render, key table. No
        // terminal, threads or disk, so that it is all testable as values.
        .target(name: "TerminalUI", dependencies: ["UploadCore"]),
        // What runs the screen: ncurses, the app loop, signals, folder reading and watching.
        .target(name: "TerminalRuntime", dependencies: ["TerminalUI", "UploadCore", "CNCurses"]),
        .executableTarget(
            name: "mediaup",
            dependencies: [
                "UploadCore", "Transport", "Sandbox", "TerminalUI", "TerminalRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets: a sandbox in a temporary folder, a scripted HTTP
        // server on loopback, test files, tmux.
        .target(
            name: "TestSupport",
            dependencies: ["Sandbox", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "UploadCoreTests",
            dependencies: ["UploadCore", "Transport", "Sandbox", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "TestSupport"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "UploadCore"]),
        .testTarget(name: "TerminalRuntimeTests", dependencies: ["TerminalRuntime", "TerminalUI", "UploadCore", "TestSupport"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "UploadCore", "TestSupport"]),
        // TestSupport's own helpers (TmuxSession, the process runner, the scoped sandbox) against
        // ordinary programs such as bash and curl.
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport", "Sandbox"]),
        .testTarget(name: "MediaupTests", dependencies: ["mediaup", "UploadCore", "Transport", "Sandbox", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
