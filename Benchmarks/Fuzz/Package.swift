// swift-tools-version: 6.0
// libFuzzer harnesses for parrun's manifest pipeline and journal reader; see run.sh.
// A package of its own so the main package never builds with the fuzzer flags.
import PackageDescription

let package = Package(
    name: "ParrunFuzz",
    dependencies: [
        .package(name: "parrun", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ManifestFuzzer",
            dependencies: [.product(name: "ParrunCore", package: "parrun")]
        ),
        .executableTarget(
            name: "JournalFuzzer",
            dependencies: [.product(name: "ParrunCore", package: "parrun")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
