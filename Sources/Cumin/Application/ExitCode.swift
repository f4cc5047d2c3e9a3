/// The exit codes of the `cumin` command, as cumin documents them.
public enum CuminExitCode {
    /// Every host ran every command successfully, no host matched, or a dry run.
    public static let success: Int32 = 0
    /// The run completed with failures, but the success threshold was met.
    public static let completedWithFailures: Int32 = 1
    /// The threshold was not met (or a global timeout), or a usage or configuration error.
    public static let failure: Int32 = 2
    /// Unexpected error while setting up.
    public static let setupError: Int32 = 3
    /// Interrupted by Ctrl-C, or `q` at the confirmation prompt.
    public static let interrupted: Int32 = 98
    /// An error while executing: bad query, refused confirmation outside a terminal, transport error.
    public static let executionError: Int32 = 99
}
