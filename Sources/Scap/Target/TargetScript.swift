import Cumin

/// Renders a stage of `scap deploy-local` as a POSIX `sh` script that the deploy host sends over SSH.
///
/// Targets are agentless: a script needs only `sh`, `git`, coreutils (`mv -T`, `timeout`, `readlink`, `date`)
/// and, for the port check, `nc -z` or, failing that, `bash` (its `/dev/tcp`) or `python3`. Every value is
/// single-quoted with Cumin's `shellSingleQuoted(_:)`. All output of the work goes to standard error; standard output
/// carries exactly one line, the last, a JSON status that ``TargetStageStatus/parse(_:)`` reads:
///
/// ```
/// {"scap_stage":"fetch","status":"ok","rev":"<sha>","message":"..."}
/// ```
///
/// `status` is `ok` (work done), `noop` (nothing to do: no after checks, no restart) or `failed` (exit 1).
public enum TargetScript {
    /// The script performing `stage` for `plan`, with the plan's before and after checks around it.
    public static func render(_ stage: DeployStage, plan: TargetStagePlan) -> String {
        var script = prelude(stage, plan: plan)
        script += checks(.before, stage, plan: plan)
        switch stage {
        case .fetch: script += fetchBody
        case .configDeploy: script += configDeployBody(plan: plan)
        case .configDiff: script += configDiffBody(plan: plan)
        case .promote: script += promoteBody(plan: plan)
        case .handleService: script += "scap_handle_service\nscap_result=ok\n"
        case .finalize: script += finalizeBody
        case .rollback: script += rollbackBody
        }
        if stage != .promote {  // promote runs its after checks itself, before handling the service
            script += "if [ \"$scap_result\" != noop ]; then\n:\n" + checks(.after, stage, plan: plan) + "fi\n"
        }
        script += "scap_status=$scap_result\n"
        return script
    }

    /// The command line that runs `script` on a target through its login shell: `sh -c '<script>' scap-<stage>`.
    public static func commandLine(_ stage: DeployStage, plan: TargetStagePlan) -> String {
        "sh -c " + shellSingleQuoted(render(stage, plan: plan)) + " scap-" + stage.rawValue
    }

    // MARK: - Pieces

    private static func prelude(_ stage: DeployStage, plan: TargetStagePlan) -> String {
        let layout = plan.layout
        let q = shellSingleQuoted
        let timeout = Int(plan.serviceTimeout.rounded(.up))
        return """
            set -eu
            exec 3>&1 1>&2
            umask 002
            scap_stage=\(q(stage.rawValue))
            scap_rev=\(q(plan.revision))
            scap_status=failed
            scap_result=ok
            scap_message=''
            scap_step='starting'
            scap_out=''
            scap_tmp_dir=''
            scap_force=\(plan.force ? 1 : 0)
            scap_git_url=\(q(plan.gitURL))
            scap_cache_revs=\(plan.cacheRevs)
            scap_restart=\(q(plan.serviceRestartCommand ?? ""))
            scap_port=\(plan.servicePort.map(String.init) ?? "''")
            scap_service_timeout=\(timeout)
            final=\(q(layout.finalPath))
            cache_dir=\(q(layout.cacheDirectory))
            revs_dir=\(q(layout.revsDirectory))
            rev_dir=\(q(layout.revisionDirectory(plan.revision)))
            current_link=\(q(layout.currentLink))
            in_progress_link=\(q(layout.inProgressLink))
            done_link=\(q(layout.doneLink))
            SCAP_FINAL_PATH=$final
            SCAP_REV_PATH=$rev_dir
            SCAP_REVS_DIR=$revs_dir
            SCAP_CURRENT_REV_DIR=$current_link
            SCAP_DONE_REV_DIR=$done_link
            export SCAP_FINAL_PATH SCAP_REV_PATH SCAP_REVS_DIR SCAP_CURRENT_REV_DIR SCAP_DONE_REV_DIR

            """ + functions
    }

