#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why `scap lock` let go of its lock.
public enum LockReleaseCause: Sendable, Equatable, CustomStringConvertible {
    /// The user pressed Enter.
    case enter
    /// Standard input ended (closed, or `/dev/null`).
    case endOfInput
    /// A signal (SIGINT, SIGTERM) arrived.
    case signal(Int32)
    /// `scap lock --unlock-all` asked the holder of the global lock to release it.
    case forced(GlobalUnlockRequest)
    /// The waiting task was cancelled.
    case cancelled

    /// `Enter pressed`, `end of input`, `SIGINT`, `force-released by alice (pid 12): reason`…
    public var description: String {
        switch self {
        case .enter: "Enter pressed"
        case .endOfInput: "end of input"
        case .signal(SIGINT): "SIGINT"
        case .signal(SIGTERM): "SIGTERM"
        case .signal(let number): "signal \(number)"
        case .forced(let request):
            "force-released by \(request.requester.locker) (pid \(request.requester.pid)): \(request.requester.reason)"
        case .cancelled: "cancelled"
        }
    }
}
