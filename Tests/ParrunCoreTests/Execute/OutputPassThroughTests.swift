import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// Plain lines of ticket output pass through as bytes; everything else (a line
/// begun in an earlier read, UTF-8, invalid bytes, CR LF) takes the line-by-line
/// path. Both must print exactly what the slow path alone would.
@Suite struct OutputPassThroughTests {
    @Test func plainBytesAreTheOnesThatReadAsTheSameText() {
        #expect(LineBuffer.isPlain(Array("ab\ncd\n".utf8)[...]))
        #expect(!LineBuffer.isPlain(Array("ab\r\n".utf8)[...]), "a CR before the line break is dropped on the slow path")
        #expect(!LineBuffer.isPlain(Array("é\n".utf8)[...]))
        #expect(!LineBuffer.isPlain([0xFF, 0x0A][...]), "invalid UTF-8 becomes U+FFFD on the slow path")
    }

    @Test func theChannelPutsThePrefixBeforeEveryLine() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        let channel = OutputChannel(descriptor)
        #expect(channel.alwaysTakesBytes, "a regular file")
        Array("one\n\nthree\n".utf8).withUnsafeBytes { channel.enqueueLines($0, prefix: Array("[x] ".utf8)) }
        Array("four\n".utf8).withUnsafeBytes { channel.enqueueLines($0, prefix: []) }
        channel.writeAll()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[x] one\n[x] \n[x] three\nfour\n")
    }

    @Test(arguments: [["-j2"], ["-j2", "--prefix", "worker"], ["-j1"], ["-j2", "--output", "grouped"]])
    func mixedOutputPrintsAsTheLineByLinePathWould(options: [String]) throws {
        // Long plain runs (several reads each), lines split across reads, UTF-8,
        // an invalid byte, CR LF and an unfinished last line, from two tickets at once.
        let script = #"""
            i=0; while [ $i -lt 3000 ]; do printf 'plain line %d\n' $i; i=$((i+1)); done
            printf 'half of a '; sleep 0.05; printf 'line\n'
            printf 'caf\303\251\n'; printf 'bad \377 byte\n'; printf 'dos\r\n'
            i=0; while [ $i -lt 3000 ]; do printf 'more %d\n' $i; i=$((i+1)); done
            printf 'no line break'
            """#
        let directory = try CLITests.directory(["one.sh": script, "two.sh": script,
            "Parrunfile": "one:\n    sh one.sh\ntwo:\n    sh two.sh\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "--no-journal"] + options, in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var expected: [String] = (0..<3000).map { "plain line \($0)" } + ["half of a line", "café", "bad \u{FFFD} byte", "dos"]
        expected += (0..<3000).map { "more \($0)" } + ["no line break"]
        for id in ["one", "two"] {
            let prefix = options.contains("-j1") ? "" : options.contains("worker") ? nil : "[\(id)] "
            let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let mine: [String]
            if let prefix, !prefix.isEmpty {
                mine = lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            } else if prefix == nil {
                // [W0] / [W1]: the two tickets' lines are told apart by worker, whichever ticket got which.
                let worker = lines.first { $0.hasPrefix("[W") }.map { String($0.prefix(5)) } ?? "[W0] "
                mine = lines.filter { $0.hasPrefix(id == "one" ? worker : (worker == "[W0] " ? "[W1] " : "[W0] ")) }.map { String($0.dropFirst(5)) }
            } else {
                mine = Array(lines.dropLast())  // -j1: one ticket after the other, no prefix
                #expect(mine == expected + expected)
                return
            }
            #expect(mine == expected, "\(id): \(mine.count) lines, first differing: \(zip(mine, expected).first { $0 != $1 }.map { "\($0)" } ?? "none")")
        }
    }
}
