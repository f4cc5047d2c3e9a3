#!/usr/bin/env python3
"""Turn the JSON lines written by bench/cookbook/run.sh into the Markdown report.

usage: summarize.py RESULTS.jsonl [--header FILE]
       summarize.py --into-readme README.md REPORT.md   (copy a report between README's cookbook markers)
Each line is a bench/measure.py record whose label is {"case", "tool", "n", "rep", "nonce"}, plus the
checks run.sh adds (compiled, edit_seen, listing_lines). Cells are medians (and minima) over the
repetitions; ratios are ours / Spicerack, < 1 means we are faster.
"""
import argparse
import importlib.util
import json
import os
import re
from collections import defaultdict


def _cumin_summarize():
    """bench/summarize.py (the cumin report), for its number helpers; loaded by path: this file has its name."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'summarize.py')
    spec = importlib.util.spec_from_file_location('cumin_summarize', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _cumin_summarize()
med, ratio, f = _helpers.med, _helpers.ratio, _helpers.f

CASES = [
    ('list', '1. `cookbook -l` (ours: cache warm; Spicerack: .pyc warm)'),
    ('run', '2. trivial cookbook end to end, `team00.cb00 --value y` (warm)'),
    ('edit-run', '3. edit one cookbook\'s body, then run it (ours: rebuild + run)'),
    ('edit-list', '5. edit another cookbook\'s body, then `cookbook -l` (ours: rebuild + list)'),
    ('build-cold', '4. cold: ours `cookbook build` into an empty cache (once)'),
    ('list-cold', '4. cold: Spicerack `cookbook -l` without any .pyc (once)'),
]
TOOLS = ['ours', 'spicerack']
README_MARKERS = ('<!-- cookbook-results:begin -->', '<!-- cookbook-results:end -->')


class Cell:
    def __init__(self, rs):
        self.runs = len(rs)
        self.bad = sum(1 for r in rs if r['rc'] != 0)
        self.rcs = sorted({r['rc'] for r in rs})
        walls = [r['wall_s'] for r in rs]
        cpus = [r['cpu_s'] for r in rs]
        self.wall, self.wmin = med(walls), min(walls)
        self.cpu, self.cmin = med(cpus), min(cpus)
        self.rss = med([r['maxrss_kb'] / 1024 for r in rs])
        self.load = med([r.get('loadavg_1m') for r in rs])
        self.compiled = sum(1 for r in rs if r.get('compiled'))
        self.edit_seen = sum(1 for r in rs if r.get('edit_seen'))


def load(path):
    runs = defaultdict(list)
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith('{'):
                r = json.loads(line)
                runs[(r['label']['case'], r['label']['tool'])].append(r)
    return runs


def into_readme(readme, report_path):
    """Copy the report between the cookbook results markers of README, one heading level down."""
    with open(report_path) as fh:
        report = fh.read().strip().replace('## Cookbook runner benchmark', '### Cookbook runner benchmark', 1)
    report = report.replace('\n### ', '\n#### ')
    with open(readme) as fh:
        text = fh.read()
    begin, end = (re.escape(m) for m in README_MARKERS)
    new = re.sub('(%s\n).*?(\n%s)' % (begin, end), lambda m: m.group(1) + report + m.group(2), text, flags=re.S)
    with open(readme, 'w') as fh:
        fh.write(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', nargs='?', help='the JSON lines of a run')
    parser.add_argument('--header', help='Markdown put before the tables')
    parser.add_argument('--into-readme', nargs=2, metavar=('README', 'REPORT'),
                        help='copy REPORT between the cookbook results markers of README instead')
    options = parser.parse_args()
    if options.into_readme:
        into_readme(*options.into_readme)
        return
    if not options.results:
        parser.error('RESULTS.jsonl is required')
    header = options.header
    runs = load(options.results)
    cells = {key: Cell(rs) for key, rs in runs.items()}
    n = next(iter(runs.values()))[0]['label']['n'] if runs else 0
    out = []
    if header:
        with open(header) as fh:
            out.append(fh.read().rstrip('\n'))
        out.append('')

    out.append('### Results (%d cookbooks per tree)' % n)
    out.append('')
    out.append('| case | tool | runs | rc!=0 | wall s median (min) | CPU s median (min) | peak RSS MB '
               '| wall ours/Spicerack median (min) | CPU ours/Spicerack median (min) | load 1m |')
    out.append('|---|---|---|---|---|---|---|---|---|---|')
    for case, desc in CASES:
        ref = cells.get((case, 'spicerack'))
        for tool in TOOLS:
            c = cells.get((case, tool))
            if c is None:
                continue
            mine = tool == 'ours' and ref is not None
            rw = '%s (%s)' % (f(ratio(c.wall, ref.wall), 3), f(ratio(c.wmin, ref.wmin), 3)) if mine else '-'
            rc = '%s (%s)' % (f(ratio(c.cpu, ref.cpu), 3), f(ratio(c.cmin, ref.cmin), 3)) if mine else '-'
            out.append('| %s | %s | %d | %s | %s (%s) | %s (%s) | %s | %s | %s | %s |' % (
                desc, 'ours' if tool == 'ours' else 'Spicerack 14.0.0', c.runs,
                str(c.bad) + ('' if not c.bad else ' rc=%s' % c.rcs),
                f(c.wall, 3), f(c.wmin, 3), f(c.cpu, 3), f(c.cmin, 3), f(c.rss, 1), rw, rc,
                '-' if c.load is None else '%.1f' % c.load))
    out.append('')
    cold_ours, cold_ref = cells.get(('build-cold', 'ours')), cells.get(('list-cold', 'spicerack'))
    if cold_ours and cold_ref:
        out.append('Case 4 compares different things (no ratio): ours compiles the whole tree once, Spicerack '
                   'imports every module without cached bytecode; both happen once per change of the tree.')
        out.append('')

    targets = []

    def target(desc, value, limit, unit):
        targets.append((desc, value, limit, unit, None if value is None or limit is None else value <= limit))

    for case, limit, what in (('list', 0.05, '1. `-l` wall ours/Spicerack (median)'),
                              ('run', 0.1, '2. trivial run wall ours/Spicerack (median)')):
        o, r = cells.get((case, 'ours')), cells.get((case, 'spicerack'))
        if o and r:
            target(what, ratio(o.wall, r.wall), limit, 'x')
            target(what.replace('wall', 'CPU') + ' (info)', ratio(o.cpu, r.cpu), None, 'x')
    o = cells.get(('edit-run', 'ours'))
    if o:
        target('3. edit + rebuild + run, ours wall (median)', o.wall, 5.0, 's')
        target('3. edit + rebuild + run, ours wall (min) (info)', o.wmin, None, 's')
    o = cells.get(('edit-list', 'ours'))
    if o:
        target('5. edit + rebuild + `-l`, ours wall (median) (info)', o.wall, None, 's')
    if cold_ours:
        target('4. cold build of the %d-cookbook tree, ours wall (info)' % n, cold_ours.wall, None, 's')
        target('4. cold build of the %d-cookbook tree, ours CPU (info)' % n, cold_ours.cpu, None, 's')

    odd = []
    for (case, tool), rs in sorted(runs.items()):
        for r in rs:
            rep = r['label']['rep']
            if r['rc'] != 0:
                odd.append('%s %s rep %d: exit code %s%s' % (case, tool, rep, r['rc'],
                                                            ' (timeout)' if r.get('timed_out') else ''))
            if case == 'edit-run' and not r.get('edit_seen'):
                odd.append('%s %s rep %d: the edited log line was not printed (stale build?)' % (case, tool, rep))
            if tool == 'ours' and case.startswith('edit') and not r.get('compiled'):
                odd.append('%s ours rep %d: no recompilation after the edit' % (case, rep))
            if tool == 'ours' and case in ('list', 'run') and r.get('compiled'):
                odd.append('%s ours rep %d: recompiled although nothing changed' % (case, rep))
    checks = []
    for number, case in (('3', 'edit-run'), ('5', 'edit-list')):
        c = cells.get((case, 'ours'))
        if c:
            checks.append('case %s: ours recompiled in %d of %d runs' % (number, c.compiled, c.runs))
    o, r = cells.get(('edit-run', 'ours')), cells.get(('edit-run', 'spicerack'))
    if o and r:
        checks.append('the edited log line was printed in %d of %d runs of ours, %d of %d of Spicerack'
                      % (o.edit_seen, o.runs, r.edit_seen, r.runs))
    if checks:
        out.append('Checks: ' + '; '.join(checks) + '.')
        out.append('')
    out.append('### Anomalies')
    out.append('')
    out.extend(['* ' + x for x in odd] or ['None: every run exited 0, every edit was rebuilt (ours) and ran '
                                          'with the new body, no warm run recompiled.'])
    out.append('')
    if targets:
        out.append('### Targets')
        out.append('')
        out.append('| target | measured | limit | met |')
        out.append('|---|---|---|---|')
        for desc, value, limit, unit, ok in targets:
            v = '-' if value is None else ('%.2f s' % value if unit == 's' else '%.3fx' % value)
            lim = '-' if limit is None else ('<= %g s' % limit if unit == 's' else '<= %gx' % limit)
            met = '-' if ok is None else ('yes' if ok else '**no**')
            out.append('| %s | %s | %s | %s |' % (desc, v, lim, met))
        out.append('')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
