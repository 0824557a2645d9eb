import Testing
@testable import ParrunModel
@testable import ParrunSupport

/// `prices`: the manifest's own per-model prices for estimated agent costs,
/// in JSON and in the text format, and what is wrong with a bad one.
@Suite struct PricesSettingTests {
    @Test func jsonPricesOverrideTheListPrices() throws {
        let result = readManifest(#"{"prices": {"claude-opus-5": {"input": 1, "output": 2.5, "cacheRead": 0.01}, "local": {"input": 0, "output": 0}}, "tickets": [{"id": "a", "prompt": "x"}]}"#)
        #expect(!result.diagnostics.hasErrors && result.diagnostics.diagnostics.isEmpty, "\(result.diagnostics.diagnostics.map(\.message))")
        let prices = try #require(result.manifest).settings.prices
        #expect(prices["claude-opus-5"] == TokenPrice(input: 1, output: 2.5, cacheRead: 0.01, cacheWrite: 1.25), "an unsaid cache write is 1.25x input")
        #expect(prices["local"] == TokenPrice(input: 0, output: 0, cacheRead: 0, cacheWrite: 0))
    }

    @Test func textPriceLinesAreTheSame() throws {
        let result = readManifest(lines(
            "price claude-opus-5 = input 1, output 2.5, cacheRead 0.01",
            "price local = input 0, output 0",
            "a:"
        ))
        #expect(result.diagnostics.diagnostics.isEmpty, "\(result.diagnostics.diagnostics.map(\.message))")
        let prices = try #require(result.manifest).settings.prices
        #expect(prices["claude-opus-5"] == TokenPrice(input: 1, output: 2.5, cacheRead: 0.01, cacheWrite: 1.25))
        #expect(prices["local"]?.output == 0)
    }

    @Test(arguments: [
        (#"{"prices": {"m": {"input": 1}}, "tickets": []}"#, "both input and output prices"),
        (#"{"prices": {"m": {"input": 1, "output": -2}}, "tickets": []}"#, "US dollars per million tokens, 0 or more"),
        (#"{"prices": {"m": {"input": 1, "output": 2, "cachRead": 1}}, "tickets": []}"#, "did you mean `cacheRead`?"),
        (#"{"prices": [1], "tickets": []}"#, "an object of model name"),
        ("price = input 1, output 2\na:\n", "price setting without a model"),
        ("price m = input 1, output 2\nprice m = input 1, output 3\na:\n", "price m"),
    ])
    func aBadPriceIsAnErrorThatSaysWhatIsWanted(text: String, message: String) {
        let result = readManifest(text)
        #expect(result.diagnostics.hasErrors)
        #expect(result.diagnostics.diagnostics.contains { $0.message.contains(message) }, "\(result.diagnostics.diagnostics.map(\.message))")
    }
}
