// swift-tools-version: 6.0
import PackageDescription

// The targets are layers: each imports only those below it, so a dependency
// pointing the wrong way does not compile. See docs/architecture.md.
//
//   parrun -> ParrunCLI -> ParrunCore -> ParrunState -> ParrunModel    -> ParrunSupport
//                                                   \-> ParrunPlatform -> ParrunSupport, CParrunShims
let package = Package(
    name: "parrun",
    products: [
        .executable(name: "parrun", targets: ["parrun"]),
        .library(name: "ParrunCore", targets: ["ParrunCore", "ParrunState", "ParrunModel", "ParrunPlatform", "ParrunSupport"]),
    ],
    targets: [
        // Small pure values every layer uses: source locations, diagnostics, hashes, globs, JSON text.
        .target(name: "ParrunSupport"),
        // The pure core: manifest -> graph -> plan and the scheduler; no clocks, processes or files.
        .target(name: "ParrunModel", dependencies: ["ParrunSupport"]),
        // GNU-only libc calls that Swift's Glibc module hides (docs/platform.md); used only from ParrunPlatform.
        .target(name: "CParrunShims"),
        // Thin wrappers over libc: spawning, pipes, poll, signals, files, locks, /proc, the terminal.
        .target(name: "ParrunPlatform", dependencies: ["ParrunSupport", "CParrunShims"]),
        // What parrun keeps on disk: the journal, claims, durations, resume decisions, status.
        .target(name: "ParrunState", dependencies: ["ParrunModel", "ParrunPlatform", "ParrunSupport"]),
        // Running a plan: the loop, launchers, agents, worktrees, Slurm; and the reports.
        .target(name: "ParrunCore", dependencies: ["ParrunState", "ParrunModel", "ParrunPlatform", "ParrunSupport"]),
        // The command line: options, help and the commands.
        .target(name: "ParrunCLI", dependencies: ["ParrunCore", "ParrunState", "ParrunModel", "ParrunPlatform", "ParrunSupport"]),
        // The thin executable: main.swift only calls into ParrunCLI.
        .executableTarget(name: "parrun", dependencies: ["ParrunCLI", "ParrunPlatform"]),
        .testTarget(
            name: "ParrunCoreTests",
            // Depending on the executable makes `swift test` build it for the CLI tests.
            dependencies: ["ParrunCLI", "ParrunCore", "ParrunState", "ParrunModel", "ParrunPlatform", "ParrunSupport", "parrun"],
            // Read from the source tree by path (#filePath), not bundled.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