    /// Shell functions shared by every stage.
    private static let functions = #"""
        scap_nl='
        '
        # Sets scap_j to $1 escaped for a JSON string; plain printable text needs no process at all.
        scap_json() {
            case $1 in
                *[\"\\]* | *"$scap_nl"* | *[![:print:]]*)
                    scap_j=$(printf '%s' "$1" | tr '\t\r' '  ' | tr -d '\000-\010\013\014\016-\037' \
                        | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
                        | awk 'BEGIN { ORS = "" } NR > 1 { printf "%s", "\\n" } { printf "%s", $0 }') ;;
                *) scap_j=$1 ;;
            esac
        }
        scap_report() {
            scap_code=$?
            trap - EXIT
            if [ "$scap_status" = failed ] && [ -z "$scap_message" ]; then
                scap_message="$scap_step failed (exit $scap_code)"
            fi
            [ -z "$scap_out" ] || rm -f "$scap_out"
            [ -z "$scap_tmp_dir" ] || rm -rf "$scap_tmp_dir"
            scap_json "$scap_stage"; scap_j_stage=$scap_j
            scap_json "$scap_status"; scap_j_status=$scap_j
            scap_json "$scap_rev"; scap_j_rev=$scap_j
            scap_json "$scap_message"
            printf '{"scap_stage":"%s","status":"%s","rev":"%s","message":"%s"}\n' "$scap_j_stage" "$scap_j_status" \
                "$scap_j_rev" "$scap_j" >&3
            if [ "$scap_status" = failed ]; then exit 1; fi
            exit 0
        }
        trap scap_report EXIT
        trap 'exit 1' INT TERM HUP
        # The capture file of scap_run and scap_check, made on first use (a no-op stage forks nothing for it).
        scap_out_file() {
            [ -n "$scap_out" ] || scap_out=$(mktemp "${TMPDIR:-/tmp}/scap-out.XXXXXX")
        }
        scap_fail() {
            scap_message=$1
            exit 1
        }
        scap_tail() {
            tail -c 2000 "$scap_out"
        }
        scap_run() {
            scap_step=$1
            shift
            scap_out_file
            if "$@" </dev/null >"$scap_out" 2>&1 3>&-; then
                cat "$scap_out" >&2
            else
                scap_code=$?
                cat "$scap_out" >&2
                scap_tail_text=$(scap_tail)
                scap_fail "$scap_step failed (exit $scap_code): ${scap_tail_text:-no output}"
            fi
        }
        scap_check() {
            scap_step="check '$1'"
            scap_out_file
            if timeout -k 5 "$2" sh -c "$3" </dev/null >"$scap_out" 2>&1 3>&-; then
                cat "$scap_out" >&2
            else
                scap_code=$?
                cat "$scap_out" >&2
                if [ "$scap_code" -eq 124 ]; then
                    scap_fail "Check '$1' failed: timed out after $2 s: $(scap_tail)"
                fi
                scap_fail "Check '$1' failed: $(scap_tail)"
            fi
        }
        # Whether the symlink $1 resolves to the directory $2 (test builtins only: no process).
        scap_links_to() {
            [ -L "$1" ] && [ "$1" -ef "$2" ]
        }
        scap_link() {
            if scap_links_to "$2" "$1"; then return 0; fi
            scap_tmp_link="$2.scap-tmp.$$"
            rm -f "$scap_tmp_link"
            ln -s "$1" "$scap_tmp_link"
            mv -T "$scap_tmp_link" "$2"
        }
        scap_readlink() {
            readlink "$1" 2>/dev/null || true
        }
        scap_port_open() {
            if command -v nc >/dev/null 2>&1; then
                nc -z -w 1 127.0.0.1 "$1" >/dev/null 2>&1
            elif command -v bash >/dev/null 2>&1; then
                timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' scap-port "$1" >/dev/null 2>&1
            elif command -v python3 >/dev/null 2>&1; then
                timeout 2 python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
                    "$1" >/dev/null 2>&1
            else
                scap_fail "cannot check port $1: none of nc, bash or python3 is installed"
            fi
        }
        scap_wait_port() {
            scap_step="port check"
            scap_deadline=$(( $(date +%s) + scap_service_timeout ))
            while :; do
                if scap_port_open "$scap_port"; then return 0; fi
                if [ "$(date +%s)" -ge "$scap_deadline" ]; then
                    scap_fail "Port $scap_port not up within ${scap_service_timeout}s"
                fi
                sleep 1
            done
        }
        scap_handle_service() {
            if [ -n "$scap_restart" ]; then
                scap_run "service restart ($scap_restart)" sh -c "$scap_restart"
            fi
            if [ -n "$scap_port" ]; then
                scap_wait_port
            fi
        }
        scap_promote_to() {
            [ -d "$1" ] || scap_fail "revision directory $1 does not exist: run fetch first"
            scap_link_configs "$1"
            scap_step="promote"
            mkdir -p "$(dirname "$final")"
            scap_link "$1" "$current_link"
            if [ -e "$final" ] && [ ! -L "$final" ]; then
                mv "$final" "$final.$(date +%Y-%m-%dT%H:%M:%S)"
            fi
            scap_link "$1" "$final"
        }

