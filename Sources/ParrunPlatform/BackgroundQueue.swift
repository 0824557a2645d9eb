import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Work the run loop hands to a thread of its own because it may take long
/// or hang (git): jobs run one at a time, in the order given, and each
/// result comes back through a pipe the loop polls with its tickets, so the
/// loop never waits for one. The only thread parrun starts.
package final class BackgroundQueue: Sendable {
    private let queue: DispatchQueue
    /// Results in the order their jobs finished, by job number.
    private let finished = Mutex<[(job: Int, result: any Sendable)]>([])
    private let wakeUp: OutputPipe
    /// Readable while results wait to be taken.
    package var descriptor: Int32 { wakeUp.readEnd }

    package init(label: String) throws(SystemError) {
        queue = DispatchQueue(label: label)
        wakeUp = try OutputPipe.make()
    }

    /// Jobs hold the queue, so this runs once they are all done.
    deinit {
        Descriptor.close(wakeUp.readEnd)
        Descriptor.close(wakeUp.writeEnd)
    }

    /// Runs `work` after the jobs given before it; its result waits for `takeFinished`.
    package func submit(job: Int, _ work: @escaping @Sendable () -> any Sendable) {
        queue.async { [self] in
            let result = work()
            finished.withLock { $0.append((job, result)) }
            var byte: UInt8 = 1
            // A full pipe already wakes the loop: a failed write loses nothing.
            _ = Glibc.write(wakeUp.writeEnd, &byte, 1)
        }
    }

    /// The results ready now, in the order their jobs ran.
    package func takeFinished() -> [(job: Int, result: any Sendable)] {
        var drain = [UInt8](repeating: 0, count: 256)
        while case .data = Descriptor.read(wakeUp.readEnd, into: &drain) {}
        return finished.withLock { results in
            defer { results.removeAll() }
            return results
        }
    }

    /// Waits for every job given so far (at the end of a run).
    package func waitUntilIdle() {
        queue.sync {}
    }
}

/// A flag one thread sets and another reads (the run is stopping).
package final class SharedFlag: Sendable {
    private let value = Atomic<Bool>(false)

    package init() {}

    package func set() { value.store(true, ordering: .releasing) }

    package var isSet: Bool { value.load(ordering: .acquiring) }
}
