import ParrunModel

extension Verify {
    /// What the agent is told when its work did not pass the verifier.
    static func feedback(script: String, exit: String, output: String) -> String {
        "The verifier of this task (`\(script.split(separator: "\n").first ?? "")`) failed: \(exit). Its output:\n\n"
            + "```\n" + output + (output.hasSuffix("\n") || output.isEmpty ? "" : "\n") + "```\n\n"
            + "Fix what it reports, in the same files, and finish the task so that the verifier passes.\n"
    }
}
