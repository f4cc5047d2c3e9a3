#!/usr/bin/env python3
"""Helpers of bench/scap/run.sh.

usage: summarize.py stages DEPLOY_LOG        -> one JSON object: time per stage from scap's deploy log
       summarize.py report JSONL [options]   -> the Markdown report on stdout

Stage times come from the deploy log (one JSON record per line, `created` in seconds): a `stage` record is
written when the stage finished on its (sub)group, so its duration is its `created` minus that of the
previous record that is not a per-host record (`started`, `group`, `prompt`, `subgroup_done` or the
previous `stage`). `log_s` = `finished` - `started`; what the wall clock adds on top of it is process
start, configuration, locks, the tag, DEPLOY_HEAD and `git update-server-info`.
"""
import argparse
import json
import statistics
import sys


def field(record, key):
    if key in record:
        return record[key]
    extra = record.get("extra")
    return extra.get(key) if isinstance(extra, dict) else None


def stages(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass
    out = {"log_s": None, "stages": {}, "counts": {}}
    started = finished = prev = None
    for r in records:
        event, created = field(r, "event"), r.get("created")
        if created is None or event in ("host_done", "host_failed"):
            continue
        if event == "started":
            started = created
        elif event == "finished":
            finished = created
        elif event == "stage" and prev is not None:
            key = "%s/%s" % (field(r, "label"), field(r, "stage"))
            out["stages"][key] = round(out["stages"].get(key, 0) + created - prev, 4)
            out["counts"][key] = "ok %s / noop %s / fail %s" % (field(r, "ok"), field(r, "noop"), field(r, "failed"))
        prev = created
    if started is not None and finished is not None:
        out["log_s"] = round(finished - started, 4)
    return out


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.*f" % (digits, v)
    return str(v)


def report(args):
    runs = [json.loads(l) for l in open(args.jsonl) if l.strip()]
    by = {}
    for r in runs:
        by.setdefault(r["label"]["case"], []).append(r)
    cases = [("first", "`scap deploy` of v1 onto empty targets (fetch, promote, finalize; canary then the rest)"),
             ("second", "the same `scap deploy` again (every host reports noop)"),
             ("fetch-only", "reference: `cumin --force` running the one-line clone + checkout on every host")]
    o = []
    o.append("### `scap deploy` benchmark (%s UTC)\n" % args.date)
    o.append("* Tree: `%s`, release build (`--scratch-path .build-bench`)." % args.tree)
    o.append("* Machine: %s. Load average (1/5/15 min) at the end %s." % (args.machine, args.load))
    if args.bed == "hosts":
        o.append("* Test bed: `testbed start --hosts %d --kex curve25519-sha256`: one loopback sshd per target "
                 "(`host1..host%d` on 127.0.1.x), each in its own mount namespace with a private /srv and its own "
                 "hostname, so every target has its own `/srv/deployment` tree. (The shared-name bed "
                 "`--shared N` was NOT used: its names all share ONE sshd and ONE /srv, so 50 targets would "
                 "`rm -rf` / `git clone` the same `/srv/deployment/bench/app-cache` concurrently; scap's config "
                 "has no per-target `git_deploy_dir` (host-suffix sections select on the deploy host's name), "
                 "so that bed cannot give each name its own tree; `run.sh --bed shared` runs it anyway.)"
                 % (args.hosts, args.hosts))
    else:
        o.append("* Test bed: `testbed start --hosts 1 --shared %d`: ONE sshd and ONE /srv serve all %d names, so "
                 "all targets write the SAME deploy tree concurrently (racy; not a real deploy of %d trees)."
                 % (args.hosts, args.hosts, args.hosts))
    o.append("* Deploy repository: 5 files (~20 KB) + `scap/scap.cfg` with `server_groups: canary, default` "
             "(canary = 1 host, default = %d), no `service_name` (no restart, no port check), no checks; targets "
             "fetch from the deploy repository as `file://` (no `git_server`). scap's stage fan-out: `batch_size` "
             "default (capped at 80), cumin fanout 80: every stage runs on all hosts of its group at once." % (args.hosts - 1))
    o.append("* Reference command (cumin `--force`, %d hosts, fanout 80): `%s`" % (args.hosts, args.fetch_cmd))
    o.append("* %d repetitions; every repetition starts from empty targets (the controller removes each "
             "`/srv/deployment`); the reference runs after the two deploys in odd repetitions, before them in "
             "even ones. Wall/CPU/RSS by `bench/measure.py` (CPU = the whole client process tree: scap or cumin and "
             "every `ssh` it forks; the targets' `sh`/`git` run under sshd and are not in it). Stage times from "
             "scap's deploy log (`scap/log/*.log`). Total benchmark time %s s.\n" % (args.reps, args.elapsed))

    o.append("#### Totals (medians over %d runs, min-max in parentheses)\n" % args.reps)
    o.append("| case | runs | rc!=0 | wall s | client CPU s | peak RSS MB | SSH logins | targets at v1 | deploy-log time s | what |")
    o.append("|---|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for case, what in cases:
        rs = by.get(case, [])
        if not rs:
            continue
        walls = [r["wall_s"] for r in rs]
        s = {"wall": med(walls), "cpu": med([r["cpu_s"] for r in rs])}
        summary[case] = s
        log_s = med([(r.get("stages") or {}).get("log_s") for r in rs])
        o.append("| %s | %d | %d | %s (%s-%s) | %s | %.1f | %s | %s | %s | %s |" % (
            case, len(rs), sum(1 for r in rs if r["rc"] != 0), fmt(s["wall"]), fmt(min(walls)), fmt(max(walls)),
            fmt(s["cpu"]), med([r["maxrss_kb"] for r in rs]) / 1024.0, fmt(med([r["ssh_logins"] for r in rs])),
            "/".join(str(r.get("targets_ok")) for r in rs), fmt(log_s), what))
    o.append("\n`targets at v1`: per run, the targets whose `/srv/deployment/bench/app` points at the v1 tree "
             "(fetch-only: the temp clones holding `version.txt`). `SSH logins` = accepted publickey logins in the "
             "sshd logs during the run.\n")

    o.append("#### Time per stage (medians, seconds; from the deploy log)\n")
    keys = []
    for case in ("first", "second"):
        for r in by.get(case, []):
            for k in (r.get("stages") or {}).get("stages", {}):
                if k not in keys:
                    keys.append(k)
    o.append("| stage | first | second | hosts (first) | hosts (second) |")
    o.append("|---|---|---|---|---|")
    for k in keys:
        cells = []
        for case in ("first", "second"):
            cells.append(fmt(med([(r.get("stages") or {}).get("stages", {}).get(k) for r in by.get(case, [])])))
        counts = []
        for case in ("first", "second"):
            rs = by.get(case, [])
            counts.append(((rs[0].get("stages") or {}).get("counts", {}).get(k, "-")) if rs else "-")
        o.append("| %s | %s | %s | %s | %s |" % (k, cells[0], cells[1], counts[0], counts[1]))
    outside = []
    for case in ("first", "second"):
        rs = by.get(case, [])
        w, l = med([r["wall_s"] for r in rs]), med([(r.get("stages") or {}).get("log_s") for r in rs])
        outside.append(fmt(w - l) if w is not None and l is not None else "-")
    o.append("| outside the log (wall - log time: process start, config, locks, tag, DEPLOY_HEAD, update-server-info) "
             "| %s | %s | | |" % tuple(outside))
    o.append("\n#### Targets\n")
    o.append("| ratio | wall | client CPU | target (wall) | met |")
    o.append("|---|---|---|---|---|")

    def ratio(a, b):
        return summary[a]["wall"] / summary[b]["wall"], summary[a]["cpu"] / summary[b]["cpu"]

    if "first" in summary and "second" in summary:
        w, c = ratio("second", "first")
        o.append("| second / first (no-op detection) | %.2fx | %.2fx | <= 0.2x | %s |" % (w, c, "yes" if w <= 0.2 else "**no**"))
    if "first" in summary and "fetch-only" in summary:
        w, c = ratio("first", "fetch-only")
        o.append("| first / fetch-only | %.2fx | %.2fx | <= 1.5x | %s |" % (w, c, "yes" if w <= 1.5 else "**no**"))
    o.append("\n#### Observations\n")
    for case in ("first", "second"):
        rs = by.get(case, [])
        if rs:
            o.append("* `%s`: %s SSH logins for %d targets = %.1f per host (scap keeps one SSH session per target "
                     "for all of a deploy's stages)." % (
                         case, fmt(med([r["ssh_logins"] for r in rs])), args.hosts,
                         (med([r["ssh_logins"] for r in rs]) or 0) / args.hosts))
    if by.get("second"):
        o.append("* The no-op deploy still runs the three stages on every host, as the reference does: fetch finds "
                 "the revision checked out and touches nothing (no `git fetch`), promote finds the symlinks in "
                 "place (no restart), finalize re-marks `.done`. Its cost is one SSH login per target plus three "
                 "short round trips over the open sessions, and the fixed cost of the deploy host (tag, "
                 "DEPLOY_HEAD, update-server-info).")
    if args.bed == "hosts":
        o.append("* For comparison, one run of `run.sh --bed shared --reps 1` (all 50 names on ONE sshd and ONE /srv) "
                 "on 2026-11-21: both deploys exited 1 - 4-5 of the 49 default targets failed the fetch with "
                 "`git remote set-url failed (exit 128): error: could not lock config file "
                 "/srv/deployment/bench/app-cache/cache/config: File exists` (49 concurrent fetches into one "
                 "cache), then the rollback failed on every host with `there is no previous revision to rollback "
                 "to`. That bed cannot measure a 50-target deploy, hence one sshd per target here.")
    bad = [r for r in runs if r["rc"] != 0 or r.get("timed_out")]
    o.append("\n#### Anomalies\n")
    if not bad:
        o.append("None: every run exited 0.")
    for r in bad:
        o.append("* %s rep %s: rc=%s timed_out=%s (outputs in the bench dir `out/%s-%s/`)" % (
            r["label"]["case"], r["label"]["rep"], r["rc"], r.get("timed_out"), r["label"]["case"], r["label"]["rep"]))
    return "\n".join(o) + "\n"


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "stages":
        print(json.dumps(stages(sys.argv[2])))
        return
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["report"])
    p.add_argument("jsonl")
    p.add_argument("--tree", default="?")
    p.add_argument("--machine", default="?")
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--bed", default="hosts")
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--elapsed", default="?")
    p.add_argument("--fetch-cmd", default="?")
    p.add_argument("--load", default="?")
    p.add_argument("--date", default=None)
    a = p.parse_args()
    if a.date is None:
        import datetime
        a.date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    sys.stdout.write(report(a))


if __name__ == "__main__":
    main()
