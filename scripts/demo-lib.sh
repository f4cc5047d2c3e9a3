# Helpers shared by scripts/demo.sh and its parts (scripts/demo-*.sh), sourced, not run.
# A part runs with the bed up and reads: DEMO_DIR (the bed: ssh_config, hosts/hostN/srv, cumin.yaml, aliases.yaml,
# spicerack.yaml; also the current directory), DEMO_BIN (the release binaries, first on PATH), DEMO_REPO (the
# repository) and CUMIN_TESTBED_DIR (= DEMO_DIR, so `testbed down host2` acts on the demo's bed).

# Bold headers only on a terminal, and never with NO_COLOR set.
if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
  demo_bold=$'\033[1m' demo_dim=$'\033[2m' demo_plain=$'\033[0m'
else
  demo_bold='' demo_dim='' demo_plain=''
fi

# demo_section TITLE: a section header.
demo_section() { printf '\n%s===== %s =====%s\n' "$demo_bold" "$*" "$demo_plain"; }

# demo_run 'COMMAND LINE' ['what it shows']: prints `$ COMMAND LINE   # what it shows`, then runs exactly that line
# (with eval, in the current directory). A failure stops the demo.
demo_run() {
  local line=$1 note=${2:-}
  printf '\n%s$ %s%s' "$demo_bold" "$line" "$demo_plain"
  [[ -z $note ]] || printf '   %s# %s%s' "$demo_dim" "$note" "$demo_plain"
  printf '\n'
  eval "$line"
}

# demo_run_status 'COMMAND LINE' ['what it shows']: as demo_run, for a command expected to fail: prints its exit
# code and goes on.
demo_run_status() {
  local code=0
  demo_run "$@" || code=$?
  printf '[exit code %s]\n' "$code"
}

# demo_note TEXT: a line of explanation.
demo_note() { printf '%s# %s%s\n' "$demo_dim" "$*" "$demo_plain"; }
