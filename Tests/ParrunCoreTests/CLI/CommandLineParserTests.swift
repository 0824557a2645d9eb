import Testing
@testable import ParrunCLI
@testable import ParrunCore

@Suite struct CommandLineParserTests {
    private func parse(_ arguments: String...) throws(UsageError) -> Invocation {
        try CommandLineParser.parse(arguments)
    }

    private func error(_ arguments: String...) -> String {
        do {
            _ = try CommandLineParser.parse(arguments)
            return "no error"
        } catch {
            return error.message
        }
    }

    @Test(arguments: [["-j4"], ["-j", "4"], ["--jobs=4"], ["--jobs", "4"], ["-nj4"], ["-j=4"]])
    func jobsInEverySpelling(arguments: [String]) throws {
        #expect(try CommandLineParser.parse(arguments).jobs == .count(4))
    }

    @Test func eachDashCIsRelativeToTheOneBefore() throws {
        #expect(try parse("-C", "/tmp/a", "-C", "b").directory == "/tmp/a/b")
        #expect(try parse("-C", "a", "-C", "/abs").directory == "/abs")
        #expect(try parse("-C", "a").directory == "a")
    }

    @Test func autoJobs() throws {
        #expect(try parse("-j", "auto").jobs == .auto)
        #expect(try parse("-jauto").jobs == .auto)
    }

    @Test func bundledFlagsAndMakeSpellings() throws {
        let invocation = try parse("-nf", "x.json", "-C", "dir")
        #expect(invocation.dryRun)
        #expect(invocation.manifestPath == "x.json")
        #expect(invocation.directory == "dir")
    }

    @Test func positionalManifestDashAndDoubleDash() throws {
        #expect(try parse("tickets.json").manifestPath == "tickets.json")
        #expect(try parse("-").manifestPath == "-")
        #expect(try parse("--", "-n").manifestPath == "-n")
        #expect(try parse("--", "-n").dryRun == false)
    }

    @Test func graphAndSummaryImplyPrintingOnly() throws {
        #expect(try parse("--graph", "dot").graphFormat == .dot)
        #expect(try parse("--graph=mermaid").printsOnly)
        #expect(try parse("--summary").printsOnly)
        #expect(try parse().printsOnly == false)
    }

    @Test func errorsNameTheOptionAndSuggestTheCloseSpelling() {
        #expect(error("--dryrun") == "unknown option '--dryrun'; did you mean '--dry-run'?")
        #expect(error("--jbos", "3") == "unknown option '--jbos'; did you mean '--jobs'?")
        #expect(error("--frobnicate") == "unknown option '--frobnicate'")
        #expect(error("-x") == "unknown option '-x'")
        #expect(error("-j") == "option '-j' needs a value (N|auto)")
        #expect(error("--jobs") == "option '--jobs' needs a value (N|auto)")
        #expect(error("--summary=yes") == "option '--summary' takes no value")
        #expect(error("-j", "many") == "invalid value 'many' for '-j': expected a number of jobs or auto")
        #expect(error("-j", "-3") == "invalid value '-3' for '-j': expected a number of jobs or auto")
        #expect(error("--graph", "png") == "invalid value 'png' for '--graph': expected dot, mermaid, json")
        // A second operand is a target now (TargetOperandsTests); two -f are still two manifests.
        #expect(error("-f", "a.json", "-f", "b.json") == "more than one manifest given ('a.json' and 'b.json'); parrun reads one manifest")
        #expect(error("status", "a.json", "b.json") == "more than one manifest given ('a.json' and 'b.json'); parrun reads one manifest")
    }

    @Test func helpListsEveryOptionOnce() {
        let help = HelpText.render()
        for option in OptionTable.options {
            #expect(help.components(separatedBy: "--" + option.long + " ").count + help.components(separatedBy: "--" + option.long + "\n").count - 2 >= 1, "--\(option.long) missing")
            // Long help wraps; its words are all there, in order.
            let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains(option.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")), "help of --\(option.long)")
        }
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= HelpText.helpWidth + 2 }, "no line much wider than the wrap width")
        #expect(help.contains("Examples:"))
        #expect(help.contains("Exit status"))
    }
}
