/// Files read on one target: the text of each one that exists, and why any other could not be read.
public struct RemoteFiles: Sendable, Hashable {
    /// The text of each file that exists, by path (a missing file is absent).
    public var contents: [String: String]
    /// Why a file that exists could not be read (not a regular file, not readable), by path.
    public var problems: [String: String]

    /// Creates a set of read files.
    public init(contents: [String: String] = [:], problems: [String: String] = [:]) {
        self.contents = contents
        self.problems = problems
    }
}

/// Why a target's files could not be read at all (SSH failed, the command timed out, the answer was cut short).
public struct RemoteReadFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
