// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "parrun",
    products: [
        .executable(name: "parrun", targets: ["parrun"]),
        .library(name: "ParrunCore", targets: ["ParrunCore"]),
    ],
    targets: [
        // GNU-only libc calls that Swift's Glibc module hides; used only from Platform/.
        .target(name: "CParrunShims"),
        // All logic: manifest -> graph -> plan, reports, the command line.
        .target(name: "ParrunCore", dependencies: ["CParrunShims"]),
        // The thin executable: main.swift only calls into ParrunCore.
        .executableTarget(name: "parrun", dependencies: ["ParrunCore"]),
        .testTarget(
            name: "ParrunCoreTests",
            // Depending on the executable makes `swift test` build it for the CLI tests.
            dependencies: ["ParrunCore", "parrun"],
            // Read from the source tree by path (#filePath), not bundled.
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
