/// A stage of `scap deploy-local` that the deploy host sends to a target as a shell script.
public enum TargetStage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Fetch the revision into the cache and check it out under `revs/<sha>`; mark `.in-progress`.
    case fetch
    /// Write the rendered `config-files.yaml` files into the revision directory (only those that changed).
    case configDeploy = "config_deploy"
    /// Point `current` and `R` at the revision, then handle the service (skipped, with the service, when a no-op).
    case promote
    /// Restart the service and wait for its port.
    case handleService = "handle_service"
    /// Point `.done` at the revision, remove `.in-progress`, prune old revision directories.
    case finalize
    /// Re-promote the `.done` revision and restart the service.
    case rollback
    /// Diff the rendered config files against the live ones (`--dry-run`); changes nothing.
    case configDiff = "config_diff"

    /// The stage of `checks.yaml` and the scap configuration with the same name.
    public var deployStage: DeployStage {
        switch self {
        case .fetch: .fetch
        case .configDeploy: .configDeploy
        case .promote: .promote
        case .handleService: .handleService
        case .finalize: .finalize
        case .rollback: .rollback
        case .configDiff: .configDiff
        }
    }

    /// Whether the stage changes the targets; a deploy of stages that do not (`config_diff`) neither finalizes
    /// nor rolls back.
    public var changesTargets: Bool { self != .configDiff }

    /// The stage name, as scap prints it (`handle_service`, ...).
    public var description: String { rawValue }
}
