/// The keys of a ticket object (and the text format's attributes): the one
/// list `TicketDecoder` switches over, so a key it reads can never be reported
/// as unknown, and "did you mean" always offers a key that works.
enum TicketKey: String, CaseIterable {
    case id, title, description, dependsOn, dependencies, priority, run, prompt
    case timeout, retries, pool, cwd, env, status, state
    case verify, verifyRetries, review, daemons, touches
    // Which agent CLI runs a prompt (`AgentKind`)
    case agent
    // Slurm (`SlurmRequest`)
    case cpus, mem, partition, slurmArgs
    // Flags of the claude command (`ClaudeOptions`)
    case model, permissionMode, maxTurns, maxBudgetUsd, appendSystemPrompt, allowedTools
    // What `--label` chooses tickets by (docs/targets.md)
    case labels
    // How an agent's work is judged and continued (`Continuations`)
    case allowNoChange, continuations
    // What makes it up to date (`DeclaredFiles`)
    case inputs, outputs

    /// The key `name` spells, if any. Every member of every ticket comes
    /// through here, so it compares only with the keys of the same length
    /// (one or three): cheaper than hashing the name, or than the synthesized
    /// `init(rawValue:)`, which hashes too for an enum this large.
    init?(name: String) {
        let length = name.utf8.count
        guard length < Self.byLength.count else { return nil }
        for key in Self.byLength[length] where key.rawValue == name {
            self = key
            return
        }
        return nil
    }

    /// The keys by the length of their name in bytes.
    private static let byLength: [[TicketKey]] = {
        var table = [[TicketKey]](repeating: [], count: (allCases.map(\.rawValue.utf8.count).max() ?? 0) + 1)
        for key in allCases { table[key.rawValue.utf8.count].append(key) }
        return table
    }()

    /// The spellings of the text format's attributes: the id and dependencies
    /// come from the header, and the recipe from the body.
    static let attributeNames: [String] = allCases.filter { ![.id, .dependsOn, .dependencies, .run, .prompt].contains($0) }.map(\.rawValue)

    /// Keys other tools use for the same thing, too far from ours for edit distance to find.
    static let otherNames: [String: TicketKey] = [
        "deps": .dependsOn, "depends": .dependsOn, "needs": .dependsOn, "requires": .dependsOn, "after": .dependsOn,
        "cmd": .run, "command": .run, "script": .run, "name": .title, "tags": .labels,
    ]
}

/// The keys of a JSON manifest's top level besides its settings (`SettingsDecoder.Setting`).
enum DocumentKey: String, CaseIterable {
    case tickets, tasks, defaults
    /// Another tool's store whose tickets this manifest runs (`StoreImport`).
    case `import`
    /// A ticket index's format version (`.sage/tickets/index.json`).
    case version
    /// The JSON Schema editors check the manifest against (docs/tickets.schema.json); parrun ignores it.
    case schema = "$schema"
}
