import Testing
@testable import ParrunModel
@testable import ParrunState

/// Inputs Benchmarks/Fuzz's JournalFuzzer found: every record read must be
/// written back (journal compaction does) as a line that reads the same.
@Suite struct JournalFuzzRegressionTests {
    private func parse(_ text: String) throws(JournalError) -> JournalContents {
        try JournalReader.parse(Array(text.utf8), path: "j")
    }

    @Test func aTimeTooLargeForADoubleIsDamageNotInfinity() {
        // Read as infinity, it was written back as `inf`: a line no reader takes.
        let line = #"{"v":1,"type":"review","run":"r1","id":"a","approved":false,"reason":"x","time":1e999}"# + "\n"
        #expect(throws: JournalError.corrupt(line: 1, path: "j")) { try parse(line) }
    }

    @Test func anAgentCostTooLargeForADoubleReadsAsZeroAndRoundTrips() throws {
        let line = #"{"v":1,"type":"end","run":"r1","id":"a","attempt":1,"status":"failed","exitCode":1,"signal":null,"seconds":1,"time":2,"retry":false,"owner":{"pid":42,"start":1234,"host":"box"},"stats":{"turns":1,"costUsd":1e999}}"# + "\n"
        let records = try parse(line).records
        guard case .end(let end)? = records.first else {
            Issue.record("not an end record: \(records)")
            return
        }
        #expect(end.stats?.costUSD == 0)
        #expect(try parse(records.map(\.line).joined()).records == records)
    }
}
