// libFuzzer entry point for the JSON readers (parrun manifests, task files,
// ticket indexes, beads arrays and JSON Lines): input that the reader would
// take as the text format is left to TextManifestFuzzer.
// Not main.swift: libFuzzer supplies main(), Swift must not emit one.
import ManifestPipeline

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard ManifestPipeline.looksLikeJSON(input) else { return -1 }
    // The last byte picks --strict, so both ways of treating unknown keys are fuzzed.
    ManifestPipeline.run(Array(input), strict: (input.last ?? 0) & 1 == 1)
    return 0
}
