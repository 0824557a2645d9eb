/// One problem to show the user. Each stage has its own error enum whose cases
/// carry their locations; they all become a `Diagnostic`, and
/// `DiagnosticRenderer` is the one place that turns these into text.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    /// A secondary location, such as the first definition of a duplicate id.
    public struct Note: Sendable, Equatable {
        public var message: String
        public var span: SourceSpan?

        public init(_ message: String, at span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    public var severity: Severity
    public var message: String
    /// Where the problem is; nil for problems of the whole file (e.g. it is empty).
    public var span: SourceSpan?
    /// What to do about it.
    public var help: String?
    public var notes: [Note]

    public init(
        _ severity: Severity, _ message: String, at span: SourceSpan?, help: String? = nil,
        notes: [Note] = []
    ) {
        self.severity = severity
        self.message = message
        self.span = span
        self.help = help
        self.notes = notes
    }
}

/// Implemented by each stage's error and warning enums.
public protocol DiagnosticConvertible: Sendable {
    var diagnostic: Diagnostic { get }
}

/// Collects a stage's problems, keeping at most `limit` of each severity so that a
/// pathological manifest (a million unknown ids) cannot flood memory or the terminal.
public struct DiagnosticList: Sendable {
    public static let defaultLimit = 50

    public private(set) var diagnostics: [Diagnostic] = []
    /// Problems found beyond the limit: counted, not kept.
    public private(set) var omittedErrors = 0
    public private(set) var omittedWarnings = 0
    public let limit: Int
    private var errorCount = 0
    private var warningCount = 0

    public init(limit: Int = DiagnosticList.defaultLimit) {
        self.limit = limit
    }

    public var hasErrors: Bool { errorCount > 0 }
    public var totalErrors: Int { errorCount + omittedErrors }
    /// True when another error would not be kept, so callers can skip costly work
    /// such as spelling suggestions for it.
    public var isErrorListFull: Bool { errorCount >= limit }
    public var isWarningListFull: Bool { warningCount >= limit }

    public mutating func add(_ problem: some DiagnosticConvertible) {
        append(problem.diagnostic)
    }

    public mutating func append(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .error:
            if errorCount < limit {
                errorCount += 1
                diagnostics.append(diagnostic)
            } else {
                omittedErrors += 1
            }
        case .warning:
            if warningCount < limit {
                warningCount += 1
                diagnostics.append(diagnostic)
            } else {
                omittedWarnings += 1
            }
        }
    }

    public mutating func append(contentsOf other: DiagnosticList) {
        for diagnostic in other.diagnostics { append(diagnostic) }
        omittedErrors += other.omittedErrors
        omittedWarnings += other.omittedWarnings
    }

    /// In file order, errors and warnings together, as a reader goes through the file.
    public var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { left, right in
            let l = left.element.span?.offset ?? -1
            let r = right.element.span?.offset ?? -1
            return l != r ? l < r : left.offset < right.offset
        }.map(\.element)
    }
}
