import ParrunModel
import ParrunState

/// The formats of `--graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    case dot
    case mermaid
    case json

    public func render(_ plan: Plan, manifestName: String, worktree: Bool = false) -> String {
        switch self {
        case .dot: DotPrinter(plan: plan).render()
        case .mermaid: MermaidPrinter(plan: plan).render()
        case .json: GraphJSONPrinter(plan: plan, manifestName: manifestName, worktree: worktree).render()
        }
    }
}
