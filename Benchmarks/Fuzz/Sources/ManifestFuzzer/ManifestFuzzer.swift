// libFuzzer entry point: the whole manifest pipeline on arbitrary bytes, the way
// `parrun --dry-run` and `parrun --graph FORMAT` run it. Any trap, crash or hang
// here is a bug: every input must end in a manifest or in diagnostics.
// Not main.swift: libFuzzer supplies main(), Swift must not emit one.
import ParrunCore
import ParrunModel
import ParrunSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let source = SourceFile(name: "fuzz.input", bytes: bytes)

    let checked = ValidatedManifest(source)
    let diagnostics = checked.diagnostics
    if let manifest = checked.manifest, let graph = checked.graph {
        let runs = Plan.freshRunMask(graph)
        let toRun = runs.lazy.filter { $0 }.count
        let jobs = JobCount.resolve(
            commandLine: nil, environment: nil, manifest: manifest.settings.jobs,
            cores: 2, ticketsToRun: toRun)
        let plan = Plan(graph: graph, runs: runs, jobs: jobs, pools: manifest.settings.pools)
        consume(PlanPrinter(plan: plan, manifestName: source.name).dryRun())
        consume(PlanPrinter(plan: plan, manifestName: source.name).summary())
        for format in GraphFormat.allCases {
            consume(format.render(plan, manifestName: source.name))
        }
    }
    if !diagnostics.diagnostics.isEmpty {
        consume(DiagnosticRenderer(source: source).render(diagnostics))
        consume(DiagnosticRenderer(source: source, useColor: true).render(diagnostics))
    }
    return 0
}

/// Keeps the optimizer from dropping the rendering work.
@inline(never)
func consume(_ text: String) {
    if text.utf8.count == Int.max { print(text) }
}
