#!/usr/bin/env python3
"""Turn the JSON lines written by bench/run.sh into the Markdown report.

usage: summarize.py RESULTS.jsonl [--header FILE]
       summarize.py --into-readme README.md REPORT.md   (copy a report between README's result markers)
Each line is either a measure.py record (label = {"section", "tool", "n", "rep", ...}) or an
in-process fold record (tool = swift-inproc | clustershell-inproc). Cells are medians over the
repetitions; ratios are ours / reference (cumin unless said otherwise), < 1 means we are faster.
"""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = []  # (description, value, limit, unit) filled while rendering


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def f(x, nd=2):
    if x is None:
        return '-'
    if x != 0 and abs(x) < 10 ** -nd * 10:  # keep 2 significant digits for small values
        return '%.2g' % x
    return '%.*f' % (nd, x)


def fmt_n(n):
    return '?' if n is None else '{:,}'.format(n)


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def load(path):
    runs = defaultdict(list)
    inproc = defaultdict(list)
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line.startswith('{'):
                continue
            r = json.loads(line)
            if 'label' in r:
                lab = r['label']
                runs[(lab['section'], lab['n'], lab['tool'])].append(r)
            else:
                inproc[r['tool']].append(r)
    return runs, inproc


class Cell:
    def __init__(self, rs, n):
        self.runs = len(rs)
        self.bad = sum(1 for r in rs if r['rc'] != 0)
        walls = [r['wall_s'] for r in rs]
        self.wall = med(walls)
        self.wmin, self.wmax = min(walls), max(walls)
        self.cpu = med([r['cpu_s'] for r in rs])
        self.cpu_host_ms = None if self.cpu is None or not n else self.cpu / n * 1000
        self.rss = med([r['maxrss_kb'] / 1024 for r in rs])
        self.sshd = med([r.get('sshd_cpu_s') for r in rs])
        self.hs = med([r.get('handshakes') for r in rs])
        self.load = med([r.get('loadavg_1m') for r in rs])
        self.orphans = max((r.get('orphans') or 0) for r in rs)
        self.rcs = sorted({r['rc'] for r in rs})


def cells_for(runs, section):
    out = {}
    for (sec, n, tool), rs in runs.items():
        if sec == section:
            out[(n, tool)] = Cell(rs, n)
    return out


def check(desc, value, limit, unit='x'):
    ok = None if value is None else value <= limit
    TARGETS.append((desc, value, limit, unit, ok))


def table(cells, tools, ref='cumin', cols_host=True, show_ssh=True, note=None, unit_n='N'):
    head = ['%s' % unit_n, 'tool', 'runs', 'rc!=0', 'wall s median (min-max)', 'client CPU s']
    if cols_host:
        head.append('CPU ms/host')
    head += ['peak RSS MB']
    if show_ssh:
        head += ['sshd CPU s', 'SSH logins']
    head += ['wall ours/%s' % ref, 'CPU ours/%s' % ref, 'load 1m']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for n in sorted({k[0] for k in cells}):
        refc = cells.get((n, ref))
        for tool in tools:
            c = cells.get((n, tool))
            if c is None:
                continue
            tag = note.get((n, tool), note.get(tool)) if note else None
            row = [str(n), tool + (' (%s)' % tag if tag else ''), str(c.runs),
                   str(c.bad) + ('' if not c.bad else ' rc=%s' % c.rcs),
                   '%s (%s-%s)' % (f(c.wall), f(c.wmin), f(c.wmax)), f(c.cpu)]
            if cols_host:
                row.append(f(c.cpu_host_ms, 1))
            row.append(f(c.rss, 1))
            if show_ssh:
                row += [f(c.sshd), '-' if c.hs is None else '%d' % c.hs]
            mine = tool.startswith('ours')
            row += [f(ratio(c.wall, refc.wall) if mine and refc else None),
                    f(ratio(c.cpu, refc.cpu) if mine and refc else None), f(c.load, 1)]
            lines.append('| ' + ' | '.join(row) + ' |')
    return '\n'.join(lines)


def into_readme(readme, report_path):
    """Copy the report between the results markers of README, one heading level down."""
    import re
    with open(report_path) as fh:
        report = fh.read().strip().replace('## Benchmark results', '### Benchmark results', 1)
    report = report.replace('\n### ', '\n#### ')
    with open(readme) as fh:
        text = fh.read()
    new = re.sub(r'(<!-- results:begin -->\n).*?(\n<!-- results:end -->)',
                 lambda m: m.group(1) + report + m.group(2), text, flags=re.S)
    with open(readme, 'w') as fh:
        fh.write(new)


