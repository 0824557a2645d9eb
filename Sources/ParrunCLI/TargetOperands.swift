import ParrunPlatform

/// How `parrun [MANIFEST] [ID...]` tells the manifest from ticket ids. With
/// `-f MANIFEST`, every operand is an id. Without it, the first operand is
/// the manifest when it is `-`, contains a `/`, names an existing regular
/// file (after `-C`), ends in `.json` or `.jsonl`, or cannot be a ticket id
/// (`.`); otherwise it is an id too, and the default manifest is read. So
/// `parrun build test` runs targets of ./tickets.json (even beside a
/// directory `build`), while `parrun tickets.json build`, `parrun ./build`
/// and a misspelt `parrun tickts.json` (cannot read it) name the manifest.
enum TargetOperands {
    /// The parser's part: the first operand is kept as the manifest for now.
    static func add(_ operand: String, to invocation: inout Invocation) {
        if invocation.manifestPath == nil {
            invocation.manifestPath = operand
            invocation.manifestFromOperand = true
        } else {
            invocation.targets.append(operand)
        }
    }

    /// `-f` names the manifest: an operand taken for it before is an id after all.
    static func fileGiven(to invocation: inout Invocation) {
        guard invocation.manifestFromOperand, let operand = invocation.manifestPath else { return }
        invocation.targets.insert(operand, at: 0)
        invocation.manifestPath = nil
        invocation.manifestFromOperand = false
    }

    /// The manifest to read (nil: the default one) and the targets, once the
    /// file system can be asked (after `-C`).
    static func split(_ invocation: Invocation, isRegularFile: (String) -> Bool = FileSystem.isRegularFile) -> (manifest: String?, targets: [String]) {
        guard invocation.manifestFromOperand, let operand = invocation.manifestPath else {
            return (invocation.manifestPath, invocation.targets)
        }
        if operand == "-" || operand.contains("/") || operand.hasSuffix(".json") || operand.hasSuffix(".jsonl")
            || !couldBeID(operand) || isRegularFile(operand) {
            return (operand, invocation.targets)
        }
        return (nil, [operand] + invocation.targets)
    }

    /// Ticket ids are `[A-Za-z0-9][A-Za-z0-9._-]*` (the manifest readers check it).
    private static func couldBeID(_ operand: String) -> Bool {
        guard let first = operand.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) else { return false }
        return operand.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0)) }
    }
}
