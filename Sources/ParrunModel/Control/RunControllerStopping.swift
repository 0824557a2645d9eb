/// Stopping and the clock: signals (a first one lets running tickets end
/// within the grace period, a second kills them), timeouts with their grace,
/// and retries coming due.
extension RunController {
    mutating func interrupted(by signal: Int32, now: Double, _ actions: inout [Action]) {
        if interruptedBy == nil {
            interruptedBy = signal
            stopAll(signal: signal, reason: "stopping running tickets (again to kill them at once)", now: now, &actions)
        } else {
            // A second interrupt: no more grace.
            for ticket in clocks.keys.sorted() { actions.append(.kill(ticket: ticket)) }
        }
    }

    /// No new ticket starts; every running one gets SIGTERM, then SIGKILL after the grace period.
    mutating func stopAll(signal: Int32?, reason: String, now: Double, _ actions: inout [Action]) {
        stopping = true
        scheduler.stop()
        if !clocks.isEmpty { actions.append(.report(.stopping(signal: signal, reason: reason))) }
        for ticket in clocks.keys.sorted() where clocks[ticket]?.killAt == nil {
            let killAt = now + settings.gracePeriod
            clocks[ticket]?.interrupted = true
            clocks[ticket]?.killAt = killAt
            actions.append(.terminate(ticket: ticket))
        }
        abandonRetries(&actions)
    }

    /// Once nothing new may start, a ticket waiting to be retried has failed for good.
    mutating func abandonRetries(_ actions: inout [Action]) {
        for (_, ticket) in retries {
            scheduler.requeue(ticket)
            // Stopped by a signal, it was cut short; after another failure, its own failure stands.
            records[ticket].status = interruptedBy == nil ? .failed : .interrupted
            actions.append(.releaseClaim(ticket: ticket))
            actions.append(.report(.retryCancelled(ticket: ticket)))
        }
        retries.removeAll()
    }

    /// When the next timer is due, from the clocks, retries and throttles (see `nextDue`).
    var dueTime: Double? {
        var next: Double?
        func consider(_ time: Double?) { if let time, time < (next ?? .infinity) { next = time } }
        for clock in clocks.values { consider(clock.killAt ?? clock.deadline) }
        for retry in retries { consider(retry.due) }
        for agent in AgentKind.allCases {
            consider(throttles[agent].pauseEnds)
            consider(throttles[agent].raiseDue)
        }
        return next
    }

    mutating func fireTimers(now: Double, wallNow: Double, _ actions: inout [Action]) {
        // Looked through every turn of the run loop: only due clocks are sorted and written back.
        var due: [Int] = []
        for (ticket, clock) in clocks where clock.isDue(now) { due.append(ticket) }
        for ticket in due.sorted() {
            guard var clock = clocks[ticket] else { continue }
            if let killAt = clock.killAt {
                guard now >= killAt else { continue }
                clock.killAt = .infinity
                actions.append(.kill(ticket: ticket))
            } else if let deadline = clock.deadline, now >= deadline {
                clock.timedOut = true
                clock.killAt = now + settings.gracePeriod
                actions.append(.terminate(ticket: ticket))
            }
            clocks[ticket] = clock
        }
        for agent in AgentKind.allCases {
            apply(throttles[agent].raiseIfQuiet(now: now), agent, &actions)
            apply(throttles[agent].resumeIfDue(now: now), agent, &actions)
        }
        guard retries.contains(where: { $0.due <= now }) else { return }
        let dueRetries = retries.filter { $0.due <= now }
        retries.removeAll { $0.due <= now }
        for (_, ticket) in dueRetries { scheduler.requeue(ticket) }
    }
}
