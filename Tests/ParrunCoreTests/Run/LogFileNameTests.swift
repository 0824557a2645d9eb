import Testing
@testable import ParrunModel
import ParrunSupport

/// A ticket's file name: safe ids keep theirs; any other id gets a safe,
/// bounded, stable, distinct one.
@Suite struct LogFileNameTests {
    @Test func safeShortIdsKeepTheirOwnName() {
        for id in ["build", "a.b-c_d", "T42", "x.log", String(repeating: "a", count: LogFileName.plainLimit)] {
            #expect(LogFileName.name(id) == id + ".log")
            #expect(LogFileName.name(id, suffix: LogFileName.eventsSuffix) == id + ".events.jsonl")
        }
    }

    @Test func anIdIsPlainOnlyWhenEveryByteIsSafeAndNoDotLeadsEndsOrDoubles() {
        for id in ["a", "a.b", "A-1_2", "x.y.z", String(repeating: "b", count: LogFileName.plainLimit)] {
            #expect(LogFileName.isPlain(id), "\(id)")
        }
        for id in ["", ".a", "a.", "a..b", "a b", "a/b", "é", "a~1", String(repeating: "b", count: LogFileName.plainLimit + 1)] {
            #expect(!LogFileName.isPlain(id), "\(id)")
        }
    }

    @Test func aThreeHundredByteIdGetsANameWithinTheFileNameLimit() {
        let id = String(repeating: "x", count: 300)
        for suffix in LogFileName.suffixes {
            let name = LogFileName.name(id, suffix: suffix)
            #expect(name.utf8.count <= 255)
            #expect(name.hasPrefix(String(repeating: "x", count: LogFileName.prefixLimit) + "~"), "readable: \(name)")
            #expect(name.hasSuffix(suffix))
        }
        let wide = String(repeating: "é", count: 300)
        #expect(LogFileName.name(wide, suffix: LogFileName.eventsSuffix).utf8.count <= 255)
    }

    @Test func distinctIdsWithTheSamePrefixGetDistinctNames() {
        let prefix = String(repeating: "p", count: 250)
        #expect(LogFileName.name(prefix + "1") != LogFileName.name(prefix + "2"))
        // Different unsafe characters read as the same `_` but hash apart.
        #expect(LogFileName.name("a/b") != LogFileName.name("a b"))
        #expect(LogFileName.name("a/b") != LogFileName.name("a_b"), "a plain name never has the hash mark")
    }

    @Test func theNameIsStableAcrossRunsAndPlatforms() {
        // FNV-1a 64 of the id's UTF-8: fixed here so a change of the hash (which would orphan old logs) shows.
        #expect(LogFileName.name("a/b") == "a_b~" + StableHash.hex(["a/b"]) + ".log")
        #expect(LogFileName.name("a/b") == LogFileName.name("a/b"))
    }

    @Test func slashesControlCharactersAndDotsNeverMakeAPathOrAHiddenFile() {
        for id in ["..", ".", "a.", "a..b", "../../etc/passwd", "a/../b", "tab\there", "nl\nx", "esc\u{1B}[31m", ".hidden", "", "~", "a\u{0}b"] {
            let name = LogFileName.name(id)
            #expect(!name.contains("/"), "\(name)")
            #expect(!name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(name)")
            #expect(!name.contains(".."), "\(name)")
            #expect(!name.hasPrefix("."), "\(name)")
            #expect(LogFileName.isTicketFileName(name), "clean must know it: \(name)")
        }
    }

    @Test func cleanRecognisesParrunsNamesOnly() {
        #expect(LogFileName.isTicketFileName("build.log"))
        #expect(LogFileName.isTicketFileName("build.events.jsonl"))
        #expect(LogFileName.isTicketFileName(LogFileName.name(String(repeating: "z", count: 300))))
        #expect(!LogFileName.isTicketFileName("notes.txt.bak"))
        #expect(!LogFileName.isTicketFileName("x"))
        #expect(!LogFileName.isTicketFileName(".hidden.log"))
        #expect(!LogFileName.isTicketFileName("a~nothex.log"))
    }
}
