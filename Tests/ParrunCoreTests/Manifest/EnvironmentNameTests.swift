import Testing
@testable import ParrunCore
@testable import ParrunModel

@Suite struct EnvironmentNameTests {
    @Test(arguments: ["A", "_", "_x1", "LOG_LEVEL", "lower", "a1b2"])
    func acceptsNamesAShellCanUse(name: String) {
        #expect(EnvironmentName.problem(with: name) == nil)
    }

    @Test(arguments: [
        ("", EnvironmentName.Problem.empty),
        ("A=B", .containsEquals),
        ("=", .containsEquals),
        ("A\u{0}", .containsNUL),
        ("1A", .notAShellName),
        ("A-B", .notAShellName),
        ("A B", .notAShellName),
        ("É", .notAShellName),
    ])
    func refusesOtherNames(name: String, problem: EnvironmentName.Problem) {
        #expect(EnvironmentName.problem(with: name) == problem)
    }

    @Test func validNamesOfBothFormatsReachTheTicket() {
        #expect(tickets(#"[{"id": "a", "env": {"_X1": "1", "lower_case": "2"}}]"#).first?.environment
            == [.init(name: "_X1", value: "1"), .init(name: "lower_case", value: "2")])
        #expect(tickets(lines("a:", "    @env _X1=1", "    @env lower_case=a=b")).first?.environment
            == [.init(name: "_X1", value: "1"), .init(name: "lower_case", value: "a=b")])
    }
}
