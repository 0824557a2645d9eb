import Testing
@testable import ParrunState

/// `.parrun/durations`: one `ID<TAB>SECONDS` line per ticket under a header,
/// sorted by id, read back to the same values; a line that does not parse is
/// skipped, and a file of another version is ignored.
@Suite struct DurationHistoryTests {
    @Test func theTextListsEveryTicketSortedByIDAndReadsBackTheSameValues() {
        let seconds = ["lint": 0.25, "build-2": 12.5, "build-10": 0.1 + 0.2, "a.b_c": 3600, "zero": 0]
        let text = DurationHistory(seconds: seconds).text
        #expect(text == "parrun-durations 1\na.b_c\t3600.0\nbuild-10\t0.30000000000000004\nbuild-2\t12.5\nlint\t0.25\nzero\t0.0\n")
        #expect(DurationHistory(parsing: text).seconds == seconds)
    }

    @Test func anEmptyHistoryIsTheHeaderAlone() {
        #expect(DurationHistory().text == "parrun-durations 1\n")
        #expect(DurationHistory(parsing: "parrun-durations 1\n").seconds.isEmpty)
    }

    @Test func linesThatDoNotParseAreSkippedAndTheRestKept() {
        let text = "parrun-durations 1\nno-tab\nneg\t-1\nnan\tnan\ninf\tinf\nword\tfast\nok\t2.5\n\n"
        #expect(DurationHistory(parsing: text).seconds == ["ok": 2.5])
    }

    @Test func aFileOfAnotherVersionIsIgnored() {
        #expect(DurationHistory(parsing: "parrun-durations 2\nok\t2.5\n").seconds.isEmpty)
        #expect(DurationHistory(parsing: "ok\t2.5\n").seconds.isEmpty)
    }
}
