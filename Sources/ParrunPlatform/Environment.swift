import CParrunShims
#if canImport(Glibc)
import Glibc
#endif

/// The process environment as a value, so commands can be run in tests with
/// any environment they like.
public struct Environment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = [:]) {
        self.variables = variables
    }

    public subscript(name: String) -> String? {
        get { variables[name] }
        set { variables[name] = newValue }
    }

    /// The environment parrun was started with.
    public static func current() -> Environment {
        var variables: [String: String] = [:]
        var cursor = Glibc.environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return Environment(variables)
    }
}

public enum Machine {
    /// CPUs this process may run on (affinity-aware), at least 1.
    public static func processorCount() -> Int {
        let affinity = Int(parrun_affinity_cpu_count())
        return affinity > 0 ? affinity : max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
