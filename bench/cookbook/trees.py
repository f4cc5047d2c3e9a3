#!/usr/bin/env python3
"""Generate the equivalent Python and Swift cookbook trees of the cookbook benchmark, and edit them.

usage: trees.py generate DIR GROUPS PER_GROUP   writes DIR/python/cookbooks/... and DIR/swift/...
       trees.py edit DIR LANG GROUP CB NONCE     rewrites the body of one cookbook (LANG = python | swift)

Both trees hold GROUPS x PER_GROUP trivial cookbooks `teamGG.cbCC` (one --value option, one log line):
Python uses Spicerack's module API (docstring/__title__, argument_parser(), run(args, spicerack)) in a
`cookbooks` package whose `__init__.py` files carry the group titles and owners; Swift uses a
SimpleCookbook per file and a `_group.yaml` per directory. `edit` changes the log line only (a body
change: the compiler has to recompile that file, nothing else), with NONCE in it so every edit is new.
"""
import os
import sys

PY_COOKBOOK = '''"""Trivial cookbook {cb:02d} of team {group:02d}."""
import argparse
import logging

__title__ = "Trivial cookbook {cb:02d} of team {group:02d}."

logger = logging.getLogger(__name__)


def argument_parser():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--value", default="x", help="A value.")
    return parser


def run(args, spicerack):
    logger.info("value %s{suffix}", args.value)
    return None
'''

SWIFT_COOKBOOK = '''import ArgumentParser
import Spicerack

struct Team{group:02d}Cb{cb:02d}: SimpleCookbook {{
    static let title = "Trivial cookbook {cb:02d} of team {group:02d}."

    struct Arguments: ParsableArguments {{
        @Option(help: "A value.") var value = "x"
    }}

    func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32? {{
        spicerack.logger.info("value \\(arguments.value){suffix}")
        return nil
    }}
}}
'''

PY_GROUP = '''"""Team {group:02d} cookbooks."""

__title__ = "Team {group:02d} cookbooks"
__owner_team__ = "team{group:02d}"
'''

SWIFT_GROUP = '''title: Team {group:02d} cookbooks
owner_team: team{group:02d}
'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as fh:
        fh.write(text)
    os.replace(tmp, path)


def py_path(root, group, cb):
    return os.path.join(root, 'python', 'cookbooks', 'team%02d' % group, 'cb%02d.py' % cb)


def swift_path(root, group, cb):
    return os.path.join(root, 'swift', 'team%02d' % group, 'cb%02d.swift' % cb)


def generate(root, groups, per_group):
    write(os.path.join(root, 'python', 'cookbooks', '__init__.py'), '"""Benchmark cookbooks."""\n')
    for group in range(groups):
        write(os.path.join(root, 'python', 'cookbooks', 'team%02d' % group, '__init__.py'), PY_GROUP.format(group=group))
        write(os.path.join(root, 'swift', 'team%02d' % group, '_group.yaml'), SWIFT_GROUP.format(group=group))
        for cb in range(per_group):
            write(py_path(root, group, cb), PY_COOKBOOK.format(group=group, cb=cb, suffix=''))
            write(swift_path(root, group, cb), SWIFT_COOKBOOK.format(group=group, cb=cb, suffix=''))


def edit(root, lang, group, cb, nonce):
    suffix = ' (edit %s)' % nonce
    if lang == 'python':
        write(py_path(root, group, cb), PY_COOKBOOK.format(group=group, cb=cb, suffix=suffix))
    elif lang == 'swift':
        write(swift_path(root, group, cb), SWIFT_COOKBOOK.format(group=group, cb=cb, suffix=suffix))
    else:
        raise SystemExit('trees.py: LANG must be python or swift')


def main(argv):
    if len(argv) == 4 and argv[0] == 'generate':
        generate(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 6 and argv[0] == 'edit':
        edit(argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
