import Foundation
import Testing
@testable import ParrunCLI

/// `parrun --help` fits one screen; each command has help of its own, the same
/// through `parrun help COMMAND` and `parrun COMMAND --help`.
@Suite struct HelpTests {
    @Test func theMainHelpFitsOneScreenAndPointsToTheRest() throws {
        let help = try CLITests.run(["--help"])
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 42, "\(lines.count) lines")
        #expect(lines.allSatisfy { $0.count <= 100 })
        for spec in CommandTable.visible {
            #expect(help.stdout.contains("\n  \(spec.command.rawValue)"), "\(spec.command.rawValue) missing")
        }
        #expect(!help.stdout.contains("\n  man"), "hidden commands stay hidden")
        #expect(help.stdout.contains("parrun help COMMAND"))
        #expect(try CLITests.run(["help"]).stdout == help.stdout)
    }

    @Test func everyCommandHasItsOwnHelpBothWays() throws {
        for spec in CommandTable.visible {
            let name = spec.command.rawValue
            let viaHelp = try CLITests.run(["help", name])
            let viaFlag = try CLITests.run([name, "--help"])
            #expect(viaHelp.status == 0 && viaFlag.status == 0, "\(name)")
            #expect(viaHelp.stdout == viaFlag.stdout, "\(name): help COMMAND and COMMAND --help differ")
            #expect(viaHelp.stdout.hasPrefix("Usage: parrun \(name)"), "\(name): \(viaHelp.stdout)")
            for option in HelpText.options(spec.options) {
                #expect(viaHelp.stdout.contains("--" + option.long), "\(name) --help lacks --\(option.long)")
            }
            #expect(!viaHelp.stdout.contains("--jobs"), "\(name): only what it takes")
        }
    }

    @Test func helpRunListsEveryOption() throws {
        let all = try CLITests.run(["help", "run"])
        #expect(all.status == 0)
        for option in OptionTable.options {
            #expect(all.stdout.contains("--" + option.long), "--\(option.long)")
        }
    }

    @Test func anUnknownTopicIsAUsageErrorWithASuggestion() throws {
        let unknown = try CLITests.run(["help", "lgos"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown argument 'lgos' for 'parrun help'"))
        #expect(unknown.stderr.contains("did you mean 'logs'?"))
        let two = try CLITests.run(["help", "logs", "show"])
        #expect(two.status == 2)
        #expect(two.stderr.contains("parrun help takes one"))
    }
}
