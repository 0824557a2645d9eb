import ParrunModel
import ParrunPlatform

/// What the run learns from outside its own processes: the launcher's answers
/// about running tickets (Slurm's `squeue`, asked beside the loop), and what
/// other parruns working on the same run finished or left.
extension Runner {
    /// What the launcher learnt of the running tickets (Slurm: their jobs and
    /// whether they are queued or running, one `squeue` a tick).
    func pollLauncher() {
        guard launcherQuery == nil else { return }
        let attempts = running.values.filter { $0.verifying == nil }
            .map { SlurmJobTracker.Attempt(ticket: $0.ticket, attempt: $0.attempt, id: plan.graph.tickets[$0.ticket].id) }
        let now = Clock.monotonic()
        guard let command = launcher.query(attempts, now: now) else { return }
        do {
            launcherQuery = (try HelperProcess(command), attempts, now + SlurmLauncher.pollTimeout)
        } catch {
            apply(launcher.answer(nil, for: attempts, now: now))
        }
    }

    /// The launcher's question, once answered or out of time (`force`: the run
    /// is over, it is not waited for).
    func finishLauncherQuery(force: Bool = false) {
        guard let query = launcherQuery else { return }
        let now = Clock.monotonic()
        let exited = query.helper.hasExited
        guard exited || force || now >= query.deadline else { return }
        launcherQuery = nil
        let (status, output) = query.helper.finish()
        guard !force else { return }
        apply(launcher.answer(exited && status == .exited(0) ? output : nil, for: query.attempts, now: now))
    }

    private func apply(_ news: LauncherNews) {
        if let warning = news.warning { reporter.report(.notice(warning), elapsed: elapsed) }
        for change in news.changes { send(.jobChanged(change)) }
    }

    /// What other parruns on this run finished; read often while waiting on them.
    func applyNews(now: Double) {
        guard let coordination else { return }
        let interval = controller.scheduler.elsewhereCount > 0 ? Self.newsInterval : StatusTick.interval
        guard now - lastNews >= interval else { return }
        lastNews = now
        for news in coordination.news() {
            switch news {
            case .succeeded(let ticket): send(.news(ticket: ticket, .succeeded))
            case .failed(let ticket): send(.news(ticket: ticket, .failed))
            case .awaitingReview(let ticket): send(.news(ticket: ticket, .awaitingReview))
            }
        }
        for ticket in coordination.abandoned(now: now) where controller.scheduler.states[ticket] == .elsewhere {
            reporter.report(.notice("info: \(plan.graph.tickets[ticket].id) was left unfinished by the other parrun; running it here"), elapsed: elapsed)
            send(.abandonedElsewhere(ticket: ticket))
        }
    }
}
