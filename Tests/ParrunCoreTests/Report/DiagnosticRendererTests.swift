import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct DiagnosticRendererTests {
    private func render(_ text: String) -> String {
        let source = SourceFile(name: "tickets.json", text: text)
        return DiagnosticRenderer(source: source).render(ValidatedManifest(source).diagnostics)
    }

    @Test func showsFileLineColumnTheLineACaretAndHelp() {
        let text = "[\n  {\"id\": \"build\"},\n  {\"id\": \"test\", \"dependsOn\": [\"biuld\"]}\n]\n"
        #expect(render(text) == """
            tickets.json:3:32: error: ticket 'test' depends on 'biuld', which is not a ticket in this manifest
                3 |   {"id": "test", "dependsOn": ["biuld"]}
                  |                                ^~~~~~~
                  = help: did you mean 'build'?

            """)
    }

    @Test func notesShowTheirOwnPlace() {
        #expect(render("a:\nb:\na:\n") == """
            tickets.json:3:1: error: ticket id 'a' is used twice
                3 | a:
                  | ^
                  = help: ids must be unique: rename one of the tickets
            tickets.json:1:1: note: 'a' is first defined here
                1 | a:
                  | ^

            """)
    }

    @Test func keepsTabsSoTheCaretLinesUp() {
        let rendered = render("a:\n\t@timeout\tsoon\n")
        #expect(rendered.contains("    2 | \t@timeout\tsoon\n      | \t        \t^~~~\n"))
    }

    @Test func aVeryLongLineIsShownAsAWindowAroundTheCaret() {
        let filler = String(repeating: " ", count: 1_000_000)
        let rendered = render("[" + filler + "x]")
        let lines = rendered.split(separator: "\n")
        #expect(lines.first == "tickets.json:1:1000002: error: expected a value (string, number, object, array, true, false or null), found 'x'")
        #expect(lines.allSatisfy { $0.count < 200 }, "no line of the message is huge")
        let sourceLine = String(lines[1])
        let caretLine = String(lines[2])
        let caret = caretLine.firstIndex(of: "^").map { caretLine.distance(from: caretLine.startIndex, to: $0) }
        let x = sourceLine.firstIndex(of: "x").map { sourceLine.distance(from: sourceLine.startIndex, to: $0) }
        #expect(caret != nil && caret == x, "the caret is under the x")
    }

    @Test func neverEchoesControlCharacters() {
        let rendered = render("[\u{1B}[31m]")
        #expect(!rendered.contains("\u{1B}"))
        #expect(rendered.contains("found U+001B"))
    }

    @Test func countsProblemsBeyondTheLimit() {
        var text = ""
        for index in 0..<(DiagnosticList.defaultLimit + 5) { text += "t\(index): missing\(index)\n" }
        let rendered = render(text)
        #expect(rendered.components(separatedBy: ": error: ").count - 1 == DiagnosticList.defaultLimit)
        #expect(rendered.hasSuffix("tickets.json: 5 more errors not shown (showing the first 50)\n"))
    }

    @Test func colorsOnlyWhenAsked() {
        let source = SourceFile(name: "m", text: "a: a\n")
        let diagnostics = TicketGraph.build(from: ManifestReader.read(source).manifest!).diagnostics
        #expect(DiagnosticRenderer(source: source, useColor: true).render(diagnostics).contains("\u{1B}[1;31merror"))
        #expect(!DiagnosticRenderer(source: source, useColor: false).render(diagnostics).contains("\u{1B}"))
    }
}
