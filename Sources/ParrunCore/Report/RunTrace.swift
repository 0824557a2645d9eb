import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun trace`: a run from the journal as Chrome trace-event JSON, which
/// Perfetto and chrome://tracing open. Each run of the chain (the latest and
/// the runs it continued) is a process; each worker slot of each parrun that
/// worked on it is a lane (thread); each attempt is a complete (`X`) span from
/// its start record for the `seconds` its end record gives, so the spans of a
/// lane never overlap (a start's time is taken before its process is spawned,
/// and a slot is reused only after its attempt ended). Retries, verify gates
/// and landings are instant (`i`) events; the critical path as it ran is
/// flagged on its attempts (category `critical-path`).
package struct RunTrace {
    let graph: TicketGraph
    let history: RunHistory
    /// The latest run and the runs it continued, oldest first.
    let chain: [String]
    let landings: [JournalRecord.LandingRecord]

    package init(graph: TicketGraph, records: [JournalRecord], chain: [String]) {
        self.graph = graph
        self.history = RunHistory(records)
        self.chain = chain
        let runs = Set(chain)
        self.landings = records.compactMap { if case .landing(let landing) = $0, runs.contains(landing.run) { return landing } else { return nil } }
    }

    /// A lane: one worker slot of one parrun in one run.
    private struct Lane: Hashable, Comparable {
        var run: Int
        var owner: Int32
        var worker: Int
        static func < (a: Lane, b: Lane) -> Bool { (a.run, a.owner, a.worker) < (b.run, b.owner, b.worker) }
    }

    private struct Span {
        var lane: Lane
        var start: Double
        var seconds: Double
        var id: String
        var attempt: Int
        var status: String
        var ended: Bool
    }

    package func render() -> String {
        let origin = chain.compactMap { history.runRecord($0)?.time }.min() ?? 0
        let runIndex = Dictionary(chain.enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        var spans: [Span] = []
        var instants: [(lane: Lane?, pid: Int, time: Double, name: String, category: String, args: String)] = []
        var secondsByTicket = [Double](repeating: 0, count: graph.count)
        var ran = [Bool](repeating: false, count: graph.count)
        let latestTime = chain.flatMap { run in history.runs.filter { $0.run == run }.map(\.time) }.max() ?? origin
        var lastSeen = latestTime
        for ticket in graph.tickets.map(\.id) {
            for attempt in history.attempts(of: ticket, chain: chain) {
                let run = runIndex[attempt.start.run] ?? 1
                let lane = Lane(run: run, owner: attempt.start.owner.pid, worker: attempt.start.worker)
                let seconds = attempt.end.map { max(0, $0.seconds) }
                spans.append(Span(lane: lane, start: attempt.start.time, seconds: seconds ?? 0, id: ticket, attempt: attempt.start.attempt,
                                  status: attempt.end?.status ?? "unfinished", ended: attempt.end != nil))
                lastSeen = max(lastSeen, attempt.start.time, attempt.end?.time ?? 0)
                if let index = graph.index(of: ticket) {
                    ran[index] = true
                    secondsByTicket[index] += seconds ?? 0
                }
                if let end = attempt.end, end.retry {
                    instants.append((lane, run, end.time, "retry \(ticket)", "retry",
                                     "{\"id\":\(JSONText.quoted(ticket)),\"attempt\":\(end.attempt),\"status\":\(JSONText.quoted(end.status))}"))
                }
                if let verify = attempt.verify {
                    instants.append((lane, run, verify.time, "verify \(ticket) \(verify.passed ? "passed" : "failed")", "verify",
                                     "{\"id\":\(JSONText.quoted(ticket)),\"attempt\":\(verify.attempt),\"passed\":\(verify.passed)}"))
                }
            }
        }
        for landing in landings {
            instants.append((nil, runIndex[landing.run] ?? 1, landing.time, "landed \(landing.id)", "landing",
                             "{\"id\":\(JSONText.quoted(landing.id)),\"branch\":\(JSONText.quoted(landing.branch)),\"commit\":\(JSONText.quoted(landing.landed))}"))
        }
        // An attempt without an end (interrupted, or still running) lasts until the last thing the journal saw.
        for index in spans.indices where !spans[index].ended {
            spans[index].seconds = max(0, lastSeen - spans[index].start)
        }
        let criticalPath = CriticalPath(graph: graph, runs: ran, weights: secondsByTicket.map { max($0, 0.000_001) }).path.map { graph.tickets[$0].id }
        let critical = Set(criticalPath)

        let lanes = Set(spans.map(\.lane)).sorted()
        var threadID: [Lane: Int] = [:]
        var owners: [Int: Set<Int32>] = [:]
        for lane in lanes { owners[lane.run, default: []].insert(lane.owner) }
        for (index, lane) in lanes.enumerated() { threadID[lane] = index + 1 }
        var events: [String] = []
        func microseconds(_ time: Double) -> String { JSONText.number(((time - origin) * 1_000_000).rounded()) }
        for (offset, run) in chain.enumerated() {
            let name = "parrun run \(run)" + (offset == chain.count - 1 ? "" : " (continued by --resume)")
            events.append(#"{"name":"process_name","ph":"M","pid":\#(offset + 1),"tid":0,"args":{"name":\#(JSONText.quoted(name))}}"#)
            events.append(#"{"name":"process_sort_index","ph":"M","pid":\#(offset + 1),"tid":0,"args":{"sort_index":\#(offset + 1)}}"#)
        }
        for lane in lanes {
            let several = (owners[lane.run]?.count ?? 0) > 1
            let name = "worker \(lane.worker)" + (several ? " (parrun pid \(lane.owner))" : "")
            let tid = threadID[lane]!
            events.append(#"{"name":"thread_name","ph":"M","pid":\#(lane.run),"tid":\#(tid),"args":{"name":\#(JSONText.quoted(name))}}"#)
            events.append(#"{"name":"thread_sort_index","ph":"M","pid":\#(lane.run),"tid":\#(tid),"args":{"sort_index":\#(tid)}}"#)
        }
        if !landings.isEmpty {
            for run in Set(landings.compactMap { runIndex[$0.run] }).sorted() {
                events.append(#"{"name":"thread_name","ph":"M","pid":\#(run),"tid":0,"args":{"name":"landings"}}"#)
            }
        }
        for span in spans.sorted(by: { ($0.start, $0.id) < ($1.start, $1.id) }) {
            let onPath = critical.contains(span.id)
            let name = span.id + (span.attempt > 1 ? " (attempt \(span.attempt))" : "")
            let args = "{\"id\":\(JSONText.quoted(span.id)),\"attempt\":\(span.attempt),\"status\":\(JSONText.quoted(span.status)),"
                + "\"seconds\":\(JSONText.number(span.ended ? span.seconds : -1)),\"criticalPath\":\(onPath)}"
            events.append(#"{"name":\#(JSONText.quoted(name)),"cat":\#(onPath ? "\"attempt,critical-path\"" : "\"attempt\""),"ph":"X","ts":\#(microseconds(span.start)),"dur":\#(JSONText.number((span.seconds * 1_000_000).rounded())),"pid":\#(span.lane.run),"tid":\#(threadID[span.lane]!),"args":\#(args)}"#)
        }
        for instant in instants.sorted(by: { $0.time < $1.time }) {
            let tid = instant.lane.flatMap { threadID[$0] } ?? 0
            events.append(#"{"name":\#(JSONText.quoted(instant.name)),"cat":"\#(instant.category)","ph":"i","s":"t","ts":\#(microseconds(instant.time)),"pid":\#(instant.pid),"tid":\#(tid),"args":\#(instant.args)}"#)
        }
        let path = criticalPath.map(JSONText.quoted)
        return "{\"traceEvents\":[\n" + events.joined(separator: ",\n") + "\n],\n\"displayTimeUnit\":\"ms\",\n"
            + "\"otherData\":{\"runs\":\(JSONText.array(chain.map(JSONText.quoted))),\"criticalPath\":\(JSONText.array(path)),\"origin\":\(JSONText.number(origin))}}\n"
    }
}
