import Testing
@testable import ParrunCore
@testable import ParrunModel

/// `verify` is checked when the manifest is read, with a message that says what is wrong.
@Suite struct VerifyFieldTests {
    @Test(arguments: [
        (#"[{"id": "a", "run": "x", "verify": ""}]"#, "1:36: error: `verify` of ticket 'a' is empty"),
        (#"[{"id": "a", "run": "x", "verify": " \n "}]"#, "1:36: error: `verify` of ticket 'a' is empty"),
        (#"[{"id": "a", "run": "x", "verify": []}]"#, "1:36: error: `verify` of ticket 'a' is empty"),
        (#"[{"id": "a", "run": "x", "verify": ["", ""]}]"#, "1:36: error: `verify` of ticket 'a' is empty"),
        (#"[{"id": "a", "run": "x", "verify": 5}]"#, "1:36: error: `verify` of ticket 'a' must be a shell script (a string, or a list of lines), found a number"),
        (#"[{"id": "a", "run": "x", "verify": ["make", 1]}]"#, "1:45: error: `verify` of ticket 'a' must be a shell script (a string, or a list of lines), found a number"),
        (#"[{"id": "a", "run": "x", "verify": "make\u0000"}]"#, "1:36: error: `verify` of ticket 'a' contains a NUL character"),
        (lines("a:", "    make", "    verify:"), "3:5: error: `verify` of ticket 'a' is empty"),
        (lines("a:", "    make", "    @verify"), "3:5: error: `verify` of ticket 'a' must be a shell script (a string, or a list of lines), found true/false"),
    ])
    func reportsABadVerifyOnceAtItsPlace(text: String, expected: String) {
        #expect(check(text).problems == [expected])
    }

    @Test func theEmptyMessageSaysWhatToWrite() throws {
        let error = try #require(readManifest(#"[{"id": "a", "verify": ""}]"#).diagnostics.diagnostics.first)
        #expect(error.help?.contains("e.g. `make test`") == true)
    }

    @Test func aScriptInEitherShapeIsKept() {
        let read = tickets(#"[{"id": "a", "verify": "make test"}, {"id": "b", "verify": ["make", "make test"]}]"#)
        #expect(read.map(\.verifyScript) == ["make test", "make\nmake test"])
    }
}
