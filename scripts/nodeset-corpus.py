#!/usr/bin/env python3
"""Generate the NodeSet golden corpus from the reference ClusterShell 1.9.3.

Regenerate with the reference virtualenv (ClusterShell 1.9.3 installed):

    /tmp/ref/venv/bin/python scripts/nodeset-corpus.py

It writes Tests/NodeSetTests/Corpus/nodeset-cases.json (path relative to the repository root, found from
this script's location). Everything is deterministic: random cases come from a fixed seed.

For a larger differential run that is not committed, use another seed, a scale factor for the random
sections and another output, then point the Swift tests at it:

    /tmp/ref/venv/bin/python scripts/nodeset-corpus.py --seed 7 --scale 10 --output /tmp/extra.json
    NODESET_EXTRA_CORPUS=/tmp/extra.json swift test --filter NodeSetTests

Case kinds (all carry "id"):
  expression  {"input": str}                      -> NodeSet(input) with groups disabled
  names       {"names": [str]}                    -> NodeSet._fromlist1(names): literal names, one axis per digit run
  operation   {"left": str, "op": str, "right": str}  op in union|intersection|difference|symmetric_difference
Results: {"folded": str(ns), "count": len(ns), "order": first ORDER_CAP nodes of iter(ns),
          "orderComplete": bool} or {"error": "<exception class>: <message>"} when ClusterShell raises.
"""

import json
import os
import random
import sys

from ClusterShell.NodeSet import NodeSet, RESOLVER_NOGROUP

import argparse

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = argparse.ArgumentParser(description="Generate the NodeSet golden corpus from ClusterShell.")
ARGS.add_argument("--seed", type=int, default=20240613)
ARGS.add_argument("--scale", type=int, default=1, help="multiplier for the random sections")
ARGS.add_argument("--output", default=os.path.join(HERE, "..", "Tests", "NodeSetTests", "Corpus",
                                                   "nodeset-cases.json"))
OPTIONS = ARGS.parse_args()
ORDER_CAP = 300
SEED = OPTIONS.seed
SCALE = OPTIONS.scale
OUTPUT = OPTIONS.output


def describe(ns):
    order = []
    for node in ns:
        if len(order) >= ORDER_CAP:
            break
        order.append(node)
    count = len(ns)
    return {"folded": str(ns), "count": count, "order": order, "orderComplete": count <= ORDER_CAP}


def run(fn):
    try:
        return describe(fn())
    except Exception as exc:  # ClusterShell raises several exception types (parse, range, assertion, value)
        return {"error": "%s: %s" % (type(exc).__name__, exc)}


def parse(text):
    return NodeSet(text, resolver=RESOLVER_NOGROUP)


cases = []
seen = set()


def add_expression(text):
    key = ("e", text)
    if key in seen:
        return
    seen.add(key)
    case = {"kind": "expression", "input": text}
    case.update(run(lambda: parse(text)))
    cases.append(case)


def add_names(names):
    key = ("n", tuple(names))
    if key in seen:
        return
    seen.add(key)
    case = {"kind": "names", "names": list(names)}
    case.update(run(lambda: NodeSet._fromlist1(names, resolver=RESOLVER_NOGROUP)))
    cases.append(case)


OPS = {
    "union": lambda a, b: a.union(b),
    "intersection": lambda a, b: a.intersection(b),
    "difference": lambda a, b: a.difference(b),
    "symmetric_difference": lambda a, b: a.symmetric_difference(b),
}


def add_operation(left, op, right):
    key = ("o", left, op, right)
    if key in seen:
        return
    seen.add(key)
    case = {"kind": "operation", "left": left, "op": op, "right": right}
    case.update(run(lambda: OPS[op](parse(left), parse(right))))
    cases.append(case)


