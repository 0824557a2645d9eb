// The whole manifest pipeline on arbitrary bytes, the way `parrun --dry-run`
// and `parrun --graph FORMAT` run it: read -> graph -> plan -> every printer,
// or diagnostics -> renderer. Any trap, crash or hang here is a bug: every
// input must end in a manifest or in diagnostics. Shared by the manifest fuzzers.
import ParrunCore
import ParrunModel
import ParrunSupport

public enum ManifestPipeline {
    /// `strict` as `--strict`: unknown keys become errors, a path of its own.
    public static func run(_ bytes: [UInt8], strict: Bool) {
        let source = SourceFile(name: "fuzz.input", bytes: bytes)
        let checked = ValidatedManifest(source, strict: strict)
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
    }

    /// Whether the reader takes `bytes` as JSON: its first character that is
    /// not a blank (after a byte-order mark) is `{` or `[`, as `ManifestReader` decides.
    public static func looksLikeJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index < bytes.count && (bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "["))
    }

    /// Keeps the optimizer from dropping the rendering work.
    @inline(never)
    static func consume(_ text: String) {
        if text.utf8.count == Int.max { print(text) }
    }
}
