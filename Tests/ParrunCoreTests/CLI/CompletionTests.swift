import Foundation
import Testing
@testable import ParrunCLI

/// The completion scripts, loaded by the real shells: each completes an
/// option, a command, an option's value and a ticket id read from the manifest
/// through `parrun --list-ids`. A shell that is not installed is skipped, by name.
@Suite struct CompletionTests {
    static func installed(_ shell: String) -> Bool {
        ["/bin", "/usr/bin", "/usr/local/bin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(shell)") }
    }

    static let manifest = #"{"tickets": [{"id": "alpha", "run": "true"}, {"id": "beta", "dependsOn": ["alpha"], "run": "true"}]}"#

    /// Runs `body` in `shell` with the generated script and parrun on PATH, in
    /// a directory holding tickets.json and other.json; what it prints.
    static func complete(_ shell: String, _ body: String) throws -> String {
        let dir = try CLITests.directory(["tickets.json": manifest, "other/other.json": #"{"tickets": [{"id": "gamma"}]}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try CLITests.run(["completions", shell])
        #expect(script.status == 0)
        let name = shell == "zsh" ? "_parrun" : "parrun.\(shell)"
        try Data(script.stdout.utf8).write(to: dir.appendingPathComponent(name))
        let program = dir.appendingPathComponent("test.\(shell)")
        try Data(body.utf8).write(to: program)
        let binDirectory = CLITests.binary.deletingLastPathComponent().path
        var environment = Subprocess.environment(["PATH": binDirectory + ":/usr/local/bin:/usr/bin:/bin", "HOME": dir.path, "XDG_CONFIG_HOME": dir.path])
        environment["NO_COLOR"] = "1"
        let out = try OutputFile()
        let err = try OutputFile()
        let arguments = shell == "zsh" ? ["-f", program.path] : [program.path]
        let process = try Subprocess("/usr/bin/env", [shell] + arguments, in: dir, environment: environment, output: out.descriptor, error: err.descriptor)
        let status = process.wait()
        #expect(status == 0, "\(shell) exited \(status): \(err.text)")
        #expect(err.text.isEmpty, "\(shell) wrote to stderr: \(err.text)")
        return out.text
    }

    /// Each case, the candidates the shell offered, one a line, between `---` lines.
    static func sections(_ text: String) -> [[String]] {
        text.components(separatedBy: "---\n").map { $0.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") } }
    }

    static let cases = ["parrun --gra", "parrun sta", "parrun logs ", "parrun show -f other/other.json ", "parrun --graph ", "parrun logs --t"]

    static func check(_ sections: [[String]], shell: String) {
        #expect(sections.count >= cases.count, "\(shell): \(sections)")
        guard sections.count >= cases.count else { return }
        #expect(sections[0].contains("--graph"), "\(shell) option: \(sections[0])")
        #expect(sections[1].contains("status"), "\(shell) command: \(sections[1])")
        #expect(sections[2].contains("alpha") && sections[2].contains("beta"), "\(shell) ids: \(sections[2])")
        #expect(sections[3] == ["gamma"], "\(shell) ids of -f's manifest: \(sections[3])")
        #expect(Set(sections[4]).isSuperset(of: ["dot", "mermaid", "json"]), "\(shell) value: \(sections[4])")
        #expect(sections[5].contains("--tail") && !sections[5].contains("--timeout"), "\(shell) a command's options: \(sections[5])")
    }

    @Test(.enabled(if: installed("bash"), "bash is not installed: its completion is not tested"))
    func bashCompletes() throws {
        var body = "source ./parrun.bash\ncomplete -p parrun >/dev/null || exit 3\n"
        for line in Self.cases {
            // COMP_WORDS as bash splits the line; a trailing space starts an empty word.
            var words = line.split(separator: " ").map { "'\($0)'" }
            if line.hasSuffix(" ") { words.append("''") }
            body += "COMP_WORDS=(\(words.joined(separator: " "))); COMP_CWORD=\(words.count - 1); COMPREPLY=(); _parrun\n"
            body += "printf '%s\\n' \"${COMPREPLY[@]}\"; echo ---\n"
        }
        Self.check(Self.sections(try Self.complete("bash", body)), shell: "bash")
    }

    @Test(.enabled(if: installed("zsh"), "zsh is not installed: its completion is not tested"))
    func zshCompletes() throws {
        // compadd and _files work only inside a completion widget: stand-ins
        // print what the script offers, and the real zsh runs the rest.
        var body = """
            compdef() { [[ "$*" == "_parrun parrun" ]] || exit 4 }
            compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -l -- "$@" }
            _files() { print -l -- *(N) }
            _describe() { local name=${@[-1]}; local -a items; items=("${(@P)name}"); print -l -- "${(@)items%%:*}" }
            source ./_parrun

            """
        for line in Self.cases {
            var words = line.split(separator: " ").map { "'\($0)'" }
            if line.hasSuffix(" ") { words.append("''") }
            body += "words=(\(words.joined(separator: " "))); CURRENT=\(words.count); _parrun; echo ---\n"
        }
        let sections = Self.sections(try Self.complete("zsh", body)).map { candidates in
            candidates.filter { !$0.isEmpty }
        }
        // compadd leaves matching the word typed so far to zsh: match here.
        var matched = sections
        for (index, line) in Self.cases.enumerated() where index < sections.count {
            let typed = line.hasSuffix(" ") ? "" : String(line.split(separator: " ").last ?? "")
            matched[index] = sections[index].filter { $0.hasPrefix(typed) }
        }
        Self.check(matched, shell: "zsh")
    }

    @Test(.enabled(if: installed("fish"), "fish is not installed: its completion is not tested"))
    func fishCompletes() throws {
        var body = "source ./parrun.fish\n"
        for line in Self.cases {
            body += "complete -C'\(line)'; echo ---\n"
        }
        Self.check(Self.sections(try Self.complete("fish", body)), shell: "fish")
    }

    @Test func listIDsPrintsTheManifestsIdsAndRunsNothing() throws {
        let dir = try CLITests.directory(["tickets.json": Self.manifest])
        defer { try? FileManager.default.removeItem(at: dir) }
        let listed = try CLITests.run(["--list-ids"], in: dir)
        #expect(listed.status == 0)
        #expect(listed.stdout == "alpha\nbeta\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".parrun").path), "nothing ran, nothing recorded")
        let broken = try CLITests.run(["--list-ids", "-f", "tickets.json"], in: try CLITests.directory(["tickets.json": "{\"tickets\": [{\"id\": 1}]}"]))
        #expect(broken.status == 2 && broken.stdout.isEmpty, "a broken manifest lists nothing")
    }

    @Test func anUnknownShellIsAUsageError() throws {
        let csh = try CLITests.run(["completions", "bsah"])
        #expect(csh.status == 2)
        #expect(csh.stderr.contains("unknown argument 'bsah' for 'parrun completions': expected bash, zsh, fish; did you mean 'bash'?"))
        let none = try CLITests.run(["completions"])
        #expect(none.status == 2 && none.stderr.contains("missing argument for 'parrun completions'"))
    }
}

/// docs/parrun.1 is `parrun man`'s output, so the man page cannot drift from the option table.
@Suite struct ManPageTests {
    @Test func theManPageInDocsIsCurrent() throws {
        let generated = try CLITests.run(["man"])
        #expect(generated.status == 0)
        let stored = try RepositoryDocuments.text("docs/parrun.1")
        #expect(stored == generated.stdout, "docs/parrun.1 is stale: regenerate it with `swift run parrun man > docs/parrun.1`")
    }

    @Test func everyOptionAndCommandIsInTheManPage() {
        let page = ManPage.render()
        for option in OptionTable.options {
            #expect(page.contains(ManPage.escaped("--" + option.long)), "--\(option.long)")
        }
        for spec in CommandTable.visible {
            #expect(page.contains(".B parrun \(ManPage.escaped(spec.command.rawValue))"), "\(spec.command.rawValue)")
        }
    }

    @Test func roffEscapesWhatWouldBeRequests() {
        #expect(ManPage.escaped(".parrun/logs") == "\\&.parrun/logs")
        #expect(ManPage.escaped("a\\b-c") == "a\\eb\\-c")
    }
}
