/// Where `scap deploy-local` keeps one repository on a target (research §1.6).
///
/// ```
/// /srv/deployment/R               -> R-cache/revs/<sha>   (finalPath)
/// /srv/deployment/R-cache/cache      the git cache (a bare clone)
/// /srv/deployment/R-cache/revs/<sha> one working tree per deployed commit
/// /srv/deployment/R-cache/current    -> revs/<sha>, set at promote
/// /srv/deployment/R-cache/.in-progress -> revs/<sha>, set at fetch, removed at finalize
/// /srv/deployment/R-cache/.done      -> revs/<sha>, set at finalize: the rollback target
/// ```
public struct TargetLayout: Sendable, Hashable {
    /// The repository path below the deploy directory, e.g. `mathoid` or `mediawiki/services/foo`.
    public var repo: String
    /// The deploy directory (`git_deploy_dir`), `/srv/deployment` by default.
    public var deployDirectory: String

    /// The default deploy directory.
    public static let defaultDeployDirectory = "/srv/deployment"

    /// Creates the layout of `repo` under `deployDirectory`.
    public init(repo: String, deployDirectory: String = TargetLayout.defaultDeployDirectory) {
        self.repo = repo
        var directory = deployDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.deployDirectory = directory
    }

    /// `R`: the symlink services use (`SCAP_FINAL_PATH`).
    public var finalPath: String { deployDirectory == "/" ? "/" + repo : deployDirectory + "/" + repo }
    /// `R-cache`: everything else lives here.
    public var cacheRoot: String { finalPath + "-cache" }
    /// `R-cache/cache`: the git cache fetched from the deploy host.
    public var cacheDirectory: String { cacheRoot + "/cache" }
    /// `R-cache/revs` (`SCAP_REVS_DIR`).
    public var revsDirectory: String { cacheRoot + "/revs" }
    /// `R-cache/current`: the promoted revision (`SCAP_CURRENT_REV_DIR`).
    public var currentLink: String { cacheRoot + "/current" }
    /// `R-cache/.in-progress`: the fetched, not yet finalized revision.
    public var inProgressLink: String { cacheRoot + "/.in-progress" }
    /// `R-cache/.done`: the last finalized revision (`SCAP_DONE_REV_DIR`), the rollback target.
    public var doneLink: String { cacheRoot + "/.done" }

    /// `R-cache/revs/<sha>`: the working tree of `revision` (`SCAP_REV_PATH`).
    public func revisionDirectory(_ revision: String) -> String { revsDirectory + "/" + revision }
}
