/// A stage of `scap deploy-local` on a target, as named in `checks.yaml`, `-s/--stages` and `<stage>_batch_size`,
/// and sent to the targets as a shell script (``TargetScript``).
public enum DeployStage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Fetch the revision into the target's cache and check it out under `revs/<sha>`.
    case fetch
    /// Render the `config-files.yaml` templates.
    case configDeploy = "config_deploy"
    /// Point `current` and the deploy directory at the revision, then handle the service.
    case promote
    /// Restart or reload the services and wait for `service_port`.
    case handleService = "handle_service"
    /// Re-promote the last finalized revision.
    case rollback
    /// Render the templates and diff them against the live files (`--dry-run`).
    case configDiff = "config_diff"
    /// Mark the revision done and prune old revision directories.
    case finalize

    /// Parses a stage name, accepting `restart_service` as the alias of `handle_service` (T346354).
    public init?(name: String) {
        if name == "restart_service" {
            self = .handleService
        } else {
            self.init(rawValue: name)
        }
    }

    /// The stages in the order of a deploy (`fetch` to `finalize`), then `rollback` and `config_diff`.
    public static let deployOrder: [DeployStage] = [
        .fetch, .configDeploy, .promote, .handleService, .finalize, .rollback, .configDiff,
    ]

    /// Whether the stage changes the targets; a deploy of stages that do not (`config_diff`) neither finalizes
    /// nor rolls back.
    public var changesTargets: Bool { self != .configDiff }

    /// The stage name, as scap prints it (`handle_service`, ...).
    public var description: String { rawValue }
}
