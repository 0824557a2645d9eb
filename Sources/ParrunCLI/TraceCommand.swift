import ParrunPlatform
import ParrunSupport

struct TraceCommand {
    let invocation: Invocation
    let environment: Environment
    func execute() throws(UsageError) -> ExitCode { .success }
}
