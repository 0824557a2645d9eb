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
    static func complete(_ shell: String, _ body: String, timeout: Int = 30) throws -> String {
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
        // A shell that hangs (a completion waiting for input) fails the test instead of stalling it.
        let process = try Subprocess("/usr/bin/timeout", ["\(timeout)", shell] + arguments, in: dir, environment: environment, output: out.descriptor, error: err.descriptor)
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
        // The real completion system: an interactive zsh in a pseudo-terminal
        // (zpty), compinit with the script on $fpath, TAB after each line. What
        // the terminal shows (a listing, or the word completed in place) is read
        // until a marker the shell prints after the line is cleared; each line is
        // typed only once the prompt (spelt apart when typed) is back.
        var body = """
            zmodload zsh/zpty || exit 5
            zpty z zsh -f -i
            zpty -w z 'PS1="PR""OMPT> "; fpath=($PWD $fpath); autoload -Uz compinit; compinit -u -D'
            zpty -r z out '*PROMPT> *'

            """
        for line in Self.cases {
            body += "zpty -w -n z '\(line)'$'\\t'\n"
            body += "zpty -w -n z $'\\C-u'; zpty -w z 'echo END-$((1+1))'\n"
            body += "zpty -r z out '*END-2*'; print -r -- \"$out\"; print -- '---CASE---'\n"
            // Typed before the next prompt, a line would reach the terminal, not zle.
            body += "zpty -r z rest '*PROMPT> *'\n"
        }
        body += "zpty -d z\n"
        let text = try Self.complete("zsh", body, timeout: 60)
        let cases = text.components(separatedBy: "---CASE---\n")
        var sections: [[String]] = []
        for (index, raw) in cases.prefix(Self.cases.count).enumerated() {
            // Drop the terminal's escapes and control characters; keep the words after the typed line.
            // The cleared line's marker command is typed after the completion: cut it off.
            let shown = raw.components(separatedBy: "echo END-$((1+1))").first ?? raw
            let plain = Self.terminalText(shown.hasSuffix("e\u{8}") ? String(shown.dropLast(2)) : shown)
            let typed = Self.cases[index].trimmingCharacters(in: .whitespaces)
            let after = plain.components(separatedBy: typed).dropFirst().joined(separator: " ")
            var words = after.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { $0 != ">" }
            // A single match is completed in place: "sta" becomes "status", "--t" becomes "--tail".
            let last = String(typed.split(separator: " ").last ?? "")
            if !Self.cases[index].hasSuffix(" "), let first = words.first, !first.hasPrefix("-") || last.hasPrefix("-") {
                words[0] = first.hasPrefix(last) ? first : last + first
            }
            sections.append(words)
        }
        Self.check(sections, shell: "zsh")
    }

    /// Text as a terminal would show it, roughly: escape sequences and control characters removed.
    static func terminalText(_ raw: String) -> String {
        var out = ""
        var scalars = raw.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "\u{1B}" {
                // CSI: ESC [ parameters final-byte; other escapes: one more character.
                guard let next = scalars.next() else { break }
                if next == "[" {
                    while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {}
                }
                continue
            }
            if scalar == "\n" || scalar == " " { out.unicodeScalars.append(scalar); continue }
            if scalar == "\t" { out += " "; continue }
            if scalar.value < 0x20 || scalar.value == 0x7F { continue }
            out.unicodeScalars.append(scalar)
        }
        return out
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
