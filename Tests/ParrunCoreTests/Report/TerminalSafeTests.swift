import Testing
@testable import ParrunSupport

/// `TerminalSafe` (ParrunSupport): the one escaping function every message,
/// printer and prefixed output line goes through.
@Suite struct TerminalSafeTests {
    @Test func plainTextComesBackAsItIs() {
        for text in ["", "build", "a b-c_d.e", "café ünïcödé 日本 🎉", "path/with\\backslash"] {
            #expect(TerminalSafe.escaped(text) == text)
        }
    }

    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect(TerminalSafe.escaped("a\u{1B}[2Jb") == "a\\e[2Jb")
        #expect(TerminalSafe.escaped("nul\u{0}here") == "nul\\0here")
        #expect(TerminalSafe.escaped("bell\u{07}") == "bell\\x07")
        #expect(TerminalSafe.escaped("back\u{08}space") == "back\\x08space")
        #expect(TerminalSafe.escaped("del\u{7F}") == "del\\x7f")
        #expect(TerminalSafe.escaped("line\nbreak\rreturn\ttab") == "line\\nbreak\\rreturn\\ttab")
        #expect(TerminalSafe.escaped("\u{1F}") == "\\x1f")
    }

    @Test func tabsCanBeKeptInOutputLines() {
        #expect(TerminalSafe.escaped("a\tb\u{1B}", tabs: .kept) == "a\tb\\e")
    }

    @Test func messagesOfSeveralLinesKeepTheirLineBreaksAndTabs() {
        #expect(TerminalSafe.escapedLines("one\ntwo\tthree\n") == "one\ntwo\tthree\n")
        #expect(TerminalSafe.escapedLines("a\u{1B}[2J\nb\rc\n") == "a\\e[2J\nb\\rc\n")
    }

    @Test func c1ControlsAreEscapedButOtherNonASCIIIsNot() {
        // U+009B is CSI: some terminals obey it as ESC [.
        #expect(TerminalSafe.escaped("x\u{9B}31my") == "x\\u009b31my")
        #expect(TerminalSafe.escaped("\u{80}\u{9F}\u{A0}é") == "\\u0080\\u009f\u{A0}é")
    }

    @Test func invalidUTF8IsEscapedByteByByte() {
        #expect(TerminalSafe.escaped(bytes: [0x61, 0xFF, 0x62]) == "a\\xffb")
        #expect(TerminalSafe.escaped(bytes: [0xC3]) == "\\xc3", "a sequence cut short")
        #expect(TerminalSafe.escaped(bytes: [0xC0, 0xAF]) == "\\xc0\\xaf", "an overlong form")
        #expect(TerminalSafe.escaped(bytes: [0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80", "a surrogate")
        #expect(TerminalSafe.escaped(bytes: [0xC2, 0x9B, 0x41]) == "\\u009bA")
        #expect(TerminalSafe.escaped(bytes: Array("ok é 🎉".utf8)) == "ok é 🎉")
    }

    @Test func linesOfOutputAreSafeUnlessTheyHoldAControl() {
        func safe(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes { TerminalSafe.isSafeLines($0) } }
        #expect(safe("ab\ncd\tef\n"))
        #expect(safe("café\n"))
        #expect(!safe("a\rb\n"), "a lone CR returns to column 0")
        #expect(!safe("\u{1B}[1A\n"))
        #expect(!safe("x\u{9B}\n"))
        #expect(!Array<UInt8>([0x61, 0xFF, 0x0A]).withUnsafeBytes { TerminalSafe.isSafeLines($0) })
        // Every position of a long line is checked, not only the first bytes.
        let long = String(repeating: "abcdefgh", count: 1000)
        #expect(safe(long + "\n"))
        #expect(!safe(long + "\u{07}" + long + "\n"))
    }

    @Test func aControlCharacterIsFoundAtEveryPositionOfABlockAndOfTheRest() {
        for bad: UInt8 in [0x1B, 0x7F, 0xFF, 0x00] {
            for position in 0..<70 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 70)
                bytes[position] = bad
                #expect(!bytes.withUnsafeBytes { TerminalSafe.isSafeLines($0) }, "byte \(bad) at \(position)")
                #expect(TerminalSafe.escaped(bytes: bytes) != String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    @Test func escapingTwiceChangesNothingMore() {
        let once = TerminalSafe.escaped("\u{1B}]0;title\u{07}\u{9B}\u{0}")
        #expect(once == "\\e]0;title\\x07\\u009b\\0")
        #expect(TerminalSafe.escaped(once) == once)
    }

    @Test func everyByteValueGivesPrintableText() {
        for byte in UInt8.min...UInt8.max {
            let shown = TerminalSafe.escaped(bytes: [byte, 0x41])
            #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, "byte \(byte): \(shown)")
        }
    }
}
