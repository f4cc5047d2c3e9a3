#!/usr/bin/env python3
"""Fold benchmark helpers (run with the venv's python, which has ClusterShell).

  fold_py.py names N FILE          write N shuffled 1-D names host1..hostN (seed 1), one per line
  fold_py.py time FILE [REPS]      in-process ClusterShell timing: NodeSet.fromlist(names) + str(),
                                   interpreter start and file reading excluded; prints one JSON line
                                   and writes the folded string to FILE.clustershell
"""
import json
import random
import statistics
import sys
import time


def names(n, path):
    lst = ['host%d' % i for i in range(1, n + 1)]
    random.Random(1).shuffle(lst)
    with open(path, 'w') as f:
        f.write('\n'.join(lst) + '\n')


def timing(path, reps):
    from ClusterShell.NodeSet import NodeSet, RESOLVER_NOGROUP
    with open(path) as f:
        lst = f.read().split()
    runs, cpus = [], []
    folded = None
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        folded = str(NodeSet.fromlist(lst, resolver=RESOLVER_NOGROUP))
        runs.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    with open(path + '.clustershell', 'w') as f:
        f.write(folded + '\n')
    print(json.dumps({'tool': 'clustershell-inproc', 'names': len(lst), 'reps': reps,
                      'median_s': round(statistics.median(runs), 5), 'min_s': round(min(runs), 5),
                      'cpu_median_s': round(statistics.median(cpus), 5),
                      'runs_s': [round(x, 5) for x in runs]}), flush=True)


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'names':
        names(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'time':
        timing(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    else:
        sys.exit(__doc__)
