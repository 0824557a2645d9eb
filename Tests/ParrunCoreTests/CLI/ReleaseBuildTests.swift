import Foundation
import Testing

/// The one-file release (`Scripts/release`): a binary that needs no Swift
/// library and runs with an empty environment. Building it takes minutes, so
/// this suite runs only with PARRUN_TEST_RELEASE=1 (`.ci/run` builds the
/// release first, then runs it).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PARRUN_TEST_RELEASE"] == "1",
                "the release build is tested only with PARRUN_TEST_RELEASE=1 (run Scripts/release first; .ci/run does)"))
struct ReleaseBuildTests {
    static let binary = RepositoryDocuments.root.appendingPathComponent(".build/release-static/parrun")

    /// The binary, built by Scripts/release when it is not there yet.
    static func release() throws -> URL {
        if !FileManager.default.isExecutableFile(atPath: binary.path) {
            let outcome = try run("/bin/sh", ["-c", "Scripts/release >&2"], in: RepositoryDocuments.root, environment: ProcessInfo.processInfo.environment)
            #expect(outcome.status == 0, "Scripts/release failed: \(outcome.stderr)")
        }
        return binary
    }

    static func run(_ program: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CLITests.Outcome {
        let out = try OutputFile()
        let err = try OutputFile()
        let process = try Subprocess(program, arguments, in: directory, environment: environment, output: out.descriptor, error: err.descriptor)
        let status = process.wait()
        return CLITests.Outcome(status: status, stdout: out.text, stderr: err.text)
    }

    @Test func lddListsNoSwiftLibrary() throws {
        let binary = try Self.release()
        let ldd = try Self.run("/usr/bin/ldd", [binary.path])
        #expect(!ldd.stdout.contains("libswift"), "\(ldd.stdout)")
        #expect(!ldd.stdout.contains("libFoundation") && !ldd.stdout.contains("libdispatch"), "\(ldd.stdout)")
        // What is left is the C library and its friends, which every Linux has.
        for line in ldd.stdout.split(separator: "\n") {
            let name = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            let allowed = ["linux-vdso", "libc.so", "libm.so", "libstdc++", "libgcc_s", "ld-linux", "/lib64/ld-linux", "libpthread", "libdl", "librt", "libutil"]
            #expect(allowed.contains { name.hasPrefix($0) }, "unexpected library: \(line)")
        }
    }

    @Test func itRunsWithAnEmptyEnvironmentAndSaysItsCommit() throws {
        let binary = try Self.release()
        let version = try Self.run("/usr/bin/env", ["-i", binary.path, "--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("parrun 0."))
        let head = try Self.run("/usr/bin/git", ["-C", RepositoryDocuments.root.path, "rev-parse", "--short=12", "HEAD"], environment: ProcessInfo.processInfo.environment)
        if head.status == 0 {
            let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(version.stdout.contains("(commit \(commit)"), "\(version.stdout): not built from HEAD (\(commit)); run Scripts/release again")
        }

        let dir = try CLITests.directory(["tickets.json": #"{"tickets": [{"id": "a", "run": "echo hello > out.txt"}, {"id": "b", "dependsOn": ["a"], "run": "grep -q hello out.txt"}]}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        // No PATH but the system's, no LD_LIBRARY_PATH: nothing of the toolchain to find.
        let run = try Self.run("/usr/bin/env", ["-i", "PATH=/usr/bin:/bin", binary.path, "-q", "-j2"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("2 succeeded"))
        let schema = try Self.run("/usr/bin/env", ["-i", binary.path, "schema"])
        #expect(schema.status == 0 && schema.stdout.contains("\"tickets\""), "the schema is inside the binary, not read from docs/")
    }
}
