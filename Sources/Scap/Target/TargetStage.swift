/// A stage of `scap deploy-local` that the deploy host sends to a target as a shell script.
public enum TargetStage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Fetch the revision into the cache and check it out under `revs/<sha>`; mark `.in-progress`.
    case fetch
    /// Point `current` and `R` at the revision, then handle the service (skipped, with the service, when a no-op).
    case promote
    /// Restart the service and wait for its port.
    case handleService = "handle_service"
    /// Point `.done` at the revision, remove `.in-progress`, prune old revision directories.
    case finalize
    /// Re-promote the `.done` revision and restart the service.
    case rollback

    /// The stage of `checks.yaml` and the scap configuration with the same name.
    public var deployStage: DeployStage {
        switch self {
        case .fetch: .fetch
        case .promote: .promote
        case .handleService: .handleService
        case .finalize: .finalize
        case .rollback: .rollback
        }
    }

    /// The stage name, as scap prints it (`handle_service`, ...).
    public var description: String { rawValue }
}
