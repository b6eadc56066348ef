#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench` run, and the decision's ratio to its floor.

Usage: python3 perf/ratios.py [CRITERION_DIR]
CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else target/criterion.

Criterion writes, per benchmark, `<dir>/new/benchmark.json` (its id) and `<dir>/new/estimates.json`
(its statistics); the median's point estimate is the figure used here. In the `decide/N`
groups every case `C/decide/rR` is divided by `C/hashmap_floor/rR`, measured just before it in
the same run, on the same store size, in round R; the ratio shown is the median over the
rounds, and the times are the medians over the rounds of criterion's medians.
"""

import json
import os
import statistics
import sys
from pathlib import Path

DECISION_TARGET = 2.0
SCALING_TARGET = 3.0


def medians(root: Path) -> dict:
    found = {}
    for meta in root.glob("**/new/benchmark.json"):
        estimates = meta.parent / "estimates.json"
        if not estimates.exists():
            continue
        full_id = json.loads(meta.read_text())["full_id"]
        found[full_id] = json.loads(estimates.read_text())["median"]["point_estimate"]
    return found


def fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def main() -> int:
    if len(sys.argv) > 1:
        root = Path(sys.argv[1])
    else:
        target = os.environ.get("CARGO_TARGET_DIR", "target")
        root = Path(target) / "criterion"
    found = medians(root)
    if not found:
        print(f"no criterion results under {root}", file=sys.stderr)
        return 1

    rounds = {}
    for full_id, ns in found.items():
        parts = full_id.split("/")
        # decide/<size>/<case>/<decide|hashmap_floor>/r<round>/<size>
        if parts[0] == "decide" and len(parts) == 6 and parts[4].startswith("r"):
            key = (int(parts[1]), parts[2])
            rounds.setdefault(key, {}).setdefault(parts[4], {})[parts[3]] = ns
    if rounds:
        print("Decision (ratio = decide / bare HashMap<String, _> lookup of the same key, measured")
        print("just before it in the same run; median over rounds of each round's ratio)")
        print(
            f"{'images':>9}  {'case':<16} {'decide':>10} {'floor':>10} {'ratio':>6} "
            f"{'rounds':>7}  target <= 2x"
        )
        worst = 0.0
        for (size, case), by_round in sorted(rounds.items()):
            pairs = [p for p in by_round.values() if "decide" in p and "hashmap_floor" in p]
            if not pairs:
                continue
            ratio = statistics.median(p["decide"] / p["hashmap_floor"] for p in pairs)
            decide = statistics.median(p["decide"] for p in pairs)
            floor = statistics.median(p["hashmap_floor"] for p in pairs)
            worst = max(worst, ratio)
            verdict = "met" if ratio <= DECISION_TARGET else f"missed by {ratio - DECISION_TARGET:.2f}x"
            print(
                f"{size:>9}  {case:<16} {fmt_ns(decide):>10} {fmt_ns(floor):>10} "
                f"{ratio:>5.2f}x {len(pairs):>7}  {verdict}"
            )
        print(f"worst ratio: {worst:.2f}x")

    apply = sorted(
        (full_id, ns) for full_id, ns in found.items() if full_id.startswith("apply/")
    )
    if apply:
        print()
        print("Apply (median per DeleteImage)")
        for full_id, ns in sorted(apply, key=lambda p: (p[0].split("/")[1], int(p[0].split("/")[2]))):
            print(f"  {full_id:<24} {fmt_ns(ns):>10}")
        by = {full_id: ns for full_id, ns in apply}
        sizes = sorted(int(k.split("/")[2]) for k in by if k.startswith("apply/delete/"))
        if len(sizes) > 1:
            small, large = by[f"apply/delete/{sizes[0]}"], by[f"apply/delete/{sizes[-1]}"]
            print(f"  delete at {sizes[-1]} images / at {sizes[0]}: {large / small:.2f}x")
        if "apply/forced/1" in by and "apply/forced/1000" in by:
            ratio = by["apply/forced/1000"] / by["apply/forced/1"]
            print(f"  forced K=1000 / K=1: {ratio:.0f}x (O(K): at most ~1000x)")

    # describe/<case>/<size>: each case at the largest size over the same case at the smallest.
    cases = {}
    for full_id, ns in found.items():
        parts = full_id.split("/")
        if parts[0] == "describe" and len(parts) == 3:
            cases.setdefault(parts[1], {})[int(parts[2])] = ns
    if cases:
        print()
        print("Describe and DryRun (ratio = median at the largest store / at the smallest, same run)")
        worst = 0.0
        for case, by_size in sorted(cases.items()):
            sizes = sorted(by_size)
            small, large = by_size[sizes[0]], by_size[sizes[-1]]
            ratio = large / small
            worst = max(worst, ratio) if len(sizes) > 1 else worst
            verdict = "met" if ratio <= SCALING_TARGET else f"missed ({ratio:.2f}x)"
            print(
                f"  {case:<28} {sizes[0]:>8}: {fmt_ns(small):>10}  {sizes[-1]:>8}: "
                f"{fmt_ns(large):>10}  {ratio:>6.2f}x  {verdict}"
            )
        print(f"worst ratio: {worst:.2f}x (target <= {SCALING_TARGET:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
