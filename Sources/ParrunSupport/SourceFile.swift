/// The text of one manifest as parrun read it, kept as bytes so that every
/// location is a byte offset and line:column is worked out only when a
/// diagnostic is shown.
public struct SourceFile: Sendable {
    /// The name shown to the user: the path as given, or `<stdin>`.
    public let name: String
    /// The raw content; parsers check it is UTF-8 before reading it.
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}

/// A range of bytes in a `SourceFile`; the unit every diagnostic points at.
public struct SourceSpan: Sendable, Hashable, Comparable {
    public var offset: Int
    public var length: Int

    public init(offset: Int, length: Int = 1) {
        self.offset = offset
        self.length = length
    }

    public static func < (lhs: SourceSpan, rhs: SourceSpan) -> Bool {
        (lhs.offset, lhs.length) < (rhs.offset, rhs.length)
    }
}

/// A 1-based line and column; columns count Unicode scalars, as editors do.
public struct LineColumn: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public var description: String { "\(line):\(column)" }
}

/// Line starts of a source, built once when the first diagnostic is rendered.
public struct SourceMap: Sendable {
    public let file: SourceFile
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    private let lineStarts: [Int]

    public init(_ file: SourceFile) {
        self.file = file
        var starts = [0]
        for (index, byte) in file.bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        lineStarts = starts
    }

    public func lineColumn(of offset: Int) -> LineColumn {
        let clamped = max(0, min(offset, file.bytes.count))
        let lineIndex = lineIndex(containing: clamped)
        let start = lineStarts[lineIndex]
        return LineColumn(line: lineIndex + 1, column: scalarCount(from: start, to: clamped) + 1)
    }

    /// The byte range of the line holding `offset`, without its line break.
    public func lineRange(containing offset: Int) -> Range<Int> {
        let lineIndex = lineIndex(containing: max(0, min(offset, file.bytes.count)))
        let start = lineStarts[lineIndex]
        var end = lineIndex + 1 < lineStarts.count ? lineStarts[lineIndex + 1] - 1 : file.bytes.count
        if end > start && file.bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<max(start, end)
    }

    private func lineIndex(containing offset: Int) -> Int {
        // The last line start that is <= offset.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Counts scalars by counting bytes that do not continue a UTF-8 sequence.
    package func scalarCount(from start: Int, to end: Int) -> Int {
        var count = 0
        var index = start
        while index < end {
            if file.bytes[index] & 0xC0 != 0x80 { count += 1 }
            index += 1
        }
        return count
    }
}
