/// What a batch launcher (Slurm) said of a running ticket's job: learnt from
/// its queue (`squeue`) or, for a job that ended before the queue showed it,
/// from the id the job wrote. The run controller records new jobs and
/// reports every change (`RunController.Event.jobChanged`).
package struct JobChange: Sendable, Equatable {
    package let ticket: Int
    package let attempt: Int
    package let job: String
    /// `queued`, `running`, Slurm's code, or `ended` (first learnt of at its end).
    package let state: String
    /// A job not recorded before: it goes into the journal.
    package let isNewJob: Bool

    package init(ticket: Int, attempt: Int, job: String, state: String, isNewJob: Bool) {
        self.ticket = ticket
        self.attempt = attempt
        self.job = job
        self.state = state
        self.isNewJob = isNewJob
    }
}
