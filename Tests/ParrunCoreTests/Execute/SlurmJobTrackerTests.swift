import Testing
@testable import ParrunCore

/// What the runner records about Slurm jobs, from `squeue` answers and job files: no cluster needed.
@Suite struct SlurmJobTrackerTests {
    private let a = SlurmJobTracker.Attempt(ticket: 0, attempt: 1, id: "a")
    private let b = SlurmJobTracker.Attempt(ticket: 1, attempt: 1, id: "b")

    @Test func aJobIsRecordedOnceAndEachStateChangeIsAnEvent() {
        var tracker = SlurmJobTracker(jobDirectory: "/shared/.parrun/slurm")
        #expect(tracker.jobFile("a") == "/shared/.parrun/slurm/a.job")
        #expect(tracker.update(running: [a, b], queue: ["a": ("7", "queued")]) == [
            .init(ticket: 0, attempt: 1, job: "7", state: "queued", isNewJob: true),
        ])
        #expect(tracker.update(running: [a, b], queue: ["a": ("7", "queued")]).isEmpty, "nothing new")
        #expect(tracker.update(running: [a, b], queue: ["a": ("7", "running"), "b": ("8", "running")]) == [
            .init(ticket: 0, attempt: 1, job: "7", state: "running", isNewJob: false),
            .init(ticket: 1, attempt: 1, job: "8", state: "running", isNewJob: true),
        ])
        #expect(tracker.ended(a, recorded: "7") == nil, "a job a tick saw is recorded already")
    }

    @Test func aJobNoTickSawIsRecordedFromItsFileWhenItEnds() {
        var tracker = SlurmJobTracker(jobDirectory: "/s")
        #expect(tracker.ended(a, recorded: "9") == .init(ticket: 0, attempt: 1, job: "9", state: "ended", isNewJob: true))
        #expect(tracker.ended(b, recorded: nil) == nil, "a job that never started wrote nothing")
        // A retry's new job is new, even when the last attempt's was seen.
        _ = tracker.update(running: [a], queue: ["a": ("10", "running")])
        let retry = SlurmJobTracker.Attempt(ticket: 0, attempt: 2, id: "a")
        #expect(tracker.ended(a, recorded: "10") == nil)
        #expect(tracker.ended(retry, recorded: "11")?.isNewJob == true)
        #expect(SlurmJobTracker(jobDirectory: nil).jobFile("a") == nil)
    }
}
