#!/usr/bin/python3
"""Measures dumas_log's throughput on one core: the RFC 9162 root of a
million synthetic leaves (root_from_leaves and CompactRange), and the
recomputation of a million leaves from dumas.v1.Change messages (from parsed
messages, and from their wire bytes as a feed consumer receives them).

    PYTHONPATH=build/clients/python:tests/python /usr/bin/python3 \\
        tests/python/dumas_log_bench.py [--leaves=1000000]

A measurement, not a test: nothing here has a pass mark.
"""

import argparse
import hashlib
import time

import dumas_log as log
from dumas.v1 import integration_service_pb2 as isvc
from fake_integration_service import synthetic_change


def rate(label, n, seconds):
    print(f"{label:<58} {n:>9} in {seconds:6.2f}s  {n / seconds:>11,.0f}/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=3000,
                        help="distinct synthetic changes, cycled")
    args = parser.parse_args()
    n = args.leaves

    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
    began = time.perf_counter()
    root = log.root_from_leaves(leaves)
    rate("root_from_leaves (leaf hashes -> root)", n, time.perf_counter() - began)

    began = time.perf_counter()
    compact = log.CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    assert compact.root() == root
    rate("CompactRange.append (the mirror's path, nodes reported)", n,
         time.perf_counter() - began)
    del leaves

    pool = [synthetic_change(i) for i in range(args.pool)]
    wire = [c.SerializeToString() for c in pool]
    print(f"synthetic changes: {sum(map(len, wire)) / len(wire):.0f} bytes on the wire "
          "on average")
    began = time.perf_counter()
    for i in range(n):
        log.leaf_hash(pool[i % args.pool])
    rate("leaf_hash(change) (entry encoding + SHA-256)", n, time.perf_counter() - began)

    began = time.perf_counter()
    tree = log.CompactRange()
    for i in range(n):
        change = isvc.Change.FromString(wire[i % args.pool])
        tree.append(log.leaf_hash(change))
    tree.root()
    rate("parse + leaf_hash + tree (a feed consumer's CPU per change)", n,
         time.perf_counter() - began)


if __name__ == "__main__":
    main()
