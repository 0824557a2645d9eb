// swift-tools-version: 6.0
import PackageDescription

// Targets are layers: each may import only the ones below it, so a dependency
// pointing the wrong way does not compile (docs/architecture.md).
let package = Package(
    name: "parrun",
    products: [
        .executable(name: "parrun", targets: ["parrun"]),
        .library(name: "ParrunCore", targets: ["ParrunCore", "ParrunModel", "ParrunPlatform", "ParrunSupport"]),
    ],
    targets: [
        // Small pure values every layer uses: source locations, diagnostics, hashes, globs.
        .target(name: "ParrunSupport"),
        // The pure core: manifest -> graph -> plan and the scheduler; no clocks, processes or files.
        .target(name: "ParrunModel", dependencies: ["ParrunSupport"]),
        // GNU-only libc calls that Swift's Glibc module hides; used only from ParrunPlatform.
        .target(name: "CParrunShims"),
        // Thin wrappers over libc: spawning, pipes, poll, signals, files, locks, /proc, the terminal.
        .target(name: "ParrunPlatform", dependencies: ["ParrunSupport", "CParrunShims"]),
        // State, execution, reports and the command line.
        .target(name: "ParrunCore", dependencies: ["ParrunModel", "ParrunPlatform", "ParrunSupport"]),
        // The thin executable: main.swift only calls into ParrunCore.
        .executableTarget(name: "parrun", dependencies: ["ParrunCore"]),
        .testTarget(
            name: "ParrunCoreTests",
            // Depending on the executable makes `swift test` build it for the CLI tests.
            dependencies: ["ParrunCore", "ParrunModel", "ParrunPlatform", "ParrunSupport", "parrun"],
            // Read from the source tree by path (#filePath), not bundled.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
