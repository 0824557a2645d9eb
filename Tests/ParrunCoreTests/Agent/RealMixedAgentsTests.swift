import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// claude and codex tickets in one `--worktree` graph, each real CLI against
/// its own mock API: each agent writes in its own worktree (claude with the
/// default acceptEdits, codex with the default workspace-write sandbox), both
/// land, and a shell ticket after them sees both files.
@Suite(.enabled(if: RealClaude.cli != nil, "set PARRUN_TEST_CLAUDE to a claude binary (.ci/run installs one) to run the mixed-agent test"),
       .enabled(if: RealCodex.cli != nil, "set PARRUN_TEST_CODEX to a codex binary (.ci/run installs one) to run the mixed-agent test"),
       .enabled(if: RealClaude.python != nil, "python3 is needed for the mock APIs"))
struct RealMixedAgentsTests {
    @Test(.timeLimit(.minutes(4)))
    func claudeAndCodexTicketsLandFromTheirWorktreesAndAShellTicketSeesBoth() throws {
        let directory = try CLITests.directory([".gitignore": ".parrun/\nhome/\nmock.*\nmocks/\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "git \(arguments): \(result.output)")
        }
        let claudeMock = try RealClaude.Mock(in: directory)
        let codexMocks = directory.appendingPathComponent("mocks")
        try FileManager.default.createDirectory(at: codexMocks, withIntermediateDirectories: true)
        let codexMock = try RealClaude.Mock(in: codexMocks, script: RealCodex.mockScript)
        // claude's Write wants an absolute path (its worktree); codex patches relative to its own.
        let claudeWorktree = directory.appendingPathComponent(".parrun/worktrees/by-claude").path
        let manifest = #"{"tickets": ["#
            + #"{"id": "by-claude", "prompt": "Write it [[write \#(claudeWorktree)/claude.txt: from claude]]"},"#
            + #"{"id": "by-codex", "agent": "codex", "prompt": "Write it [[patch codex.txt: from codex]]"},"#
            + #"{"id": "both", "dependsOn": ["by-claude", "by-codex"], "run": "cat claude.txt codex.txt > both.txt"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        var environment = try RealClaude.environment(directory, mock: claudeMock)
        for (key, value) in try RealCodex.environment(directory, mock: codexMock) where key != "HOME" { environment[key] = value }
        // The worktree's default sandbox, not the test config's, lets codex write.
        let config = codexMocks.deletingLastPathComponent().appendingPathComponent("home/codex/config.toml")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "sandbox_mode = \"workspace-write\"\n", with: "")
        try Data(text.utf8).write(to: config)
        let outcome = try CLITests.run(["-q", "--worktree", "tickets.json"], in: directory, environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let both = try? String(contentsOf: directory.appendingPathComponent("both.txt"), encoding: .utf8)
        #expect(both == "from claude\nfrom codex\n", "both agents' work landed before the shell ticket: \(outcome.stderr)")
        let log = CommandRunner.run(["git", "log", "--format=%s", "main"], in: directory.path)
        #expect(log.output.contains("by-claude") && log.output.contains("by-codex") && log.output.contains("both"), "\(log.output)")
        // Its diff is codex's patch.
        let diff = try CLITests.run(["diff", "by-codex", "--no-pager"], in: directory)
        #expect(diff.status == 0 && diff.stdout.contains("+from codex"), "\(diff.stdout) \(diff.stderr)")
        let status = try CLITests.run(["status", "--json"], in: directory)
        #expect(status.stdout.contains(#""agent":"codex""#) && status.stdout.contains(#""agent":"claude""#), "\(status.stdout)")
    }
}
