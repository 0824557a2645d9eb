import Testing
@testable import ParrunCore
@testable import ParrunModel

/// `allowNoChange` and `continuations`, in both formats, checked as the manifest is read.
@Suite struct AgentFlowFieldTests {
    @Test func bothFormatsSetThemAndDefaultsApply() {
        let json = tickets(#"{"defaults": {"continuations": 4}, "tickets": [{"id": "a", "prompt": "x", "allowNoChange": true}, {"id": "b", "prompt": "y", "continuations": 0}]}"#)
        #expect(json.map(\.allowNoChange) == [true, false])
        #expect(json.map(\.continuations) == [4, 0])
        let text = tickets(lines("a:", "    @allowNoChange", "    @continuations 3", "    > look", "b:", "    @allowNoChange false", "    > write"))
        #expect(text.map(\.allowNoChange) == [true, false])
        #expect(text.map { Continuations.limit(of: $0) } == [3, 2], "2 unless the ticket says")
        #expect(check(lines("a:", "    @allowNoChange", "    > x")).problems.isEmpty, "a known key: no unknown-key warning")
    }

    @Test(arguments: [
        (#"[{"id": "a", "prompt": "x", "continuations": -1}]"#, "1:46: error: `continuations` of ticket 'a' must be a whole number of at least 0, found '-1'"),
        (lines("a:", "    @continuations many", "    > x"), "2:20: error: `continuations` of ticket 'a' must be a whole number of at least 0, found 'many'"),
    ])
    func aBadContinuationsIsReportedAtItsPlace(text: String, expected: String) {
        #expect(check(text).problems == [expected])
    }
}
