import Foundation
import Testing
@testable import ParrunCLI

/// The front page and the manual stay whole: every option is documented and
/// every relative link (and its anchor) leads somewhere.
@Suite struct DocumentationTests {
    /// Pages other branches add to the manual, linked from the index ahead of
    /// their arrival: a link to one of them may dangle until it is merged.
    @Test func everyOptionInTheTableIsDocumented() throws {
        let manual = try RepositoryDocuments.markdownFiles().filter { $0.hasPrefix("docs/") }
            .map(RepositoryDocuments.text).joined(separator: "\n")
        let missing = OptionTable.options.map { "--" + $0.long }.filter { !manual.contains("`" + $0) && !manual.contains(" " + $0) }
        #expect(missing.isEmpty, "options not described in docs/: \(missing)")
    }

    @Test func everyRelativeLinkResolves() throws {
        var broken: [String] = []
        for page in try RepositoryDocuments.markdownFiles() {
            let directory = (page as NSString).deletingLastPathComponent
            for target in RepositoryDocuments.links(in: try RepositoryDocuments.text(page)) {
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? page : ((directory as NSString).appendingPathComponent(parts[0]) as NSString).standardizingPath
                guard FileManager.default.fileExists(atPath: RepositoryDocuments.root.appendingPathComponent(file).path) else {
                    broken.append("\(page): \(target) (no file \(file))")
                    continue
                }
                if parts.count == 2, file.hasSuffix(".md") {
                    let anchors = RepositoryDocuments.anchors(in: try RepositoryDocuments.text(file))
                    if !anchors.contains(parts[1]) { broken.append("\(page): \(target) (no heading #\(parts[1]) in \(file))") }
                }
            }
        }
        #expect(broken.isEmpty, "broken links:\n\(broken.joined(separator: "\n"))")
    }

    @Test func theFrontPageStaysShort() throws {
        let readme = try RepositoryDocuments.text("README.md")
        #expect(readme.utf8.count <= 6 * 1024, "README.md is \(readme.utf8.count) bytes; move detail into docs/")
    }

    @Test func theIndexListsEveryPage() throws {
        let index = try RepositoryDocuments.text("docs/README.md")
        let pages = try RepositoryDocuments.markdownFiles().filter { $0.hasPrefix("docs/") && $0 != "docs/README.md" }
        let unlisted = pages.filter { !index.contains("(" + ($0 as NSString).lastPathComponent + ")") }
        #expect(unlisted.isEmpty, "pages missing from docs/README.md: \(unlisted)")
    }

    @Test func anchorsFollowGitHubsRules() {
        let anchors = RepositoryDocuments.anchors(in: "# State and `--resume`\n## A, b.c\n## A, b.c\n```\n# not a heading\n```\n")
        #expect(anchors == ["state-and---resume", "a-bc", "a-bc-1"])
    }

    @Test func linksInCodeAreNotLinks() {
        let links = RepositoryDocuments.links(in: "see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](d.md#x)")
        #expect(links == ["a.md", "d.md#x"])
    }
}
