// libFuzzer entry point for the plain-text format of Grammar.md: input that
// the reader would take as JSON is left to JSONManifestFuzzer.
// Not main.swift: libFuzzer supplies main(), Swift must not emit one.
import ManifestPipeline

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard !ManifestPipeline.looksLikeJSON(input) else { return -1 }
    // The last byte picks --strict, so both ways of treating unknown keys are fuzzed.
    ManifestPipeline.run(Array(input), strict: (input.last ?? 0) & 1 == 1)
    return 0
}
