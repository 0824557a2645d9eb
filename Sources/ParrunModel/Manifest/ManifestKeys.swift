/// The keys of a ticket object (and the text format's attributes): the one
/// list `TicketDecoder` switches over, so a key it reads can never be reported
/// as unknown, and "did you mean" always offers a key that works.
enum TicketKey: String, CaseIterable {
    case id, title, description, dependsOn, dependencies, priority, run, prompt
    case timeout, retries, pool, cwd, env, status, state
    case verify, verifyRetries, review, daemons, touches
    // Slurm (`SlurmRequest`)
    case cpus, mem, partition, slurmArgs
    // Flags of the claude command (`ClaudeOptions`)
    case model, permissionMode, maxTurns, maxBudgetUsd, appendSystemPrompt, allowedTools

    /// One hash lookup per member, instead of comparing the key with every name.
    static let byName: [String: TicketKey] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// The spellings of the text format's attributes: the id and dependencies
    /// come from the header, and the recipe from the body.
    static let attributeNames: [String] = allCases.filter { ![.id, .dependsOn, .dependencies, .run, .prompt].contains($0) }.map(\.rawValue)

    /// Keys other tools use for the same thing, too far from ours for edit distance to find.
    static let otherNames: [String: TicketKey] = [
        "deps": .dependsOn, "depends": .dependsOn, "needs": .dependsOn, "requires": .dependsOn, "after": .dependsOn,
        "cmd": .run, "command": .run, "script": .run, "name": .title,
    ]
}

/// The keys of a JSON manifest's top level besides its settings (`SettingsDecoder.Setting`).
enum DocumentKey: String, CaseIterable {
    case tickets, tasks, defaults
    /// A ticket index's format version (`.sage/tickets/index.json`).
    case version
}
