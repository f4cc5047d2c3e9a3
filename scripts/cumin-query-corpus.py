#!/usr/bin/env python3
"""Record how the reference cumin evaluates a corpus of host queries.

Run with the interpreter that has cumin 6.0.0 and ClusterShell 1.9.3 installed:

    /tmp/ref/venv/bin/python scripts/cumin-query-corpus.py > Tests/CuminTests/Fixtures/QueryCases.swift

The output is a Swift file holding the corpus as a JSON string literal (the test target declares no resources). It
holds the aliases and the known_hosts file used, and one case per query and default backend with either
the folded host set (``str(NodeSet)``) or the error cumin raised, plus the known_hosts lines cumin discarded with a
warning. The Swift tests (Tests/CuminTests/QueryTests.swift) replay every case.
"""
import itertools
import json
import logging
import os
import random
import re
import sys
import tempfile

import cumin
from cumin.query import Query

ALIASES = {
    'web': 'D{web[1-3].example.org}',
    'db': 'D{db[1-2].example.org}',
    'all': 'A:web or A:db',
    'nested': '(A:all and not D{web2.example.org}) xor D{extra1}',
    'deep': 'A:nested or A:kh',
    'kh': 'K{kh-web*}',
    'Web': 'D{upper1}',
    'odd-name_1.x+y': 'D{odd1}',
    'broken-hosts': 'D{host[1-}',
    'broken-syntax': 'D{a b}',
    'dangling': 'A:nonexistent',
    'self': 'A:self',
    'ping': 'D{p1} or A:pong',
    'pong': 'A:ping',
    'bare': 'host1',
}

KNOWN_HOSTS = '''\
# a comment line
kh-web1.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1
kh-web2.example.org,kh-web2-alias.example.org,192.0.2.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA2
kh-web10.example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ3

kh-db1.example.org\tecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY4
[kh-port1.example.org]:2222,[kh-port2.example.org]:2200 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA5
|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM= ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ6
@cert-authority ca-host*.example.org,ca-host1.example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ7
@revoked revoked1.example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ8
@unknown-marker marker1.example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ9
short-line.example.org ssh-rsa
!negated1.example.org,kh-*.pattern.org,kh-?.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0
2001:db8::1,fe80::1%eth0,kh-db2.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1
kh-mixed01.example.org,kh-mixed1.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2
   kh-indented.example.org   ssh-ed25519   AAAAC3NzaC1lZDI1NTE5AAAAIB3
@cert-authority ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ4
'''

# Queries in the direct grammar, valid or not.
DIRECT = [
    'host1', 'host[1-3]', 'host[1-3,5]', ' host1 ', 'host1\nor host2', 'host1\tor\thost2', 'host1\r\nor host3',
    'host[1-5] or host[6-10] and host[5-6]', 'host[1-5] and not host[2-3]', 'host[1-5] xor host[4-8]',
    'host[1-5] and host[3-9]', 'host[1-5] and not host[2-3] or host9', 'host[1-3] or (host[5-6] and host6)',
    '(host[1-5] or host[6-10]) and (host[5-6] or host1)', '((host1))', '(((host[1-4] and not host2)))',
    'host1 AND host1', 'host1 Or host2', 'host[1-3] XOR host3', 'host[1-3] AND NOT host3', 'host[1-3] And Not host1',
    'host[1-3] and  not host3', 'host[1-3] and\tnot host3', 'host[1-3] andnot host3', 'host[1-3] and notx',
    'host[1-3] and not', 'host[1-3] and  not', 'not host1', 'host1 not host2',
    'android1 or order1 or xorg1', 'ANDROID1 and android1', 'or1 and or1', 'and', 'or host1', 'host1 or',
    'host1 or or', 'host1 host2', 'host1 (host2)', '(host1', 'host1)', '()', '(host1) or (host2', 'host1 or(host2)',
    '(host1)or(host2)', 'host1 or-b', 'host1 and-b', 'and-b', 'or.example.com', 'xor_1 or xor1', 'AND[1-2]',
    'host1,host2', 'host[1-3]!host2', 'host[1-3]&host[2-4]', 'host[1-3]^host[2-4]', 'host[1-5],host[6-10]&host[5-6]',
    'rack[1-2]-node[01-03]', 'host1[0-3]', 'host0[1-3]', 'host[1-3]0', 'host[01-05] and host[1-5]',
    'n1,n01,n001', '10.0.[0-1].[1-2]', 'a[1-3]b[1-2]!a2b1', 'host-[1-2].example.org', 'Host1 or host1',
    'host[1-10/2]', 'host*', 'host?', 'host@x', 'host%1', 'host:1', 'host+1', 'host/1', '"host1"', "'host1'",
    'host[1-3', 'host]', 'host[1-2][3-4]', 'host1,,host2', ',host1', 'host1,', 'host[3-1]', 'host[01-1]', 'host[]',
    'host[a-b]', 'h[1-3!2]', '!host1', 'host1!', 'host[1-2-3]', 'node[-3--1]',
    '', '   ', 'host1 or host2 and host3 xor host1 and not host2',
    'a or b or c or d or e or f and g', 'x' * 300,
]

