import Testing
@testable import ParrunCLI
@testable import ParrunCore

/// How operands split into the manifest and targets, and the new options' bad values.
@Suite struct TargetOperandsTests {
    private func split(_ arguments: String..., files: Set<String> = []) throws -> (manifest: String?, targets: [String]) {
        TargetOperands.split(try CommandLineParser.parse(arguments), isRegularFile: files.contains)
    }

    private func error(_ arguments: String...) -> String {
        do {
            _ = try CommandLineParser.parse(arguments)
            return "no error"
        } catch {
            return error.message
        }
    }

    @Test func theFirstOperandIsTheManifestOnlyWhenItIsAFileDashOrPath() throws {
        #expect(try split("build", "test") == (nil, ["build", "test"]))
        #expect(try split("m.json", "build", files: ["m.json"]) == ("m.json", ["build"]))
        #expect(try split("m.json", "build") == ("m.json", ["build"]), "a missing .json file is a manifest that cannot be read")
        #expect(try split("build.v2", "x") == (nil, ["build.v2", "x"]), "no such file: an id")
        #expect(try split("Parrunfile2", files: ["Parrunfile2"]) == ("Parrunfile2", []))
        #expect(try split(".") == (".", []), "cannot be an id")
        #expect(try split("./build", "test") == ("./build", ["test"]))
        #expect(try split("-", "a") == ("-", ["a"]))
        #expect(try split("--", "-n", "a") == ("-n", ["a"]), "cannot be an id: a manifest, as before")
        #expect(try split("--", "a", "-n") == (nil, ["a", "-n"]))
    }

    @Test func withDashFEveryOperandIsATargetWhereverDashFComes() throws {
        #expect(try split("-f", "m.json", "a", "b", files: ["a"]) == ("m.json", ["a", "b"]))
        #expect(try split("a", "b", "-f", "m.json", files: ["a"]) == ("m.json", ["a", "b"]))
        #expect(try split("a", "-f", "m.json", "b") == ("m.json", ["a", "b"]))
    }

    @Test func labelsRepeatAndLimitTakesAWholeNumberOfAtLeastOne() throws {
        let invocation = try CommandLineParser.parse(["--label", "x", "--label=y", "--limit", "3"])
        #expect(invocation.labels == ["x", "y"])
        #expect(invocation.limit == 3)
        #expect(error("--limit", "0") == "invalid value '0' for '--limit': expected a whole number of at least 1")
        #expect(error("--limit", "-2") == "invalid value '-2' for '--limit': expected a whole number of at least 1")
        #expect(error("--limit", "ten") == "invalid value 'ten' for '--limit': expected a whole number of at least 1")
        #expect(error("--limit") == "option '--limit' needs a value (N)")
        #expect(error("--label=") == "invalid value '' for '--label': expected a label, such as backend")
        #expect(error("--lable", "x") == "unknown option '--lable'; did you mean '--label'?")
    }
}