# --- hand-picked syntax, ordering and folding cases -------------------------------------------------
HANDPICKED = [
    "", "   ", "host1", "host[1-5],host[6-10]&host[5-6]", " a , b ", "a,b,c", "host[1-3,5]",
    "rack[1-2]-node[01-03]", "[1-3]host", "10.0.[0-1].[1-2]", "10.0.0.1", "host[0]", "host[1-10/2]",
    "node[1-10/2]", "node[0-20/5]", "host1[0-3]", "host0[1-3]", "host[1-3]0", "host[1-3]00", "host1[1,3]",
    "host01[01-03]", "h[-3--1]", "node[-3--1]", "node-[-2-2]", "host[1-2-3]", "host[1-2-3-4]",
    "host[1-2-3-4-5]", "n1,n01,n001", "host[01-05]&host[1-5]", "host[01-05],host[1-5]", "n[9-11]",
    "n[1,01,10,001]", "x3,x4,x5,x00,x01,x02", "n[08-12]", "n[098-100]", "n[01-100]", "n[1-010]",
    "n[01-1]", "n[0-10]", "n[00-10]", "n[0-010]", "n[000-010]", "node[ 1 - 3 ]", "node[1 ,2]", "h[]",
    "h[1,,2]", "h[,]", "h[1-0]", "h[1-5/0]", "h[1-5/-1]", "h[5/2]", "h[5/1]", "h[1-5/]", "h[a]",
    "h[1-a]", "h[1-3!2]", "host[1-2][3-4]", "host]", "host[1-2]]", "a]b[1]", "host[1-3", "host[",
    "h[1]x]", "a,,b", "!a", "a!", ",a", "a,", "host1,", "a&", "^a", "a^b", "a&b", "a!b", "a,b!a",
    "h[1-10]!h[3-5]", "h[1-10]&h[5-15]", "h[1-10]^h[5-15]", "h[1-5],h[3-8]!h4", "h[]5", "g1[]5",
    "h1[]", "node[1-2]-ib0", "node1-ib0,node2-ib0,node1-ib1", "rack[1-2]-node[1-2]!rack1-node1",
    "a[1-3]b[1-2]!a2b1", "x[2000-2003]c[0-7]s[0-1]b[0-1]", "x[2000-2001]c[0-1]s[0-1]b[0-1]n[0-1]",
    "mw[1-3].eqiad.wmnet,mw[1-3].codfw.wmnet", "db1001.eqiad.wmnet", "x%y", "x%y[1-2]", "%s[1-2]",
    "100%", "h[1-3]x[1-2]y", "a b", "a b[1-2]", "h [1-2]", "h[1-2] ,x", "h[1-2], x", "h[1-2]0x",
    "h[1-4/2]0", "h[1-2]-[3-4]", "h[09-11]", "h0[9-11]", "h0[09-11]", "h1[-1-2]", "h0[-3--1]",
    "h[-1-2]0", "h[-05-1]", "h[-5-01]", "h[-0-00]", "h[+5]", "h[1_0]", "h[ 5 /1]", "h[05 /1]",
    "host99999999999", "host[1-99999999999]", "h@x", "@grp", "h*", "h?",
    "a-[1-2]-b-[3-4]-c-[5-6]-d-[7-8]", "[1-2]", "[1-2]-[3-4]", "1", "007", "0", "00", "0,00,000",
    "h[1-3],h[2-6],h[10-12]", "h[10-12]&h[11-13]!h12", "a1b2c3d4", "a1b2c3d4,a1b2c3d5,a1b3c3d4",
    "h[1-2]!h[1-2]", "h[1-2]&x[1-2]", "h[1-2]^h[1-2]", "rack[1-3]-node[1-3]!rack2-node2",
    "rack[1-3]-node[1-3]&rack[2-4]-node[2-4]", "rack[1-3]-node[1-3]^rack[2-4]-node[2-4]",
    "rack[1-4]-node[1-4]!rack[2-3]-node[2-3]", "a[1-2]b[1-2]c[1-2]!a1b1c1", "a[1-3]b[1-3]c[1-3]!a2b2c2",
    "a[1-2]b[1-2],a[3-4]b[3-4]", "a[1-2]b[1-2],a[2-3]b[2-3]", "a1b[1-3],a2b[2-4],a3b[1-4]",
    "n[1-3]-ib[0-1]!n2-ib0", "x[0-1]y[0-1]z[0-1]!x0y0z0!x1y1z1", "host[1,3,5-7,9]", "host[9,1,5]",
    "h[1-2],h[01-02],h[001-002]", "h[1-10/3]", "h[0-9/3]0", "h[1-3]-[01-02].[a]", "a,a,a", "A,a,B,b",
    "h-1,h-2", "node[1-1000]", "node[1-1000]!node[2-999]", "n[1-20/2]&n[1-20/3]",
]
for text in HANDPICKED:
    add_expression(text)

rng = random.Random(SEED)

# --- random 1-D expressions ------------------------------------------------------------------------
PREFIXES = ["host", "n", "db", "mw", "x", "node-", "cp", "a.b", "r1n", ""]
SUFFIXES = ["", "", "", ".eqiad.wmnet", "-ib0", "x", "-mgmt"]


def random_item(allow_negative=True):
    pad = rng.choice([0, 0, 0, 2, 3])
    a = rng.randint(0, 30)
    kind = rng.random()
    if pad:
        fmt = lambda v: "%0*d" % (pad, v)
    else:
        fmt = str
    if kind < 0.35:
        return fmt(a)
    b = a + rng.randint(0, 25)
    if kind < 0.8:
        return "%s-%s" % (fmt(a), fmt(b))
    if kind < 0.93:
        return "%s-%s/%d" % (fmt(a), fmt(b), rng.randint(1, 5))
    if allow_negative:
        return "-%d-%d" % (rng.randint(0, 5), rng.randint(-2, 4))
    return fmt(a)


def random_bracket():
    return ",".join(random_item() for _ in range(rng.randint(1, 4)))


def random_term_1d():
    pre = rng.choice(PREFIXES)
    suf = rng.choice(SUFFIXES)
    if rng.random() < 0.2:
        return "%s%d%s" % (pre, rng.randint(0, 40), suf)
    return "%s[%s]%s" % (pre, random_bracket(), suf)


for _ in range(170 * SCALE):
    expr = random_term_1d()
    for _ in range(rng.randint(0, 3)):
        expr += rng.choice(",,,!&^") + random_term_1d()
    add_expression(expr)

