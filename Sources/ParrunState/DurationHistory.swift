import ParrunModel
import ParrunPlatform

/// How long each ticket took when it last succeeded, kept in
/// `.parrun/durations` so the scheduler can favour the real critical path.
///
/// Format (version 1): a header line `parrun-durations 1`, then one line per
/// ticket: `ID<TAB>SECONDS`. Lines that do not parse are skipped; a file of
/// another version is ignored (it is only a hint, never state that matters).
public struct DurationHistory: Sendable, Equatable {
    public static let fileName = "durations"
    static let header = "parrun-durations 1"

    public private(set) var seconds: [String: Double] = [:]

    public init(seconds: [String: Double] = [:]) {
        self.seconds = seconds
    }

    public init(parsing text: String) {
        // Split on bytes: Character-wise splitting cost more than the rest of a 2,000-ticket run.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n")).makeIterator()
        guard let first = lines.next(), String(decoding: first, as: UTF8.self) == Self.header else { return }
        while let line = lines.next() {
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")),
                let value = Double(String(decoding: line[line.index(after: tab)...], as: UTF8.self)),
                value.isFinite, value >= 0
            else { continue }
            seconds[String(decoding: line[..<tab], as: UTF8.self)] = value
        }
    }

    public mutating func record(_ id: String, seconds value: Double) {
        seconds[id] = value
    }

    public var text: String {
        // Written as bytes: interpolating each line cost 3,500 instructions a
        // ticket at the very end of a run, when nothing else runs.
        var out: [UInt8] = []
        out.reserveCapacity(Self.header.utf8.count + 1 + seconds.count * 32)
        out.append(contentsOf: Self.header.utf8)
        out.append(UInt8(ascii: "\n"))
        for (id, value) in seconds.sorted(by: { $0.key < $1.key }) {
            out.append(contentsOf: id.utf8)
            out.append(UInt8(ascii: "\t"))
            out.append(contentsOf: value.description.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Per-ticket weights for `CriticalPath`: the recorded duration, else the
    /// median of the known ones (else 1), so unknown tickets are neither free nor huge.
    public func weights(for graph: TicketGraph) -> [Double]? {
        guard !seconds.isEmpty else { return nil }
        let known = graph.tickets.compactMap { seconds[$0.id] }.sorted()
        let fallback = known.isEmpty ? 1 : max(known[known.count / 2], 0.001)
        return graph.tickets.map { max(seconds[$0.id] ?? fallback, 0.001) }
    }

    public static func load(from directory: String) -> DurationHistory {
        guard let bytes = try? FileSystem.readFile(directory + "/" + fileName) else { return DurationHistory() }
        return DurationHistory(parsing: String(decoding: bytes, as: UTF8.self))
    }

    public func save(to directory: String) throws(SystemError) {
        try FileSystem.writeAtomically(directory + "/" + Self.fileName, text)
    }
}
