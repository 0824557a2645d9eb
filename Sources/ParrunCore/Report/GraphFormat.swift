import ParrunModel
import ParrunState

/// The formats of `--graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    case dot
    case mermaid
    case json

    public func render(_ plan: Plan, manifestName: String) -> String {
        switch self {
        case .dot: DotPrinter(plan: plan).render()
        case .mermaid: MermaidPrinter(plan: plan).render()
        case .json: GraphJSONPrinter(plan: plan, manifestName: manifestName).render()
        }
    }
}
