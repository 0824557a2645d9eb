extension ManifestSchema {
    /// The schema's description of each ticket key (`$defs.defaults.properties`;
    /// a ticket is `id` plus these), kept apart from the document and its
    /// settings in ManifestSchema.swift. Indented as it stands in the schema.
    static let ticketKeys = #"""
        "title": {
          "type": [
            "string",
            "null"
          ],
          "description": "a one-line summary"
        },
        "description": {
          "type": [
            "string",
            "null"
          ],
          "description": "a longer description (templates: {{description}})"
        },
        "dependsOn": {
          "description": "ids of the tickets that must succeed first (an array, or one id)",
          "$ref": "#/$defs/stringOrList"
        },
        "dependencies": {
          "description": "the same as dependsOn",
          "$ref": "#/$defs/stringOrList"
        },
        "priority": {
          "description": "lower runs first among ready tickets (default 0); also high, medium, low, background or P0 to P4",
          "anyOf": [
            {
              "type": "integer"
            },
            {
              "type": "string"
            },
            {
              "type": "null"
            }
          ]
        },
        "run": {
          "description": "the shell recipe: a script, or its lines; a ticket has `run` or `prompt`, not both",
          "$ref": "#/$defs/stringOrList"
        },
        "prompt": {
          "description": "the agent's prompt, on the claude CLI's standard input: a string, or its lines",
          "$ref": "#/$defs/stringOrList"
        },
        "timeout": {
          "description": "stop the recipe after this long: 90s, 30m, 1h30m, 500ms; a number is seconds",
          "anyOf": [
            {
              "type": "string"
            },
            {
              "type": "number",
              "exclusiveMinimum": 0
            },
            {
              "type": "null"
            }
          ]
        },
        "retries": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 0,
          "description": "run a failed attempt again up to this many times"
        },
        "pool": {
          "type": [
            "string",
            "null"
          ],
          "description": "count against the limit of this pool (top-level `pools`)"
        },
        "cwd": {
          "type": [
            "string",
            "null"
          ],
          "description": "run in this directory, relative to the manifest's"
        },
        "env": {
          "type": [
            "object",
            "null"
          ],
          "description": "variables added to the recipe's environment",
          "propertyNames": {
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"
          },
          "additionalProperties": {
            "type": [
              "string",
              "number",
              "boolean"
            ]
          }
        },
        "status": {
          "type": [
            "string",
            "null"
          ],
          "description": "done, completed or closed (any case): already satisfied, not run"
        },
        "state": {
          "type": [
            "string",
            "null"
          ],
          "description": "the same as status"
        },
        "verify": {
          "description": "a shell script that must exit 0 after the recipe succeeds (a verify gate)",
          "$ref": "#/$defs/stringOrList"
        },
        "verifyRetries": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 0,
          "description": "times a prompt ticket goes back to its agent after a failed verify gate (default 2)"
        },
        "review": {
          "description": "a person approves the work (parrun approve) before it counts",
          "$ref": "#/$defs/flag"
        },
        "daemons": {
          "description": "what the recipe leaves running in the background outlives it on purpose",
          "$ref": "#/$defs/flag"
        },
        "touches": {
          "description": "path globs the ticket changes (a list, or one comma-separated string); overlapping tickets never run at once",
          "$ref": "#/$defs/stringOrList"
        },
        "cpus": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 1,
          "description": "--launcher slurm: CPUs of the ticket's job (default 1)"
        },
        "mem": {
          "description": "--launcher slurm: the job's memory, such as 4G or 500M (a number is megabytes)",
          "anyOf": [
            {
              "type": "string",
              "pattern": "^[0-9]+[KMGTkmgt]?$"
            },
            {
              "type": "integer",
              "minimum": 1
            },
            {
              "type": "null"
            }
          ]
        },
        "partition": {
          "type": [
            "string",
            "null"
          ],
          "description": "--launcher slurm: the job's partition"
        },
        "slurmArgs": {
          "description": "--launcher slurm: more srun arguments (a string split like shell words, or a list)",
          "$ref": "#/$defs/stringOrList"
        },
        "model": {
          "type": [
            "string",
            "null"
          ],
          "description": "claude --model"
        },
        "permissionMode": {
          "type": [
            "string",
            "null"
          ],
          "description": "claude --permission-mode, such as acceptEdits"
        },
        "maxTurns": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 1,
          "description": "claude --max-turns"
        },
        "maxBudgetUsd": {
          "type": [
            "number",
            "null"
          ],
          "exclusiveMinimum": 0,
          "description": "claude --max-budget-usd"
        },
        "appendSystemPrompt": {
          "type": [
            "string",
            "null"
          ],
          "description": "claude --append-system-prompt"
        },
        "allowedTools": {
          "description": "claude --allowedTools (a list, or one comma-separated string)",
          "$ref": "#/$defs/stringOrList"
        },
        "allowNoChange": {
          "description": "with --worktree, a prompt ticket whose agent changed nothing succeeds instead of ending no-change",
          "$ref": "#/$defs/flag"
        },
        "continuations": {
          "type": [
            "integer",
            "null"
          ],
          "minimum": 0,
          "description": "times a session that ran out of turns or context is continued before the ticket fails (default 2)"
        },
        "agent": {
          "type": [
            "string",
            "null"
          ],
          "enum": [
            "claude",
            "codex",
            null
          ],
          "description": "the agent CLI a prompt ticket runs through (default claude; docs/codex.md)"
        },
        "labels": {
          "description": "labels for --label (a list, or one comma-separated string)",
          "$ref": "#/$defs/stringOrList"
        },
        "inputs": {
          "description": "files and glob patterns whose content decides whether the ticket is up to date (docs/up-to-date.md)",
          "$ref": "#/$defs/stringOrList"
        },
        "outputs": {
          "description": "files the recipe writes; not patterns or directories (docs/up-to-date.md)",
          "$ref": "#/$defs/stringOrList"
        }
"""#
}
