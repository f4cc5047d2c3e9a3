import Cumin

/// The `config_deploy` and `config_diff` stages, and the linking of config files at promote and rollback.
///
/// Rendered files travel inside the script as base64 (decoded with coreutils' `base64 -d`), so any byte survives
/// the shell. An absolute final path `/etc/x.yaml` is written to `revs/<sha>/.git/config-files/etc/x.yaml` and
/// symlinked into place at promote, before `current` moves; a relative one is written inside `revs/<sha>` (a
/// committed symbolic link that would lead the write out of `revs/<sha>` fails the stage). A file
/// is rewritten only when its content changed (`cmp`, or `git diff --no-index` without diffutils); when one was,
/// `.git/config-files.pending` tells promote that it is not a no-op (so the service restarts) until it succeeds.
extension TargetScript {
    /// Shell functions for config files, shared by every stage's script.
    static let configFunctions = #"""
        scap_same() {
            if command -v cmp >/dev/null 2>&1; then
                cmp -s "$1" "$2"
            else
                git diff --no-index --quiet -- "$1" "$2" >/dev/null 2>&1
            fi
        }
        scap_config_list() {
            [ -d "$1/.git/config-files" ] || return 0
            (cd "$1/.git/config-files" && find . -type f -print) | sed 's/^\.//'
        }
        scap_link_configs() {
            scap_step="linking config files"
            scap_cfg_ifs=$IFS
            IFS='
        '
            set -f
            for scap_cfg_final in $(scap_config_list "$1"); do
                scap_cfg_source="$1/.git/config-files$scap_cfg_final"
                if [ "$(scap_readlink "$scap_cfg_final")" != "$scap_cfg_source" ]; then
                    mkdir -p "$(dirname "$scap_cfg_final")"
                    scap_link "$scap_cfg_source" "$scap_cfg_final"
                    echo "[linked] $scap_cfg_final -> $scap_cfg_source"
                fi
            done
            set +f
            IFS=$scap_cfg_ifs
        }
        scap_configs_linked() {
            scap_cfg_linked=0
            scap_cfg_ifs=$IFS
            IFS='
        '
            set -f
            for scap_cfg_final in $(scap_config_list "$1"); do
                [ "$(scap_readlink "$scap_cfg_final")" = "$1/.git/config-files$scap_cfg_final" ] || scap_cfg_linked=1
            done
            set +f
            IFS=$scap_cfg_ifs
            return $scap_cfg_linked
        }
        scap_config_write() {
            scap_step="rendering $2"
            scap_cfg_dest="$rev_dir/$1"
            # A committed symbolic link on the way (link -> /srv) must not lead the write out of the revision.
            scap_cfg_parent=$(realpath -m -- "$(dirname "$scap_cfg_dest")") || scap_fail "cannot resolve $2"
            scap_cfg_root=$(realpath -- "$rev_dir") || scap_fail "cannot resolve $rev_dir"
            case "$scap_cfg_parent/" in
                "$scap_cfg_root"/*) ;;
                *)
                    scap_fail "config file $2 would be written to $scap_cfg_parent, outside the revision directory: a \
        symbolic link in the repository leads out of it"
                    ;;
            esac
            mkdir -p "$scap_cfg_parent"
            scap_cfg_tmp="$scap_cfg_dest.scap-tmp.$$"
            printf '%s' "$3" | base64 -d >"$scap_cfg_tmp"
            if [ -f "$scap_cfg_dest" ] && [ ! -L "$scap_cfg_dest" ] && scap_same "$scap_cfg_tmp" "$scap_cfg_dest"; then
                rm -f "$scap_cfg_tmp"
                scap_cfg_unchanged="$scap_cfg_unchanged $2"
                echo "[unchanged] $2"
            else
                mv -fT "$scap_cfg_tmp" "$scap_cfg_dest"
                scap_cfg_rendered="$scap_cfg_rendered $2"
                echo "[rendered] $2"
            fi
        }
        scap_diff() {
            if command -v diff >/dev/null 2>&1; then
                diff -u -L "$3 (live)" -L "$3 (rendered)" "$1" "$2"
            else
                git diff --no-index --no-color -- "$1" "$2"
            fi
        }
        scap_config_diff() {
            scap_step="comparing $2"
            scap_cfg_count=$((scap_cfg_count + 1))
            scap_cfg_new="$scap_tmp_dir/$scap_cfg_count"
            printf '%s' "$3" | base64 -d >"$scap_cfg_new"
            scap_cfg_live=$1
            [ -f "$scap_cfg_live" ] || scap_cfg_live=/dev/null
            if scap_same "$scap_cfg_live" "$scap_cfg_new"; then
                scap_cfg_unchanged="$scap_cfg_unchanged $2"
            else
                scap_cfg_rendered="$scap_cfg_rendered $2"
                scap_diff "$scap_cfg_live" "$scap_cfg_new" "$2" || true
            fi
        }

        """#

    /// Writes each rendered file that changed into the revision directory; a no-op when none did.
    static func configDeployBody(plan: TargetStagePlan) -> String {
        let q = shellSingleQuoted
        var body = plan.configFailure.map { "scap_fail \(q($0))\n" } ?? ""
        body += #"""
            [ -d "$rev_dir" ] || scap_fail "revision directory $rev_dir does not exist: run fetch first"
            scap_cfg_rendered=''
            scap_cfg_unchanged=''

            """#
        for file in plan.configFiles {
            body += "scap_config_write \(q(file.revisionRelativePath)) \(q(file.path)) \(q(file.base64))\n"
        }
        return body + #"""
            if [ -n "$scap_cfg_rendered" ]; then
                : >"$rev_dir/.git/config-files.pending"
                scap_message="config files rendered:$scap_cfg_rendered; unchanged:${scap_cfg_unchanged:- none}"
            else
                scap_result=noop
                scap_message="config files unchanged:${scap_cfg_unchanged:- none}"
            fi

            """#
    }

    /// Renders each file to a temporary file and prints `diff -u` against the live one (the final path for an
    /// absolute path, the file under `current` for a relative one); changes nothing. A no-op when all match.
    static func configDiffBody(plan: TargetStagePlan) -> String {
        let q = shellSingleQuoted
        var body = plan.configFailure.map { "scap_fail \(q($0))\n" } ?? ""
        body += #"""
            scap_tmp_dir=$(mktemp -d "${TMPDIR:-/tmp}/scap-config-diff.XXXXXX")
            scap_cfg_count=0
            scap_cfg_rendered=''
            scap_cfg_unchanged=''

            """#
        for file in plan.configFiles {
            let live = file.isAbsolute ? q(file.path) : "\"$current_link\"/" + q(file.path)
            body += "scap_config_diff \(live) \(q(file.path)) \(q(file.base64))\n"
        }
        return body + #"""
            if [ -n "$scap_cfg_rendered" ]; then
                scap_message="config files differ:$scap_cfg_rendered; unchanged:${scap_cfg_unchanged:- none}"
            else
                scap_result=noop
                scap_message="config files match the live files:${scap_cfg_unchanged:- none}"
            fi

            """#
    }
}
