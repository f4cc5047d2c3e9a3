#!/usr/bin/env python3
"""native/run.sh results (JSONL of measure.py) -> Markdown: medians per cell, ratios against Python cumin."""
import argparse, json, statistics

ap = argparse.ArgumentParser()
ap.add_argument('jsonl')
ap.add_argument('--header')
args = ap.parse_args()
runs = [json.loads(line) for line in open(args.jsonl) if line.strip()]
cells = {}
for r in runs:
    l = r['label']
    cells.setdefault((l['section'], l['n'], l['tool']), []).append(r)

ORDER = ['native', 'ours', 'ours-reuse', 'cumin', 'ssh-floor', 'first', 'second']


def med(rs, key):
    return statistics.median(r[key] for r in rs)

out = []
if args.header:
    out.append(open(args.header).read())
titles = {'true': '`true` on N hosts', 'seq5': '5 sequential commands (`-m sync`, `true` x 5) on N hosts',
          'big': 'Peak memory, `true` on N names of the shared sshd (one run)',
          'kex25519': '`true` on 500 hosts, native transport, the sshd offering only curve25519-sha256 (ratios against cumin in the first table)',
          'persist': 'Persistent OpenSSH masters (`--connection-reuse persistent`): a first run, then a second one (ratios against the first)'}
for section in ('true', 'kex25519', 'seq5', 'persist', 'big'):
    keys = sorted(k for k in cells if k[0] == section)
    if not keys:
        continue
    out.append('### %s\n' % titles[section])
    versus = 'first' if section == 'persist' else 'cumin'
    out.append('| N | tool | runs | rc!=0 | wall s median (min-max) | client CPU s | CPU ms/host | peak RSS MB | sshd CPU s | SSH logins | wall / %s | CPU / %s | load 1m |' % (versus, versus))
    out.append('|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for (sec, n, tool) in sorted(keys, key=lambda k: (k[1], ORDER.index(k[2]) if k[2] in ORDER else 9)):
        rs = cells[(sec, n, tool)]
        ref = cells.get(('true' if sec == 'kex25519' else sec, n, 'first' if sec == 'persist' else 'cumin'))
        wall, cpu = med(rs, 'wall_s'), med(rs, 'cpu_s')
        own = tool in ('cumin', 'first')
        ratio_w = '%.2f' % (wall / med(ref, 'wall_s')) if ref and not own else '-'
        ratio_c = '%.2f' % (cpu / med(ref, 'cpu_s')) if ref and not own else '-'
        sshd = [r['sshd_cpu_s'] for r in rs if r.get('sshd_cpu_s') is not None]
        logins = [r['handshakes'] for r in rs if r.get('handshakes') is not None]
        out.append('| %d | %s | %d | %d | %.3g (%.3g-%.3g) | %.3g | %.3g | %.1f | %s | %s | %s | %s | %.1f |' % (
            n, tool, len(rs), sum(1 for r in rs if r['rc'] != 0), wall, min(r['wall_s'] for r in rs),
            max(r['wall_s'] for r in rs), cpu, 1000 * cpu / n, med(rs, 'maxrss_kb') / 1024,
            '%.3g' % statistics.median(sshd) if sshd else '-', int(statistics.median(logins)) if logins else '-',
            ratio_w, ratio_c, med(rs, 'loadavg_1m')))
    out.append('')
print('\n'.join(out))
