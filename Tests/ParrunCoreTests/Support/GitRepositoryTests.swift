import Foundation
import Testing
@testable import ParrunPlatform

/// What tests on real git repositories in temporary directories share.
protocol GitRepositoryTests {}

extension GitRepositoryTests {
    /// Runs git in `directory`; a failure is recorded as an issue of the test.
    @discardableResult
    func git(_ directory: URL, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = CommandRunner.run(["git"] + arguments, in: directory.path)
        #expect(result.succeeded, "git \(arguments.joined(separator: " ")): \(result.output)", sourceLocation: sourceLocation)
        return result.output
    }

    /// A repository with one commit on `main` holding shared.txt, and
    /// `manifest` as `name` (untracked, like the state and the fake claude's calls).
    func repository(_ manifest: String, name: String = "Parrunfile") throws -> URL {
        let directory = try CLITests.directory(["shared.txt": "original\n", ".gitignore": ".parrun/\n\(name)\ncalls/\n"])
        try git(directory, "init", "-q", "-b", "main")
        try git(directory, "add", "-A")
        try git(directory, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
        try Data(manifest.utf8).write(to: directory.appendingPathComponent(name))
        return directory
    }

    /// A file's text in `directory`, nil if there is none.
    func read(_ directory: URL, _ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}
