import Testing
@testable import ParrunModel

/// `inputs` and `outputs`: read the same in both formats, checked once when
/// the manifest is read, with errors that point at the value.
@Suite struct DeclaredFilesTests {
    @Test func bothFormatsReadListsAndCommaSeparatedPaths() {
        let json = tickets(#"{"tickets": [{"id": "a", "inputs": ["src/*.c", "include/"], "outputs": "out/a.o, out/a.d", "run": "true"}]}"#)
        #expect(json.first?.files == DeclaredFiles(inputs: ["src/*.c", "include/"], outputs: ["out/a.o", "out/a.d"]))
        let text = tickets(lines("a:", "    @inputs src/*.c, include/", "    @outputs out/a.o, out/a.d", "    true"))
        #expect(text.first?.files == json.first?.files)
        #expect(tickets(lines("b:", "    true")).first?.files == nil, "a ticket without them declares nothing")
    }

    @Test func badValuesAreErrorsAtTheirPlace() {
        #expect(check(#"{"tickets": [{"id": "a", "outputs": ["out/*.o"]}]}"#).problems == [
            "1:37: error: `outputs` of ticket 'a' has the pattern 'out/*.o'; outputs are files, not patterns",
        ])
        #expect(check(lines("a:", "    @outputs out/", "    true")).problems == [
            "2:14: error: `outputs` of ticket 'a' names a directory, 'out/'; outputs are files",
        ])
        let wrongType = check(#"{"tickets": [{"id": "a", "inputs": 3}]}"#).problems
        #expect(wrongType.count == 1 && wrongType[0].hasPrefix("1:36: error: ") && wrongType[0].contains("a list of paths"), "\(wrongType)")
        #expect(check(#"{"tickets": [{"id": "a", "inputs": [""]}]}"#).problems.first?.contains("has an empty path") == true)
        #expect(check(#"{"tickets": [{"id": "a", "inputs": ["x.c"], "outputs": ["./x.c"]}]}"#).problems == [
            "1:56: error: `outputs` of ticket 'a' names './x.c', which is an input of the same ticket too",
        ])
        #expect(check(lines("a:", "    @outputs o.txt", "    true", "b:", "    @outputs ./o.txt", "    true")).problems == [
            "4:1: error: `outputs` of ticket 'b' names './o.txt', an output of ticket 'a' too",
        ])
    }
}
