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

    /// A file's text in `directory`, nil if there is none.
    func read(_ directory: URL, _ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}
