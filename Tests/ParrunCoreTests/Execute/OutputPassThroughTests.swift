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

/// parrun's own output never blocks the loop: a pipe nobody reads, a socket,
/// a reader that went away.
@Suite struct OutputChannelTests {
    @Test func aPipeNobodyReadsTakesWhatFitsAndTheRestWaits() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let channel = OutputChannel(ends[1])
        #expect(!channel.alwaysTakesBytes)
        channel.enqueue(String(repeating: "x", count: 1 << 20))
        let started = Date()
        #expect(!channel.writeAvailable(), "a 64 KiB pipe cannot take 1 MiB")
        #expect(Date().timeIntervalSince(started) < 1, "and the write did not wait for a reader")
        #expect(channel.pendingCount > 0 && channel.pendingCount < 1 << 20)
        // Once a reader drains the pipe, everything goes out, in order.
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received < 1 << 20 {
            channel.writeAvailable()
            let count = read(ends[0], &buffer, buffer.count)
            if count > 0 { received += count }
        }
        #expect(channel.pendingCount == 0 && received == 1 << 20)
    }

    @Test func aSocketIsWrittenOnlyWhenItHasRoom() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let channel = OutputChannel(pair[1])
        channel.enqueue(String(repeating: "y", count: 4 << 20))
        let started = Date()
        #expect(!channel.writeAvailable())
        #expect(Date().timeIntervalSince(started) < 1, "a full socket did not block the write")
    }

    @Test func aReaderThatWentAwayDropsTheOutput() throws {
        signal(SIGPIPE, SIG_IGN)  // as parrun does; EPIPE is handled where it happens
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let channel = OutputChannel(ends[1])
        channel.enqueue("lost\n")
        #expect(channel.writeAvailable(), "nothing is left waiting")
        #expect(channel.isBroken)
        channel.enqueue("more\n")
        #expect(channel.pendingCount == 0, "later output is dropped, not queued")
    }
}
