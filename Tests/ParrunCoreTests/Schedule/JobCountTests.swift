import Testing
@testable import ParrunCore
@testable import ParrunModel

@Suite struct JobCountTests {
    private func resolve(_ commandLine: JobsRequest? = nil, env: JobsRequest? = nil, manifest: JobsRequest? = nil, cores: Int = 8, tickets: Int = 100) -> JobCount {
        JobCount.resolve(commandLine: commandLine, environment: env, manifest: manifest, cores: cores, ticketsToRun: tickets)
    }

    @Test func commandLineBeatsEnvironmentBeatsManifestBeatsDefault() {
        #expect(resolve(.count(3), env: .count(5), manifest: .count(7)).value == 3)
        #expect(resolve(env: .count(5), manifest: .count(7)).source == .environment)
        #expect(resolve(env: .count(5), manifest: .count(7)).value == 5)
        #expect(resolve(manifest: .count(7)).value == 7)
        #expect(resolve(manifest: .count(7)).source == .manifest)
        #expect(resolve().value == 1)
        #expect(resolve().source == .fallback)
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (8, 4), (16, 8), (64, 8)])
    func autoIsHalfTheCoresClampedToOneThroughEight(cores: Int, expected: Int) {
        #expect(resolve(.auto, cores: cores).value == expected)
    }

    @Test func autoIsCappedAtTheTicketsToRun() {
        let jobs = resolve(.auto, cores: 16, tickets: 3)
        #expect(jobs.value == 3)
        #expect(jobs.explanation == "-j auto: 16 cores / 2 = 8, clamped to 1..8, capped at 3 tickets to run")
        #expect(resolve(.auto, cores: 16, tickets: 0).value == 1)
    }

    @Test func zeroMeansOnePerTicket() {
        #expect(resolve(.count(0), tickets: 42).value == 42)
        #expect(resolve(.count(0), tickets: 0).value == 1)
    }

    @Test func explainsWhereTheNumberCameFrom() {
        #expect(resolve(env: .count(5)).explanation == "PARRUN_JOBS=5")
        #expect(resolve(manifest: .count(2)).explanation == "manifest jobs = 2")
    }

    @Test func theOpenFileLimitCapsHowManyRunAtOnce() {
        let all = resolve(.count(0), tickets: 600)
        #expect(all.descriptorsNeeded == 64 + 600 * 4)
        let capped = all.capped(byOpenFileLimit: 1024)
        #expect(capped.value == 240)
        #expect(capped.explanation == "-j 0: no limit, one per ticket; at most 240 at once under the open-file limit (ulimit -n 1024)")
        #expect(all.capped(byOpenFileLimit: 20000) == all, "within the limit nothing changes")
        #expect(all.capped(byOpenFileLimit: 10).value == 1, "never below one")
        let huge = resolve(.count(Int.max / 2))
        #expect(huge.descriptorsNeeded == Int.max, "no overflow trap")
        #expect(huge.capped(byOpenFileLimit: 1024).value == 240)
    }

    @Test func parsesJobRequests() {
        #expect(JobsRequest(parsing: "auto") == .auto)
        #expect(JobsRequest(parsing: "AUTO") == .auto)
        #expect(JobsRequest(parsing: "4") == .count(4))
        #expect(JobsRequest(parsing: "-1") == nil)
        #expect(JobsRequest(parsing: "four") == nil)
        #expect(JobsRequest(parsing: "") == nil)
    }
}
