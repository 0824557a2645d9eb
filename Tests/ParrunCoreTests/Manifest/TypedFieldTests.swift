import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Ticket fields parrun interprets are typed once, as the manifest is read:
/// a bad value is an error at its place in either format (and in a store),
/// and the later stages get the typed value.
@Suite struct TypedFieldTests {
    /// The reader's own problems (not the graph's), as "line:col: severity: message".
    private func readProblems(_ text: String) -> [String] {
        let map = SourceMap(SourceFile(name: "m", text: text))
        return readManifest(text).diagnostics.sorted.map { diagnostic in
            let place = diagnostic.span.map { "\(map.lineColumn(of: $0.offset))" } ?? "-"
            return "\(place): \(diagnostic.severity.rawValue): \(diagnostic.message)"
        }
    }

    @Test(arguments: [
        (#"[{"id": "a", "review": "yes"}]"#, "1:24: error: `review` of ticket 'a' must be true or false, found 'yes'"),
        (#"[{"id": "a", "review": 1}]"#, "1:24: error: `review` of ticket 'a' must be true or false, found '1'"),
        (#"[{"id": "a", "verifyRetries": -1}]"#, "1:31: error: `verifyRetries` of ticket 'a' must be a whole number of at least 0, found '-1'"),
        (#"[{"id": "a", "verifyRetries": "x"}]"#, "1:31: error: `verifyRetries` of ticket 'a' must be a whole number of at least 0, found 'x'"),
        (#"[{"id": "a", "touches": 3}]"#, "1:25: error: `touches` of ticket 'a' must be a list of path patterns (or one string, comma-separated), found a number"),
        (#"[{"id": "a", "touches": ["src/**", 1]}]"#, "1:25: error: `touches` of ticket 'a' must be a list of path patterns (or one string, comma-separated), found an array"),
        (#"[{"id": "a", "cpus": "four"}]"#, "1:22: error: `cpus` of ticket 'a' must be a whole number, found 'four'"),
        (#"[{"id": "a", "cpus": 0}]"#, "1:22: error: `cpus` of ticket 'a' must be at least 1, found 0"),
        (#"[{"id": "a", "mem": "lots"}]"#, "1:21: error: `mem` of ticket 'a' must be an amount of memory such as 4G or 500M, found 'lots'"),
        (#"[{"id": "a", "mem": "2GB"}]"#, "1:21: error: `mem` of ticket 'a' must be an amount of memory such as 4G or 500M, found '2GB'"),
        (#"[{"id": "a", "mem": true}]"#, "1:21: error: `mem` of ticket 'a' must be an amount of memory such as 4G or 500M, found 'true'"),
        (#"[{"id": "a", "partition": 5}]"#, "1:27: error: `partition` of ticket 'a' must be a string, found a number"),
        (#"[{"id": "a", "partition": " "}]"#, "1:27: error: `partition` of ticket 'a' must be a partition name, found ' '"),
        (#"[{"id": "a", "slurmArgs": "--comment='open"}]"#, "1:27: error: `slurmArgs` of ticket 'a' has a quote that is not closed"),
        (#"[{"id": "a", "slurmArgs": ["--exclusive", {}]}]"#, "1:43: error: `slurmArgs` of ticket 'a' must be srun arguments (a string, or a list of strings), found an object"),
        (#"[{"id": "a", "slurmArgs": 7}]"#, "1:27: error: `slurmArgs` of ticket 'a' must be srun arguments (a string, or a list of strings), found a number"),
        (#"[{"id": "a", "model": "op\u0000us"}]"#, "1:23: error: `model` of ticket 'a' contains a NUL character"),
    ])
    func aBadJSONValueIsAnErrorAtItsPlaceAsTheManifestIsRead(text: String, expected: String) {
        #expect(readProblems(text) == [expected])
    }

    @Test(arguments: [
        (lines("a:", "    @review yes"), "2:13: error: `review` of ticket 'a' must be true or false, found 'yes'"),
        (lines("a:", "    @verifyRetries many"), "2:20: error: `verifyRetries` of ticket 'a' must be a whole number of at least 0, found 'many'"),
        (lines("a:", "    @touches"), "2:5: error: `touches` of ticket 'a' must be a list of path patterns (or one string, comma-separated), found true/false"),
        (lines("a:", "    @cpus 0"), "2:11: error: `cpus` of ticket 'a' must be at least 1, found 0"),
        (lines("a:", "    @cpus 2.5"), "2:11: error: `cpus` of ticket 'a' must be a whole number, found '2.5'"),
        (lines("a:", "    @mem 2 G"), "2:10: error: `mem` of ticket 'a' must be an amount of memory such as 4G or 500M, found '2 G'"),
        (lines("a:", "    @partition"), "2:5: error: `partition` of ticket 'a' must be a string, found true/false"),
        (lines("a:", "    @slurmArgs --comment=\"x"), "2:16: error: `slurmArgs` of ticket 'a' has a quote that is not closed"),
        (lines("a:", "    @maxTurns 0"), "2:15: error: `maxTurns` of ticket 'a' must be a whole number of at least 1, found '0'"),
    ])
    func aBadTextAttributeIsAnErrorAtItsPlaceAsTheManifestIsRead(text: String, expected: String) {
        #expect(readProblems(text) == [expected])
    }

    @Test func aBadValueInABeadsStoreIsAnErrorAtItsPlace() {
        let store = #"{"id": "a", "issue_type": "task", "status": "open", "cpus": "x"}"#
        #expect(readProblems(store) == ["1:61: error: `cpus` of ticket 'a' must be a whole number, found 'x'"])
    }

    @Test func aBadDefaultIsReportedAtTheDefault() {
        let problems = readProblems(#"{"defaults": {"review": "maybe"}, "tickets": [{"id": "a"}]}"#)
        #expect(problems == ["1:25: error: `review` of ticket 'a' must be true or false, found 'maybe'"])
    }

    @Test func reviewIsAFlagInEitherFormat() {
        let json = tickets(#"[{"id": "a", "review": true}, {"id": "b", "review": "TRUE"}, {"id": "c", "review": false}, {"id": "d"}]"#)
        #expect(json.map(\.review) == [true, true, false, false])
        let text = tickets(lines("a:", "    @review", "b:", "    @review false", "c:", "    @review true"))
        #expect(text.map(\.review) == [true, false, true])
    }

    @Test func verifyRetriesAndTouchesAreTyped() {
        let read = tickets(lines("a:", "    @verifyRetries 5", "    @touches src/**, docs/*.md", "b:", "    @verifyRetries 0", "c:"))
        #expect(read.map(\.verifyRetries) == [5, 0, nil])
        #expect(read.map(Verify.retries(of:)) == [5, 0, Verify.defaultRetries])
        #expect(read[0].touches == ["src/**", "docs/*.md"])
        #expect(read[2].touches == nil)
        #expect(Exclusions.outside(["src/a.c", "README"], of: read[0]) == ["README"])
        let json = tickets(#"[{"id": "a", "touches": ["x/**"]}, {"id": "b", "touches": "x/y, , z"}, {"id": "c", "touches": []}]"#)
        #expect(json.map(\.touches) == [["x/**"], ["x/y", "z"], []])
    }

    @Test func slurmFieldsReachSrunInEitherFormat() {
        let text = tickets(lines("t:", "    @cpus 4", "    @mem 2G", "    @partition gpu", "    @slurmArgs --exclusive --comment='a b'", "    make"))
        #expect(text[0].slurm == SlurmRequest(cpus: 4, mem: "2G", partition: "gpu", extraArguments: ["--exclusive", "--comment=a b"]))
        #expect(SlurmLauncher.wrap(["make"], ticket: text[0], run: "r1", directory: nil) == [
            "srun", "--job-name=parrun:r1:t", "--ntasks=1", "--quiet", "--cpus-per-task=4", "--mem=2G",
            "--partition=gpu", "--exclusive", "--comment=a b", "--", "make",
        ])
        let json = tickets(#"{"defaults": {"partition": "batch"}, "tickets": [{"id": "t", "mem": 4096, "slurmArgs": ["--nodes", 2]}, {"id": "u"}]}"#)
        #expect(json[0].slurm == SlurmRequest(mem: "4096", partition: "batch", extraArguments: ["--nodes", "2"]))
        #expect(SlurmLauncher.wrap(["make"], ticket: json[1], run: "r1", directory: nil) == [
            "srun", "--job-name=parrun:r1:u", "--ntasks=1", "--quiet", "--cpus-per-task=1", "--partition=batch", "--", "make",
        ])
    }

    @Test func claudeOptionsAreTypedInEitherFormat() {
        let text = tickets(lines("a:", "    @model opus", "    @maxTurns 3", "    @maxBudgetUsd 0.50", "    @allowedTools Read, Edit", "    > do it"))
        #expect(text[0].claudeOptions.arguments == ["--model", "opus", "--max-turns", "3", "--max-budget-usd", "0.50", "--allowedTools", "Read", "Edit"])
    }

    @Test func fieldsParrunTypesStayAvailableToTemplates() throws {
        let read = tickets(#"{"defaults": {"run": "echo {{cpus}} {{touches}}"}, "tickets": [{"id": "a", "cpus": 2, "touches": ["x", "y"]}]}"#)
        #expect(read.first?.recipe == .shell("echo '2' 'x' 'y'"))
    }
}
