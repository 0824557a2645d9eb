import ParrunSupport
import ParrunModel
import ParrunState

/// One attempt of a ticket while its process runs.
struct RunningAttempt {
    let ticket: Int
    let attempt: Int
    let worker: Int
    let pid: Int32
    /// The read end of the pipe carrying the process's stdout and stderr.
    let outputDescriptor: Int32
    /// Polls readable when the process exits (a pidfd); nil on kernels without them.
    let exitDescriptor: Int32?
    let log: LogFile
    let startedAt: Double

    var lines = LineBuffer()
    /// The pipe reached end of file (every writer, grandchildren included, is gone).
    var outputClosed = false
    /// Set for a prompt ticket: its output is the agent's event stream.
    var agent: AgentAttempt?
    /// Where the recipe ran (nil: parrun's own directory); the verify gate runs there too.
    var directory: String?
    /// Set while this process is the ticket's `verify` gate, after the recipe succeeded.
    var verifying: VerifyPhase?
    /// The verifier's output, its last bytes, for the agent's feedback.
    var verifyOutput: [UInt8] = []
}

/// What a ticket's recipe left for its verify gate to complete.
struct VerifyPhase {
    let script: String
    /// What the recipe's agent reported, and how long the recipe took.
    let stats: AgentStats?
    let recipeSeconds: Double
    /// The agent session the recipe ran in, to send the verifier's output back to.
    let session: String?
}
