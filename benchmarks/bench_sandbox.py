"""Benchmark: how fast and how small each expensive policy construct is stopped (issue #18's sandbox table).

Each construct runs as a real ``jobguard apply`` process (the command next to this interpreter); the table gives
the exit code, the error position, the wall time and the peak resident memory of that process until it stopped.
Goals: every construct stopped (exit 3, a ``FILE:LINE:COL`` error) within 1.5 s and 256 MB, start-up included;
the regex one answered (exit 1) just as fast. A trivial policy's row shows the start-up cost for comparison.

Run: ``python benchmarks/bench_sandbox.py [--only NAME]``. Exit 1 if any construct misses a goal.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOBGUARD = str(Path(sys.executable).with_name("jobguard"))
GOAL_SECONDS = 1.5
GOAL_MB = 256

NESTED = 'm = {"k": "v"}\nfor range(40) as i {\n  m = {"a": m, "b": m}\n}\n'

# name -> (policy source, --global arguments, expected exit code)
CASES: dict[str, tuple[str, list[str], int]] = {
    "startup (trivial policy)": ("main = rule { true }\n", [], 0),
    "regex backtracking (issue pattern)": (
        'main = rule { image matches "^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$" }\n',
        ["--global", 'image="' + "a" * 34 + '!"'], 1),
    "square a big integer 30 times": ("x = 3\nfor range(30) as i {\n  x = x * x\n}\nmain = rule { x > 0 }\n", [], 3),
    "double a string 40 times": ('s = "ab"\nfor range(40) as i {\n  s = s + s\n}\nmain = rule { true }\n', [], 3),
    "double a list 30 times": ("l = [1, 2]\nfor range(30) as i {\n  l = l + l\n}\nmain = rule { true }\n", [], 3),
    "double a list 40 times (+=)": ("l = [1, 2]\nfor range(40) as i {\n  l += l\n}\nmain = rule { true }\n", [], 3),
    "huge join (strings.join)": (
        'import "strings"\nl = map range(100000) as i { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }\n'
        's = strings.join(l, ",")\nmain = rule { length(strings.join([s, s, s, s, s, s, s, s], s)) > 0 }\n',
        [], 3),
    "replace amplification (strings.replace)": (
        'import "strings"\ns = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"\n'
        "for range(10) as i {\n  s = strings.replace(s, \"a\", s, -1)\n}\nmain = rule { true }\n", [], 3),
    "nested maps: 2**40 leaves, compared": (
        NESTED + 'n = {"k": "v"}\nfor range(40) as i {\n  n = {"a": n, "b": n}\n}\nmain = rule { m != n }\n',
        [], 1),
    "nested maps: printed": (NESTED + "main = rule { print(m) }\n", [], 3),
    "nested maps: json.marshal": ('import "json"\n' + NESTED + "main = rule { json.marshal(m) != \"\" }\n", [], 3),
    "deep nesting 1,000,000 levels, printed": (
        "m = {}\nfor range(1000000) as i {\n  m = {\"a\": m}\n}\nmain = rule { print(m) }\n", [], 3),
    "formatting: print a 1M-element list": ("l = range(1000000)\nmain = rule { print(l) }\n", [], 3),
    "many small values (map quantifier)": (
        "l = map range(1500000) as i { [i, i, i, i, i, i, i, i] }\nmain = rule { length(l) > 0 }\n", [], 3),
    "map growth by index assignment": (
        "m = {}\nfor range(2000) as i {\n  for range(1000) as j {\n    m[string(i) + \"-\" + string(j)] = j\n  }\n}\n"
        "main = rule { true }\n", [], 3),
    "runaway loop (step limit)": ("main = rule { all range(1500000) as i { all range(2) as j { true } } }\n", [], 3),
}

_POSITION = re.compile(r"b\.sentinel:(\d+):(\d+): (.*)")


def run(source: str, extra: list[str]) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, first error line) of one ``jobguard apply``. Called in a fresh helper
    process per case (see main), so the peak RSS of this process's children is that of the one ``apply``."""
    import resource

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "b.sentinel")
        path.write_text(source, encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run([JOBGUARD, "apply", str(path), *extra], capture_output=True, cwd=tmp, check=False)
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    text = (proc.stderr or proc.stdout).decode("utf-8", "replace")
    m = _POSITION.search(text)
    where = f"{m.group(1)}:{m.group(2)} {m.group(3)[:70]}" if m else ""
    return proc.returncode, elapsed, peak, where


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run only the cases whose name contains this text")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one case, print its row
    args = ap.parse_args()
    if args.one:
        source, extra, _ = CASES[args.one]
        code, elapsed, peak, where = run(source, extra)
        print(f"{code}\t{elapsed:.3f}\t{peak:.1f}\t{where}")
        return 0
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared; times include ~0.5-0.8 s of start-up)")
    print(f"{'construct':42s} {'exit':>4s} {'seconds':>8s} {'peak MB':>8s}  error")
    failed = 0
    for name, (_source, _extra, want) in CASES.items():
        if args.only and args.only not in name:
            continue
        # a fresh helper per case, so that ru_maxrss of its only child is that case's peak
        row = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
        code_s, elapsed_s, peak_s, where = (row.stdout.rstrip("\n").split("\t") + [""])[:4]
        code, elapsed, peak = int(code_s), float(elapsed_s), float(peak_s)
        ok = code == want and elapsed <= GOAL_SECONDS and peak <= GOAL_MB
        failed += not ok
        print(f"{name:42s} {code:4d} {elapsed:8.2f} {peak:8.1f}  {'' if ok else 'MISSED '}{where}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
