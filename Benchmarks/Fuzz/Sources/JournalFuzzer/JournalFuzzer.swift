// libFuzzer entry point: the journal reader on arbitrary bytes, the way
// `parrun --resume` and `parrun status` read `.parrun/journal.jsonl` (the fast
// line decoder first, the full JSON parser for anything else). Every input
// must end in records or a JournalError; a trap, crash or hang is a bug. The
// records read must also survive being written and read again unchanged, or
// a resumed run would trust a record different from the one on disk.
// Not main.swift: libFuzzer supplies main(), Swift must not emit one.
import ParrunState

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let contents = try? JournalReader.parse(bytes, path: "fuzz.jsonl") else { return 0 }
    guard contents.completeLength <= bytes.count else { fatalError("completeLength \(contents.completeLength) past the end (\(bytes.count))") }
    let written = contents.records.map(\.line).joined()
    guard let again = try? JournalReader.parse(Array(written.utf8), path: "again.jsonl") else {
        fatalError("records read from the input do not read back once written:\n\(written)")
    }
    guard again.records == contents.records, again.tornLastLine == nil else {
        fatalError("records changed in a write and read:\n\(written)")
    }
    return 0
}