# Queries in the global grammar (also tried with the direct default backend, where they fall back).
GLOBAL = [
    'D{host1}', 'd{host1}', 'D{ host1 }', 'D{host1 or host2}', 'D{host1}or D{host2}', 'D{host1}orD{host2}',
    'D{host1} or D{host2}', 'D{host[1-5]} or D{host[6-10]} and D{host[5-6]}', '(D{host1} or D{host2}) and D{host2}',
    'D{host[1-5]} and not (D{host2} or D{host4})', 'D{host[1-3]} XOR D{host[2-4]}', 'D{host[1-3]} AND NOT D{host2}',
    'D {host1}', 'D{D{a}}', 'D{a K{b}}', 'D{}', 'D{ }', 'D{host1', 'D{host1}}', 'D{"a}b"}', "D{h'}", 'D{host1 host2}',
    'D{host[1-3}', 'D{(host1 or host2) and host2}', 'D{host1 and  not host1}', 'D{host1}\nand\nD{host1}',
    'D{host1} or host2', 'host2 or D{host1}', 'D{host1} or (host2)', 'X{host1}', 'O{host1}', 'P{F:a = b}',
    'D{host1} or P{R:Class = x}', 'A:web', 'a:web', 'A:Web', 'A:web or A:db', 'A:all', 'A:nested', 'A:deep',
    'A:web and not D{web2.example.org}', 'A:web or host1', 'host1 or A:web', '(A:web) xor (A:all)',
    'A:odd-name_1.x+y', 'A:nonexistent', 'A:dangling', 'A:broken-hosts', 'A:broken-syntax', 'A:self', 'A:ping',
    'A:bare', 'A:', 'A :web', 'A: web', 'B:web', 'A:web}', 'D{host1} A:web', 'D{host1} and', '(D{host1}',
    'D{host1})', '(A:web or (A:db and (D{db1.example.org} or D{x})))',
    'K{*}', 'K{kh-web*}', 'K{kh-web?.example.org}', 'K{kh-web[1-2]*}', 'K{*.example.org and not kh-web*}',
    'K{unknown1}', 'K{kh-db1.example.org,unknown}', 'K{kh-*!kh-web1*}', 'K{kh-web1*&*.org}', 'K{*1*}', 'K{?}',
    'K{192.0.2.10}', 'K{negated1.example.org}', 'K{ca-host*}', 'K{revoked*}', 'K{marker*}', 'K{short*}',
    'K{kh-port*}', 'K{kh-*.pattern.org}', 'K{kh-db[1-2].example.org}', 'K{kh-mixed[1,01].example.org}',
    'K{kh-mixed0?.example.org}', 'K{kh-indented*}', 'K{*} and D{kh-web1.example.org}', 'K{kh-web*} xor A:kh',
    'K{kh-web1.example.org or kh-db*}', 'K{kh-web[1-2}', 'K{kh-*,,x}', 'K{kh-web* and}', 'K{kh-web1*} or D{x1}',
    'A:kh', 'K{*2*} and not K{*db*}', 'K{**}', 'K{kh-web1*.example.org}', 'K{KH-WEB1*}', 'K{kh-web[1-10]*}',
]

# Precedence-free evaluation: every pair of operators over three overlapping atoms.
ATOMS = ['h[1-4]', 'h[3-6]', 'h[2-5]']
OPERATORS = ['and', 'or', 'and not', 'xor']
GENERATED = []
for first, second in itertools.product(OPERATORS, repeat=2):
    GENERATED.append('{} {} {} {} {}'.format(ATOMS[0], first, ATOMS[1], second, ATOMS[2]))
    GENERATED.append('D{{{}}} {} D{{{}}} {} D{{{}}}'.format(ATOMS[0], first, ATOMS[1], second, ATOMS[2]))
    GENERATED.append('{} {} ({} {} {})'.format(ATOMS[0], first, ATOMS[1], second, ATOMS[2]))

