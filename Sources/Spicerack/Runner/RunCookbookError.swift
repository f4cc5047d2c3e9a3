/// A nested cookbook run did not succeed.
public struct RunCookbookError: Error, CustomStringConvertible, Sendable {
    /// The cookbook.
    public var name: String
    /// Its exit code.
    public var exitCode: Int32
    /// Its arguments.
    public var arguments: [String]

    public var description: String {
        "run_cookbook returned exit code \(exitCode) when running cookbook \(name) with args: \(pythonList(arguments))"
    }
}
