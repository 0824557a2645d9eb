import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct LineBufferTests {
    @Test func joinsLinesSplitAcrossReads() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("hel".utf8)[...]) == [])
        #expect(buffer.append(Array("lo\nwor".utf8)[...]) == ["hello"])
        #expect(buffer.append(Array("ld\r\n\nend".utf8)[...]) == ["world", ""])
        #expect(buffer.flush() == "end")
        #expect(buffer.flush() == nil)
    }

    @Test func repairsInvalidUTF8InsteadOfDroppingIt() {
        var buffer = LineBuffer()
        #expect(buffer.append([0x61, 0xFF, 0x62, 0x0A][...]) == ["a\u{FFFD}b"])
    }

    @Test func passesOnAHugeUnfinishedLineRatherThanHoldingItForever() {
        var buffer = LineBuffer()
        let lines = buffer.append([UInt8](repeating: 0x78, count: LineBuffer.limit)[...])
        #expect(lines.count == 1 && lines[0].utf8.count == LineBuffer.limit)
    }

    @Test func aHugeLineIsCutBetweenCharactersNotInsideOne() {
        var buffer = LineBuffer()
        // "é" (2 bytes) straddles the limit: it goes whole into the next piece.
        let bytes = [UInt8](repeating: 0x78, count: LineBuffer.limit - 1) + Array("é\n".utf8)
        let lines = buffer.append(bytes[..<LineBuffer.limit]) + buffer.append(bytes[LineBuffer.limit...])
        #expect(lines.count == 2)
        #expect(lines.first?.utf8.count == LineBuffer.limit - 1 && lines.last == "é", "\(lines.map(\.utf8.count))")
        #expect(!lines.joined().contains("\u{FFFD}"))
        #expect(LineBuffer.completeLength(Array("a€".utf8).dropLast()) == 1)
        #expect(LineBuffer.completeLength(Array("a€".utf8)) == 4)
        #expect(LineBuffer.completeLength(Array("a😀".utf8).dropLast(3)) == 1)
        #expect(LineBuffer.completeLength(Array("ab".utf8)) == 2)
    }
}

@Suite struct BackoffTests {
    @Test func doublesWithJitterAndIsCapped() {
        var generator = SeededGenerator(seed: 1)
        for attempt in 1...6 {
            let delay = Backoff.delay(base: 1, afterAttempt: attempt, using: &generator)
            let nominal = Double(1 << (attempt - 1))
            #expect(delay >= nominal * 0.5 && delay < nominal * 1.5)
        }
        #expect(Backoff.delay(base: 100, afterAttempt: 20, using: &generator) < Backoff.maximum * 1.5)
        #expect(Backoff.delay(base: 0, afterAttempt: 3, using: &generator) == 0)
    }
}

@Suite struct StatusLineTests {
    @Test func showsProgressRunningTicketsElapsedAndETA() {
        #expect(StatusLine.render(finished: 3, total: 12, running: ["build", "test"], elapsed: 72, width: 100)
            == "[3/12] running: build, test  elapsed 1m12s  eta 3m36s")
        #expect(StatusLine.render(finished: 0, total: 2, running: [], elapsed: 5, width: 100) == "[0/2]  elapsed 5s")
    }

    @Test func neverWiderThanTheTerminal() {
        let line = StatusLine.render(finished: 1, total: 9, running: (0..<50).map { "ticket-\($0)" }, elapsed: 1, width: 60)
        #expect(line.unicodeScalars.count < 60)
        #expect(line.hasSuffix("..."))
    }
}