def main():
    args = sys.argv[1:]
    if args[:1] == ['--into-readme']:
        into_readme(args[1], args[2])
        return
    header = None
    if '--header' in args:
        i = args.index('--header')
        header = args[i + 1]
        del args[i:i + 2]
    runs, inproc = load(args[0])
    out = []
    if header:
        with open(header) as fh:
            out.append(fh.read().rstrip('\n'))
        out.append('')

    a = cells_for(runs, 'ssh')
    if a:
        out.append('### a. `true` on N hosts over SSH (loopback sshd, KEX curve25519-sha256, fanout 64)')
        out.append('')
        out.append(table(a, ['ours', 'cumin', 'clush', 'ssh-floor'],
                         note={'ssh-floor': '`xargs -P 64 ssh`: bare OpenSSH clients, no orchestration'}))
        out.append('')
        out.append('`ssh-floor` is the cost of the `ssh` processes alone: every fork-per-host tool pays it, so '
                   '(tool CPU - floor CPU) / N is the orchestration cost per host.')
        out.append('')
        for n in sorted({k[0] for k in a}):
            o, c = a.get((n, 'ours')), a.get((n, 'cumin'))
            if o and c:
                if n == 1:
                    check('a. N=1 wall ours/cumin', ratio(o.wall, c.wall), 0.4)
                if n == 500:
                    check('a. N=500 wall ours/cumin', ratio(o.wall, c.wall), 0.8)
                    check('a. N=500 client CPU per host ours/cumin', ratio(o.cpu, c.cpu), 0.7)
        for n in sorted({k[0] for k in a})[-1:]:
            fl = a.get((n, 'ssh-floor'))
            c0 = a.get((n, 'cumin'))
            if fl and c0:
                TARGETS.append(('a. N=%d wall ssh-floor/cumin (info: bound for any tool forking one ssh per host)' % n,
                                ratio(fl.wall, c0.wall), None, 'x', None))
                TARGETS.append(('a. N=%d client CPU ssh-floor/cumin (info: same bound for CPU)' % n,
                                ratio(fl.cpu, c0.cpu), None, 'x', None))
            if fl and n >= 50:
                for tool in ('ours', 'cumin', 'clush'):
                    x = a.get((n, tool))
                    if x:
                        TARGETS.append(('a. N=%d orchestration CPU per host above the ssh floor, %s (info)' % (n, tool),
                                        (x.cpu - fl.cpu) / n * 1000, None, 'ms', None))
        big = max(n for n, _ in a)
        o, c = a.get((big, 'ours')), a.get((big, 'cumin'))
        if big != 500 and o and c:
            check('a. N=%d (largest run) client CPU per host ours/cumin' % big, ratio(o.cpu, c.cpu), 0.7)

    b = cells_for(runs, 'seq')
    if b:
        n = sorted({k[0] for k in b})[0]
        ncmd = next(rs[0]['label'].get('commands', 5) for k, rs in runs.items() if k[0] == 'seq')
        out.append('### b. %d sequential commands (`-m sync`, `true` x %d) on N hosts over SSH' % (ncmd, ncmd))
        out.append('')
        out.append(table(b, ['ours-reuse', 'ours-multiplexed', 'ours-no-reuse', 'cumin'],
                         note={'ours-reuse': '--connection-reuse session: one remote shell per host',
                               'ours-multiplexed': '--connection-reuse multiplexed: one ControlMaster per host',
                               'ours-no-reuse': '--no-reuse-connections'}))
        out.append('')
        o, c = b.get((n, 'ours-reuse')), b.get((n, 'cumin'))
        if o and c:
            check('b. %d commands x %d hosts wall ours(reuse)/cumin' % (ncmd, n), ratio(o.wall, c.wall), 0.3)

    c = cells_for(runs, 'nossh')
    if c:
        out.append('### c. Orchestration without SSH (`true`, fake ssh = `/bin/sh -c` of the last argument)')
        out.append('')
        once = {(n, t): 'ONE run' for (n, t), cell in c.items() if cell.runs == 1 and t == 'cumin-fake'
                and any(x.runs > 1 for x in c.values())}
        out.append(table(c, ['ours-noop', 'ours-fake', 'cumin-fake', 'clush-fake'], ref='cumin-fake',
                         show_ssh=False, note=once or None))
        out.append('')
        out.append('`ours-noop` = `--transport noop` (no process per host: the engine alone). '
                   'Ratios are against `cumin-fake`.')
        out.append('')
        for n in (5000,):
            x = c.get((n, 'ours-noop'))
            if x:
                check('c. noop transport, %d hosts, wall' % n, x.wall, 2.0, 's')
        for n in sorted({k[0] for k in c}):
            o, r = c.get((n, 'ours-fake')), c.get((n, 'cumin-fake'))
            if o and r:
                TARGETS.append(('c. fake ssh %d hosts wall ours/cumin (no target)' % n, ratio(o.wall, r.wall),
                                None, 'x', None))

    d = cells_for(runs, 'fold')
    if d or inproc:
        nn = sorted({k[0] for k in d}) or [None]
        out.append('### d. Fold %s shuffled names `host1..hostN`' % ('{:,}'.format(nn[-1]) if nn[-1] else ''))
        out.append('')
        out.append('| what | runs | median wall s | min wall s | median CPU s | peak RSS MB | wall ours/ClusterShell |')
        out.append('|---|---|---|---|---|---|---|')
        sw = inproc.get('swift-inproc', [])
        py = inproc.get('clustershell-inproc', [])
        py_med = med([r['median_s'] for r in py])
        if sw:
            reps = sum(r['reps'] for r in sw)
            for key, what in (('literal', 'ours in-process `NodeSet(nodes:)` + `description`'),
                              ('parsed', 'ours in-process, each name parsed as an expression + `formUnion` '
                                         '(general path; the CLI folds plain names with the bulk path above)')):
                m = med([r[key + '_median_s'] for r in sw])
                out.append('| %s | %d | %s | %s | %s | - | %s |' % (
                    what, reps, f(m, 4), f(min(r[key + '_min_s'] for r in sw), 4),
                    f(med([r[key + '_cpu_median_s'] for r in sw]), 4), f(ratio(m, py_med), 3)))
                if key == 'literal':
                    check('d. fold %s names in-process ours, NodeSet(nodes:)' % fmt_n(nn[-1]), m, 0.05, 's')
                else:
                    TARGETS.append(('d. fold %s names in-process ours, parse each name + union (info)'
                                    % fmt_n(nn[-1]), m, None, 's', None))
        if py:
            out.append('| ClusterShell in-process `NodeSet.fromlist()` + `str()` | %d | %s | %s | %s | - | 1 |' % (
                sum(r['reps'] for r in py), f(py_med, 4), f(min(r['min_s'] for r in py), 4),
                f(med([r['cpu_median_s'] for r in py]), 4)))
        labels = {'ours-cli': 'ours `nodeset -f < names` (process start included)',
                  'clustershell-cli': 'ClusterShell `nodeset -f < names` (interpreter start included)',
                  'ours-cli-startup': 'ours `nodeset -f host1` (start-up alone)',
                  'clustershell-cli-startup': 'ClusterShell `nodeset -f host1` (start-up alone)'}
        refs = {'ours-cli': 'clustershell-cli', 'ours-cli-startup': 'clustershell-cli-startup'}
        for tool in ('ours-cli', 'clustershell-cli', 'ours-cli-startup', 'clustershell-cli-startup'):
            for key in sorted(k for k in d if k[1] == tool):
                x = d[key]
                y = d.get((key[0], refs[tool])) if tool in refs else None
                r = f(ratio(x.wall, y.wall), 3) if y else ('1' if tool not in refs else '-')
                out.append('| %s%s | %d | %s | %s | %s | %s | %s |' % (
                    labels[tool], '' if not x.bad else ' **rc=%s**' % x.rcs, x.runs, f(x.wall, 4), f(x.wmin, 4),
                    f(x.cpu, 4), f(x.rss, 1), r))
        out.append('')

    odd = []
    for (sec, n, tool), rs in sorted(runs.items()):
        for r in rs:
            lab = r['label']
            if r['rc'] != 0:
                odd.append('%s %s N=%d rep %d: exit code %s%s' % (sec, tool, n, lab['rep'], r['rc'],
                                                                   ' (timeout)' if r.get('timed_out') else ''))
            exp = lab.get('expected_logins')
            if exp is not None and r.get('handshakes') is not None and r['handshakes'] != exp:
                odd.append('%s %s N=%d rep %d: %d SSH logins, expected %d' % (sec, tool, n, lab['rep'],
                                                                             r['handshakes'], exp))
    out.append('### Anomalies')
    out.append('')
    out.extend(['* ' + x for x in odd] or ['None: every run exited 0 and opened the expected number of SSH logins.'])
    out.append('')

    if TARGETS:
        out.append('### Targets')
        out.append('')
        out.append('| target | measured | limit | met |')
        out.append('|---|---|---|---|')
        for desc, value, limit, unit, ok in TARGETS:
            v = '-' if value is None else {'s': '%.3f s', 'ms': '%.1f ms'}.get(unit, '%.2fx') % value
            lim = '-' if limit is None else ('<= %g s' % limit if unit == 's' else '<= %gx' % limit)
            met = '-' if ok is None else ('yes' if ok else '**no**')
            out.append('| %s | %s | %s | %s |' % (desc, v, lim, met))
        out.append('')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
