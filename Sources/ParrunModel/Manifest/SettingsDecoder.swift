import ParrunSupport

/// Reads top-level settings, from JSON keys or the text format's `key = value` lines.
enum SettingsDecoder {
    /// Every setting the decoder reads. Its switch must handle each case, so the
    /// names in messages and suggestions cannot fall behind what is accepted.
    enum Setting: String, CaseIterable {
        case jobs, shell, claude, codex, pools, launcher, isolate, worktreeSetup, prices
        /// Hooks (`Hooks`): `on EVENT = COMMAND` lines in the text format.
        case on

        /// As the text format writes them: `pools` is one `pool NAME = N` line
        /// per pool, `prices` one `price MODEL = input USD, output USD` per model.
        static let textFormatNames = allCases.map { $0 == .pools ? "pool NAME" : $0 == .prices ? "price MODEL" : $0 == .on ? "on EVENT" : $0.rawValue }
    }

    /// `unknownSettings` is for the text format, where every top-level line is a
    /// setting; the JSON reader checks the top level itself (`settings.extra`).
    static func decode(_ members: [JSONMember], unknownSettings: UnknownKeyPolicy, diagnostics: inout DiagnosticList) -> ManifestSettings {
        var settings = ManifestSettings()
        for member in members {
            if case .null = member.value.kind { continue }
            let reader = FieldReader(member: member, ticket: nil)
            guard let setting = Setting(rawValue: member.key) else {
                settings.extra.append(member)
                if unknownSettings != .ignore {
                    let suggestion = diagnostics.isWarningListFull ? nil : SpellingSuggestion.closest(to: member.key, among: Setting.allCases.map(\.rawValue) + ["pool", "price"])
                    var warning = ManifestWarning.unknownSetting(member.key, suggestion: suggestion, at: member.keySpan).diagnostic
                    // --strict: a misspelt setting is refused like a misspelt key.
                    if unknownSettings == .refuse {
                        warning.severity = .error
                        warning.message = "unknown setting `\(member.key.truncatedForMessage)`"
                    }
                    diagnostics.append(warning)
                }
                continue
            }
            switch setting {
            case .jobs:
                if let text = member.value.scalarText, let jobs = JobsRequest(parsing: text) {
                    settings.jobs = jobs
                    settings.jobsSpan = member.value.span
                } else if let text = member.value.scalarText {
                    diagnostics.add(ManifestError.invalidJobs(text, at: member.value.span))
                } else {
                    diagnostics.add(ManifestError.wrongType(field: "jobs", ticket: nil, expected: "a number or \"auto\"", found: member.value.typeDescription, at: member.value.span))
                }
            case .shell:
                settings.shell = reader.command(&diagnostics)
            case .claude:
                settings.claude = reader.command(&diagnostics)
            case .codex:
                settings.codex = reader.command(&diagnostics)
            case .pools:
                settings.pools = pools(member, diagnostics: &diagnostics)
            case .launcher:
                if let text = member.value.stringValue, text == "slurm" || text == "local" {
                    settings.slurm = text == "slurm"
                } else {
                    // A command every recipe runs under: `docker exec box`, `ssh build-7 {}`.
                    settings.launcherCommand = reader.command(&diagnostics)
                }
            case .worktreeSetup:
                settings.worktreeSetup = reader.lines(&diagnostics)
                if let script = settings.worktreeSetup {
                    ShellScriptLimit.check(script, field: "worktreeSetup", ticket: nil, at: member.value.span, diagnostics: &diagnostics)
                }
            case .prices:
                settings.prices = PricesDecoder.decode(member, diagnostics: &diagnostics)
            case .on:
                settings.hooks = Hooks.decode(member, diagnostics: &diagnostics)
            case .isolate:
                guard let text = member.value.stringValue, text == "worktree" || text == "none" else {
                    diagnostics.add(ManifestError.wrongType(field: "isolate", ticket: nil, expected: "\"worktree\" or \"none\"", found: member.value.scalarText.map { "'\($0.truncatedForMessage)'" } ?? member.value.typeDescription, at: member.value.span))
                    continue
                }
                settings.isolateInWorktrees = text == "worktree"
            }
        }
        return settings
    }

    private static func pools(_ member: JSONMember, diagnostics: inout DiagnosticList) -> [PoolLimit] {
        guard case .object(let entries) = member.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: "pools", ticket: nil, expected: "an object of pool name: limit", found: member.value.typeDescription, at: member.value.span))
            return []
        }
        var pools: [PoolLimit] = []
        for entry in entries {
            let reader = FieldReader(member: JSONMember(key: "pool \(entry.key)", keySpan: entry.keySpan, value: entry.value), ticket: nil)
            if let limit = reader.integer(minimum: 1, &diagnostics) {
                pools.append(PoolLimit(name: entry.key, limit: limit, span: entry.keySpan))
            }
        }
        return pools
    }
}
