// swift-tools-version: 6.0
// libFuzzer harness for parrun's manifest pipeline; see run.sh.
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
    ],
    swiftLanguageModes: [.v6]
)
