import ParrunPlatform

/// git, run in the user's repository or in one of parrun's worktrees. Never
/// prompts, never opens an editor.
public struct Git: Sendable {
    /// The repository's top-level directory (the user's checkout).
    let root: String
    /// `-c user.name=... -c user.email=...` when the repository has no identity,
    /// so parrun's commits never fail for want of one.
    var identity: [String] = []
    /// Readable when git running now should stop (see `GitWork`).
    var interrupt: Int32?

    package init(root: String, identity: [String] = []) {
        self.root = root
        self.identity = identity
    }

    static let environment = ["GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no", "LC_ALL": "C"]

    /// A hung git (a lock held elsewhere, a network filesystem) fails its step instead of freezing the run.
    static var timeout: Double { CommandRunner.timeout(default: 300) }

    @discardableResult
    package func run(_ arguments: [String], in directory: String? = nil) -> CommandRunner.Result {
        CommandRunner.run(["git"] + identity + arguments, in: directory ?? root, environment: Self.environment, timeout: Self.timeout, interrupt: interrupt)
    }

    /// The command's output without its last line break, or nil when it failed.
    package func output(_ arguments: [String], in directory: String? = nil) -> String? {
        let result = run(arguments, in: directory)
        guard result.succeeded else { return nil }
        var text = result.output
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// The commit a ref or revision names.
    func commit(_ revision: String, in directory: String? = nil) -> String? {
        output(["rev-parse", "--verify", "-q", revision + "^{commit}"], in: directory)
    }

    /// The commits several revisions name, in order, from one git; nil when any is missing.
    func commits(_ revisions: [String], in directory: String? = nil) -> [String]? {
        guard let text = output(["rev-parse"] + revisions.map { $0 + "^{commit}" }, in: directory) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        return lines.count == revisions.count ? lines : nil
    }
}
