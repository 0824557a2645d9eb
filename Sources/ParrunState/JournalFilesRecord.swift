import ParrunModel
import ParrunPlatform
import ParrunSupport

extension JournalRecord {
    /// A file of a `files` record: its content hash and the `stat` facts that
    /// let the next run skip rehashing it (`FileStatus`).
    public struct FileEntry: Sendable, Equatable {
        /// As the ticket's directory sees it: relative to the manifest's directory.
        public var path: String
        /// `ContentHash`, or nil when there was no file to hash (missing,
        /// unreadable, a directory): such an entry never matches, so the ticket reruns.
        public var hash: String?
        public var size: Int
        /// Nanoseconds since 1970.
        public var modified: Int64
        public var inode: UInt64

        package init(path: String, hash: String?, size: Int = 0, modified: Int64 = 0, inode: UInt64 = 0) {
            self.path = path
            self.hash = hash
            self.size = size
            self.modified = modified
            self.inode = inode
        }

        package init(path: String, hash: String?, status: FileStatus?) {
            self.init(path: path, hash: hash, size: status?.size ?? 0, modified: status?.modified ?? 0, inode: status?.inode ?? 0)
        }
    }

    /// What a ticket with declared files was when it last succeeded (written
    /// after its `succeeded` end), or when a fresh run found it up to date:
    /// `UpToDateCheck` compares the next run with this. Ninja's build log keeps
    /// command hashes the same way; this keeps content hashes too, since a
    /// tool may rewrite a file within the same second.
    public struct FilesRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        /// `RecipeHash` of the recipe that succeeded.
        public var recipe: String
        /// A hash of everything below: what a dependent records as this ticket's state.
        public var stamp: String
        /// Wall time just before the first file was hashed: a file modified less
        /// than `UpToDateCheck.trustMargin` before it is hashed again next time.
        public var time: Double
        public var inputs: [FileEntry]
        public var outputs: [FileEntry]
        /// Each dependency's `stamp` when this ticket ran (nil: it had none).
        public var dependencies: [Dependency]

        public struct Dependency: Sendable, Equatable {
            public var id: String
            public var stamp: String?

            package init(id: String, stamp: String?) {
                self.id = id
                self.stamp = stamp
            }
        }

        package init(run: String, id: String, recipe: String, stamp: String, time: Double, inputs: [FileEntry], outputs: [FileEntry], dependencies: [Dependency]) {
            self.run = run
            self.id = id
            self.recipe = recipe
            self.stamp = stamp
            self.time = time
            self.inputs = inputs
            self.outputs = outputs
            self.dependencies = dependencies
        }

        /// The stamp of a ticket that succeeded with this recipe, these files and these dependencies.
        public static func stamp(recipe: String, inputs: [FileEntry], outputs: [FileEntry], dependencies: [Dependency]) -> String {
            var parts = [recipe, "inputs"]
            for entry in inputs { parts += [entry.path, entry.hash ?? "-"] }
            parts.append("outputs")
            for entry in outputs { parts += [entry.path, entry.hash ?? "-"] }
            parts.append("dependencies")
            for dependency in dependencies { parts += [dependency.id, dependency.stamp ?? "-"] }
            return StableHash.hex(parts)
        }

        enum Key: String {
            case run, id, recipe, stamp, time, inputs, outputs, dependencies
        }

        /// The members after `v` and `type`, written by `JournalRecord.line`:
        /// files as `[path, hash, size, modified, inode]`, dependencies as `[id, stamp]`.
        func members() -> [(Key, String)] {
            func entries(_ list: [FileEntry]) -> String {
                JSONText.array(list.map { "[\(JSONText.quoted($0.path)),\(JSONText.quotedOrNull($0.hash)),\($0.size),\($0.modified),\($0.inode)]" })
            }
            return [
                (.run, JSONText.quoted(run)), (.id, JSONText.quoted(id)), (.recipe, JSONText.quoted(recipe)),
                (.stamp, JSONText.quoted(stamp)), (.time, JSONText.number(time)),
                (.inputs, entries(inputs)), (.outputs, entries(outputs)),
                (.dependencies, JSONText.array(dependencies.map { "[\(JSONText.quoted($0.id)),\(JSONText.quotedOrNull($0.stamp))]" })),
            ]
        }

        private static func isNull(_ value: JSONValue) -> Bool {
            if case .null = value.kind { return true }
            return false
        }

        /// The record from a line's members; nil when one is missing or of the wrong shape.
        init?(fields: [String: JSONValue]) {
            func string(_ key: Key) -> String? { fields[key.rawValue]?.stringValue }
            func entries(_ key: Key) -> [FileEntry]? {
                guard let items = fields[key.rawValue]?.arrayValue else { return nil }
                var list: [FileEntry] = []
                list.reserveCapacity(items.count)
                for item in items {
                    guard let parts = item.arrayValue, parts.count == 5, let path = parts[0].stringValue,
                        let size = parts[2].integerValue, let modified = parts[3].integerValue, let inode = parts[4].scalarText.flatMap({ UInt64($0) })
                    else { return nil }
                    let hash = parts[1].stringValue
                    guard hash != nil || Self.isNull(parts[1]) else { return nil }
                    list.append(FileEntry(path: path, hash: hash, size: size, modified: Int64(modified), inode: inode))
                }
                return list
            }
            guard let run = string(.run), let id = string(.id), let recipe = string(.recipe), let stamp = string(.stamp),
                let timeText = fields[Key.time.rawValue]?.scalarText, let time = Double(timeText), time.isFinite,
                let inputs = entries(.inputs), let outputs = entries(.outputs),
                let dependencyItems = fields[Key.dependencies.rawValue]?.arrayValue
            else { return nil }
            var dependencies: [Dependency] = []
            for item in dependencyItems {
                guard let parts = item.arrayValue, parts.count == 2, let id = parts[0].stringValue, parts[1].stringValue != nil || Self.isNull(parts[1]) else { return nil }
                dependencies.append(Dependency(id: id, stamp: parts[1].stringValue))
            }
            self.init(run: run, id: id, recipe: recipe, stamp: stamp, time: time, inputs: inputs, outputs: outputs, dependencies: dependencies)
        }
    }
}
