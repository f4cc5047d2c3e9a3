/// Exit codes reserved by the runner (Spicerack reserves 90–99; cookbooks must not return them).
public enum ReservedExitCode {
    /// A lock the run needs is held by others (or the lock backend is unreachable). Spicerack exits 1 with a
    /// traceback here; we give it its own code and a readable message.
    public static let lockUnavailable: Int32 = 92
    /// The cookbook failed and its rollback failed too.
    public static let rollbackFailed: Int32 = 93
    /// `makeRunner` threw (the validation phase failed).
    public static let initFailed: Int32 = 94
    /// Building the argument parser failed.
    public static let argumentParserFailed: Int32 = 95
    /// Parsing the arguments failed in an unexpected way.
    public static let parseArgumentsFailed: Int32 = 96
    /// Interrupted by Ctrl+C.
    public static let interrupted: Int32 = 97
    /// No cookbook matches the name.
    public static let notFound: Int32 = 98
    /// The cookbook threw an error.
    public static let uncaughtError: Int32 = 99
    /// Bad command-line arguments (the global ones or the cookbook's).
    public static let usage: Int32 = 2

    /// Whether a cookbook's own exit code collides with the reserved range 90–99.
    public static func isReserved(_ code: Int32) -> Bool { (90...99).contains(code) }
}