# Queries for `default_backend: knownhosts` (cumin's --backend knownhosts).
KNOWNHOSTS_DEFAULT = [
    'kh-web*', 'kh-web* and not kh-web1*', 'D{x1}', 'K{kh-db*}', 'unknown', 'kh-web[1-2', '*', 'kh-db1.example.org',
    'kh-web* or D{x1}', 'A:web', '(kh-db* xor kh-db1*)',
]


def random_queries(count, seed):
    """Grammar-shaped random queries with occasional one-character mutations (fixed seed)."""
    rng = random.Random(seed)
    atoms = ['h1', 'h[1-3]', 'h[2-4]', 'h[1-3]!h2', 'web1', 'x[01-02]', 'h[1-2],h5', 'h[3-1]', 'h[1-']
    globals_ = ['D{h[1-3]}', 'D{h2 or h4}', 'A:web', 'A:all', 'K{kh-web*}', 'K{*1*}', 'D{h[1-2] and not h1}']
    noise = list('DKA{}():[]-,!&^*? \t"\'') + ['and', 'or', 'xor', 'not', 'and not', 'AND', 'Or']

    def expression(depth, items):
        parts = []
        for index in range(rng.randint(1, 4)):
            if index:
                parts.append(rng.choice([' and ', ' or ', ' xor ', ' and not ', ' AND NOT ', ' Or ']))
            if depth < 3 and rng.random() < 0.25:
                parts.append('(' + expression(depth + 1, items) + ')')
            else:
                parts.append(rng.choice(items))
        return ''.join(parts)

    queries = []
    while len(queries) < count:
        query = expression(0, atoms if rng.random() < 0.5 else globals_)
        if rng.random() < 0.4:
            position = rng.randint(0, len(query))
            if rng.random() < 0.5 and position < len(query):
                query = query[:position] + query[position + 1:]
            else:
                query = query[:position] + rng.choice(noise) + query[position:]
        queries.append(query)
    return queries


class WarningCollector(logging.Handler):
    """Collect the line numbers of the known_hosts lines cumin discards."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = set()

    def emit(self, record):
        match = re.match(r'Discarded invalid line (\d+)', record.getMessage())
        if match:
            self.lines.add(int(match.group(1)))


def run(config, query):
    collector = WarningCollector()
    logger = logging.getLogger('cumin')
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    try:
        hosts = Query(config).execute(query)
        result = {'hosts': str(hosts)}
    except Exception as error:  # pylint: disable=broad-except - every failure is an expected outcome here
        result = {'error': '{}: {}'.format(type(error).__name__, str(error).splitlines()[0] if str(error) else '')}
    finally:
        logger.removeHandler(collector)
    result['discardedLines'] = sorted(collector.lines)
    return result


def main():
    sys.setrecursionlimit(200)  # alias cycles end in RecursionError; keep them quick
    with tempfile.TemporaryDirectory() as directory:
        known_hosts = os.path.join(directory, 'known_hosts')
        with open(known_hosts, 'w', encoding='utf8') as handle:
            handle.write(KNOWN_HOSTS)
        base = {'transport': 'clustershell', 'aliases': ALIASES, 'knownhosts': {'files': [known_hosts]}}
        cases = []
        randomized = random_queries(200, 1)
        groups = (
            ('direct', DIRECT + GLOBAL + GENERATED + randomized),
            (None, GLOBAL + DIRECT[:12] + GENERATED + randomized),
            ('knownhosts', KNOWNHOSTS_DEFAULT),
        )
        for backend, queries in groups:
            config = dict(base)
            if backend:
                config['default_backend'] = backend
            for query in queries:
                case = {'query': query, 'defaultBackend': backend}
                case.update(run(config, query))
                cases.append(case)
    corpus = json.dumps({
        'generator': 'scripts/cumin-query-corpus.py',
        'cumin': cumin.__version__,
        'aliases': ALIASES,
        'knownHosts': KNOWN_HOSTS,
        'cases': cases,
    }, indent=1, sort_keys=True)
    if '"""#' in corpus:
        sys.exit('the corpus contains the Swift raw string delimiter \'"""#\'; change the queries')
    sys.stdout.write('// Generated by scripts/cumin-query-corpus.py from cumin {}; do not edit.\n'.format(cumin.__version__))
    sys.stdout.write('// swift-format-ignore-file\n\n')
    sys.stdout.write('/// How the reference cumin evaluated the query corpus (JSON), replayed by QueryTests.swift.\n')
    sys.stdout.write('let queryCasesJSON = #"""\n{}\n"""#\n'.format(corpus))


if __name__ == '__main__':
    main()