# --- random n-D expressions with set operators ----------------------------------------------------
ND_SHAPES = ["r%sn%s", "rack%s-node%s", "a%sb%sc%s", "x%sc%ss%sb%s", "10.%s.%s.%s", "p%s-q%s"]


def random_nd_term(shape, small=True):
    parts = []
    for _ in range(shape.count("%s")):
        if rng.random() < 0.35:
            parts.append(str(rng.randint(0, 6)))
        else:
            lo = rng.randint(0, 5)
            hi = lo + rng.randint(0, 4 if small else 9)
            item = "%d-%d" % (lo, hi)
            if rng.random() < 0.25:
                item += ",%d" % rng.randint(0, 12)
            parts.append("[%s]" % item)
    return shape % tuple(parts)


for _ in range(260 * SCALE):
    shape = rng.choice(ND_SHAPES)
    expr = random_nd_term(shape)
    for _ in range(rng.randint(1, 4)):
        other = shape if rng.random() < 0.85 else rng.choice(ND_SHAPES)
        expr += rng.choice(",,!!&^") + random_nd_term(other)
    add_expression(expr)

# --- literal name lists (fromlist style) ---------------------------------------------------------
for _ in range(40 * SCALE):
    k = rng.randint(1, 60)
    names = ["host%d" % rng.randint(0, 120) for _ in range(k)]
    names += ["host%0*d" % (rng.choice([2, 3]), rng.randint(0, 120)) for _ in range(rng.randint(0, 10))]
    rng.shuffle(names)
    add_names(names)

for _ in range(70 * SCALE):
    dim = rng.choice([2, 2, 2, 3, 3, 4])
    shape = {2: "rack%s-node%s", 3: "a%sb%sc%s", 4: "x%sc%ss%sb%s"}[dim]
    span = rng.choice([2, 3, 4, 6, 8]) if dim < 4 else rng.choice([2, 3])
    density = rng.random()
    names = []
    for point in __import__("itertools").product(*[range(span)] * dim):
        if rng.random() < density:
            names.append(shape % point)
    if not names:
        names = [shape % tuple([0] * dim)]
    rng.shuffle(names)
    add_names(names)

for _ in range(25 * SCALE):
    names = ["r%dn%d" % (rng.randint(0, 30), rng.randint(0, 30)) for _ in range(rng.randint(5, 80))]
    add_names(names)

for _ in range(20 * SCALE):
    names = ["r%0*dn%0*d" % (rng.choice([1, 2]), rng.randint(0, 12), rng.choice([1, 1, 3]), rng.randint(0, 12))
             for _ in range(rng.randint(3, 40))]
    add_names(names)

for _ in range(15 * SCALE):
    names = ["10.%d.%d.%d" % (rng.randint(0, 2), rng.randint(0, 3), rng.randint(0, 20))
             for _ in range(rng.randint(3, 50))]
    add_names(names)

for _ in range(15 * SCALE):
    names = []
    for _ in range(rng.randint(2, 40)):
        names.append(rng.choice(["mw%d.eqiad.wmnet", "mw%d.codfw.wmnet", "db%d", "cp%d-mgmt", "ms-be%d"])
                     % rng.randint(1000, 1030))
    names += rng.sample(["localhost", "a%b", " spaced ", "node-x", "n007", "n7"], 2)
    add_names(names)

add_names(["n1", "n01", "n001"])
add_names(["x2000c%ds%db%d" % (c, s, b) for c in range(8) for s in range(2) for b in range(2)])
add_names(["rack%d-node%d" % (r, n) for r in range(1, 4) for n in range(1, 4) if (r, n) != (2, 2)])

# --- set operations through the API --------------------------------------------------------------
for _ in range(90 * SCALE):
    if rng.random() < 0.5:
        left, right = random_term_1d(), random_term_1d()
        if rng.random() < 0.6:
            right = left.split("[")[0] + right[len(right.split("[")[0]):]
    else:
        shape = rng.choice(ND_SHAPES)
        left = random_nd_term(shape) + "," + random_nd_term(shape)
        right = random_nd_term(shape)
    add_operation(left, rng.choice(sorted(OPS)), right)

# --- random strings over the fuzz alphabet ------------------------------------------------------------
ALPHABET = "abc0123456789[]-,!&^/ %"
for _ in range(120 * SCALE):
    add_expression("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 14))))
for _ in range(60 * SCALE):
    base = random_term_1d()
    pos = rng.randint(0, len(base))
    add_expression(base[:pos] + rng.choice("[]-,!&^/ %0") + base[pos:])

for number, case in enumerate(cases):
    case["id"] = number

os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
with open(OUTPUT, "w") as handle:
    json.dump({"generator": "scripts/nodeset-corpus.py", "clustershell": "1.9.3", "seed": SEED,
               "orderCap": ORDER_CAP, "cases": cases}, handle, indent=1, sort_keys=True)
    handle.write("\n")
errors = sum(1 for case in cases if "error" in case)
print("wrote %d cases (%d errors) to %s" % (len(cases), errors, os.path.relpath(OUTPUT)), file=sys.stderr)