        """# + configFunctions

    private static func checks(_ timing: TargetCheck.Timing, _ stage: DeployStage, plan: TargetStagePlan) -> String {
        plan.checks(timing, stage).map { check in
            "scap_check \(shellSingleQuoted(check.name)) \(shellSingleQuoted(seconds(check.timeout))) "
                + "\(shellSingleQuoted(check.command))\n"
        }.joined()
    }

    /// `timeout`'s duration argument: whole seconds without a fraction.
    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e9 ? String(Int(value)) : String(value)
    }

    private static let fetchBody = #"""
        scap_step="preparing $revs_dir"
        [ -d "$revs_dir" ] || mkdir -p "$revs_dir"
        scap_head=''
        if [ -d "$rev_dir" ]; then
            # A detached checkout's .git/HEAD holds the commit: read it without starting git.
            if [ -f "$rev_dir/.git/HEAD" ]; then read -r scap_head <"$rev_dir/.git/HEAD" || scap_head=''; fi
            case $scap_head in
                *[!0-9a-f]* | '') scap_head=$(git -C "$rev_dir" rev-parse --verify -q HEAD 2>/dev/null || true) ;;
            esac
        fi
        if [ "$scap_force" = 0 ] && [ "$scap_head" = "$scap_rev" ]; then
            # Already checked out (rev dirs only appear complete): nothing to fetch.
            scap_result=noop
            scap_message="revision $scap_rev already fetched"
        else
            if [ -d "$cache_dir" ] && git --git-dir="$cache_dir" rev-parse --git-dir >/dev/null 2>&1; then
                scap_run "git remote set-url" git --git-dir="$cache_dir" remote set-url origin "$scap_git_url"
                # Tags are forced: a tag moved on the deploy host (a repository recreated, a pruned
                # scap/sync name reused) would otherwise be rejected, and --quiet hides the rejection.
                scap_run "git fetch $scap_git_url" git --git-dir="$cache_dir" fetch --quiet --prune origin \
                    '+refs/heads/*:refs/heads/*' '+refs/tags/*:refs/tags/*'
            else
                rm -rf "$cache_dir"
                scap_run "git clone $scap_git_url" git clone --quiet --bare "$scap_git_url" "$cache_dir"
            fi
            if ! git --git-dir="$cache_dir" cat-file -e "$scap_rev^{commit}" 2>/dev/null; then
                git --git-dir="$cache_dir" fetch --quiet origin "$scap_rev" >&2 2>&1 || true
                git --git-dir="$cache_dir" cat-file -e "$scap_rev^{commit}" 2>/dev/null \
                    || scap_fail "revision $scap_rev not found in $scap_git_url"
            fi
            if [ -n "$scap_head" ]; then
                scap_run "git checkout $scap_rev" git -C "$rev_dir" checkout --quiet --force --detach "$scap_rev"
                scap_message="revision $scap_rev checked out again"
            else
                scap_tmp_rev="$revs_dir/.$scap_rev.scap-tmp"
                rm -rf "$scap_tmp_rev"
                scap_run "git clone from the cache" git clone --quiet --no-checkout --shared "$cache_dir" "$scap_tmp_rev"
                scap_run "git checkout $scap_rev" git -C "$scap_tmp_rev" checkout --quiet --detach "$scap_rev"
                rm -rf "$rev_dir"
                mv "$scap_tmp_rev" "$rev_dir"
                scap_message="revision $scap_rev fetched"
            fi
        fi
        # Nothing is in progress when a no-op fetch finds the revision already finalized.
        if [ "$scap_result" != noop ] || ! scap_links_to "$done_link" "$rev_dir"; then
            scap_step="marking .in-progress"
            scap_link "$rev_dir" "$in_progress_link"
        fi

        """#

    private static func promoteBody(plan: TargetStagePlan) -> String {
        let noop = #"""
            if [ "$scap_force" = 0 ] && scap_links_to "$current_link" "$rev_dir" \
                && scap_links_to "$final" "$rev_dir" && [ ! -e "$rev_dir/.git/config-files.pending" ] \
                && scap_configs_linked "$rev_dir"; then
                scap_result=noop
                scap_message="revision $scap_rev already promoted"
            else
                scap_promote_to "$rev_dir"

            """#
        let service = checks(.after, .promote, plan: plan) + checks(.before, .handleService, plan: plan)
            + "scap_handle_service\n" + checks(.after, .handleService, plan: plan)
        return noop + service + "rm -f \"$rev_dir/.git/config-files.pending\"\n"
            + "scap_message=\"revision $scap_rev promoted\"\nfi\n"
    }

    private static let finalizeBody = #"""
        [ -d "$rev_dir" ] || scap_fail "revision directory $rev_dir does not exist: nothing to finalize"
        scap_step="marking .done"
        scap_link "$rev_dir" "$done_link"
        if [ -L "$in_progress_link" ]; then rm -f "$in_progress_link"; fi
        scap_step="pruning $revs_dir"
        scap_pruned=''
        set -- "$revs_dir"/*
        if [ "$#" -gt "$scap_cache_revs" ]; then
        scap_current=$(scap_readlink "$current_link")
        scap_count=0
        set -f
        scap_ifs=$IFS
        IFS='
        '
        for scap_name in $(ls -1tc "$revs_dir"); do
            scap_path="$revs_dir/$scap_name"
            [ -d "$scap_path" ] || continue
            scap_count=$((scap_count + 1))
            [ "$scap_count" -gt "$scap_cache_revs" ] || continue
            [ "$scap_path" != "$scap_current" ] || continue
            [ "$scap_path" != "$rev_dir" ] || continue
            rm -rf "$scap_path"
            scap_pruned="$scap_pruned $scap_name"
        done
        IFS=$scap_ifs
        set +f
        fi
        scap_message="revision $scap_rev finalized; pruned:${scap_pruned:- none}"

        """#

    private static let rollbackBody = #"""
        [ -L "$done_link" ] || scap_fail "there is no previous revision to rollback to"
        rev_dir=$(scap_readlink "$done_link")
        [ -d "$rev_dir" ] || scap_fail "the previous revision directory $rev_dir no longer exists"
        scap_rev=$(basename "$rev_dir")
        SCAP_REV_PATH=$rev_dir
        scap_promote_to "$rev_dir"
        scap_handle_service
        rm -f "$in_progress_link"
        scap_message="rolled back to $scap_rev"

        """#
}
