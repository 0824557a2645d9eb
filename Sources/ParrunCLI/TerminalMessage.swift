import ParrunPlatform
import ParrunSupport

extension Terminal {
    /// One of parrun's own messages, on standard error. What it quotes (paths,
    /// ids, reasons, the text of git or the journal) is the user's: its control
    /// characters are shown escaped (`TerminalSafe`), its line breaks kept.
    static func writeMessage(_ text: String) {
        writeError(TerminalSafe.escapedLines(text))
    }
}
