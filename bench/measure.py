#!/usr/bin/env python3
"""Run ONE command and print ONE JSON line describing what it cost.

usage: measure.py [--timeout S] [--label JSON] [--sshd-pid PID] [--sshd-log FILE]
                  [--keep-output DIR] [--stdin FILE] -- CMD ARGS...

Fields of the JSON line:
  label        the --label value parsed as JSON (free-form run description)
  rc           exit status of CMD; -9 when it was killed by the timeout, -N for signal N
  timed_out    true when the timeout fired
  wall_s       wall-clock seconds from spawn to the exit of CMD itself
  cpu_s        client CPU seconds (user + sys) of the whole process tree: getrusage(RUSAGE_CHILDREN)
               after minus before. This process is a child subreaper (prctl PR_SET_CHILD_SUBREAPER),
               so descendants that daemonize (e.g. an `ssh` ControlMaster with ControlPersist) are
               re-parented here, reaped here and their CPU is counted too.
  cpu_user_s / cpu_sys_s   the two halves of cpu_s
  maxrss_kb    ru_maxrss over the tree = RSS of the LARGEST single process (GNU time -v "Maximum
               resident set size"), not a sum over processes
  orphans      descendants re-parented here and reaped after CMD exited (killed after a 10 s grace);
  orphan_wait_s  how long reaping them took (not part of wall_s)
  sshd_cpu_s   CPU of the benchmark sshd during the run (utime+stime+cutime+cstime of --sshd-pid),
               i.e. server-side cost of the handshakes; null without --sshd-pid
  handshakes   new "Accepted publickey" lines in --sshd-log during the run (sanity check that the
               tool really opened one SSH connection per host); null without --sshd-log
  loadavg_1m   1-minute load average when the run started (the VM is shared: look at it)
CMD's stdout/stderr go to DIR/stdout and DIR/stderr with --keep-output, else to /dev/null.
Every wait is bounded: CMD gets --timeout seconds, stray descendants 10 more seconds.
"""
import argparse
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
ORPHAN_GRACE_S = 10.0


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def proc_cpu(pid):
    """utime+stime+cutime+cstime of a process in seconds, or None."""
    if not pid:
        return None
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    tck = os.sysconf('SC_CLK_TCK')
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17
    return sum(int(fields[i - 3]) for i in (14, 15, 16, 17)) / tck


def log_size(path):
    try:
        return os.path.getsize(path) if path else None
    except OSError:
        return None


def count_accepted(path, offset):
    """'Accepted publickey' lines appended to the sshd log after byte offset."""
    if not path or offset is None:
        return None
    try:
        with open(path, 'rb') as f:
            f.seek(offset)
            return f.read().count(b'Accepted publickey')
    except OSError:
        return None


def reap_all(deadline):
    """Reap every remaining child (orphans re-parented to us); kill them by PID after the deadline."""
    alive = 0
    killed = False
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return alive
        if pid == 0:
            if time.monotonic() > deadline and not killed:
                for child in children_of(os.getpid()):
                    try:
                        os.kill(child, signal.SIGKILL)
                    except OSError:
                        pass
                killed = True
            time.sleep(0.01)
            continue
        alive += 1


def children_of(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--timeout', type=float, default=300)
    ap.add_argument('--label', default='{}')
    ap.add_argument('--sshd-pid', type=int, default=0)
    ap.add_argument('--sshd-log', default=None)
    ap.add_argument('--keep-output', default=None)
    ap.add_argument('--stdin', default=None, help='file fed to the command on stdin (default /dev/null)')
    ap.add_argument('--leave-orphans', action='store_true',
                    help='do not adopt and reap daemonized descendants (persistent ssh masters must outlive the run);'
                         ' their CPU after the run is then not counted')
    ap.add_argument('cmd', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    if not cmd:
        ap.error('missing command')
    subreaper = False if a.leave_orphans else become_subreaper()

    if a.keep_output:
        os.makedirs(a.keep_output, exist_ok=True)
        out = open(os.path.join(a.keep_output, 'stdout'), 'wb')
        err = open(os.path.join(a.keep_output, 'stderr'), 'wb')
    else:
        out = err = subprocess.DEVNULL
    stdin = open(a.stdin, 'rb') if a.stdin else subprocess.DEVNULL

    load = os.getloadavg()[0]
    log0 = log_size(a.sshd_log)
    s0 = proc_cpu(a.sshd_pid)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, start_new_session=True)
    deadline = t0 + a.timeout
    timed_out = False
    while True:
        pid, status = os.waitpid(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        if time.monotonic() > deadline:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the command's own session only
            except OSError:
                pass
            _, status = os.waitpid(p.pid, 0)
            break
        time.sleep(0.002)
    wall = time.monotonic() - t0
    p.returncode = 0  # already reaped above; keep Popen from waiting again
    rc = -9 if timed_out else os.waitstatus_to_exitcode(status)
    t1 = time.monotonic()
    orphans = reap_all(t1 + ORPHAN_GRACE_S) if subreaper else 0
    orphan_wait = time.monotonic() - t1
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # let sshd reap its last per-connection children before sampling its CPU
    if a.sshd_pid:
        time.sleep(0.3)
    s1 = proc_cpu(a.sshd_pid)
    handshakes = count_accepted(a.sshd_log, log0)

    user = r1.ru_utime - r0.ru_utime
    system = r1.ru_stime - r0.ru_stime
    try:
        label = json.loads(a.label)
    except ValueError:
        label = a.label
    print(json.dumps({
        'label': label, 'rc': rc, 'timed_out': timed_out, 'wall_s': round(wall, 4),
        'cpu_s': round(user + system, 4), 'cpu_user_s': round(user, 4), 'cpu_sys_s': round(system, 4),
        'maxrss_kb': r1.ru_maxrss, 'orphans': orphans, 'orphan_wait_s': round(orphan_wait, 3),
        'sshd_cpu_s': None if s0 is None or s1 is None else round(s1 - s0, 3),
        'handshakes': handshakes,
        'loadavg_1m': round(load, 2),
    }), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
