// swift-tools-version: 6.0
// libFuzzer harnesses for parrun's readers; see run.sh.
// A package of its own so the main package never builds with the fuzzer flags.
import Foundation
import PackageDescription

let parrun = Target.Dependency.product(name: "ParrunCore", package: "parrun")

/// Every fuzz target, each an executable in Sources/NAME with seeds in
/// corpus/NAME and a dictionary NAME.dict; run.sh lists the same names. A
/// target whose folder is not there yet is left out, so the package builds
/// while one is being written.
let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
    ("JSONManifestFuzzer", ["ManifestPipeline"]),
    ("TextManifestFuzzer", ["ManifestPipeline"]),
    ("JournalFuzzer", []),
]

let present = fuzzers.filter { fuzzer in
    FileManager.default.fileExists(atPath: Context.packageDirectory + "/Sources/" + fuzzer.name)
}

let package = Package(
    name: "ParrunFuzz",
    dependencies: [
        .package(name: "parrun", path: "../.."),
    ],
    targets: [
        // read -> graph -> plan -> printers, shared by the manifest fuzzers.
        .target(name: "ManifestPipeline", dependencies: [parrun]),
    ] + present.map { .executableTarget(name: $0.name, dependencies: $0.dependencies + [parrun]) },
    swiftLanguageModes: [.v6]
)
