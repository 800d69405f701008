#!/usr/bin/env python3
"""Benchmark: jobguard's full job load vs python-hcl2's own ``hcl2.loads`` on the same files, in the same run.

Prints files/s for both and the ratio (ours / python-hcl2; lower is better, the target is <= 1.5). Uses the shared
corpus when it is present (``--corpus DIR``, default ``/work/shared/corpus/jobs``), else the test fixtures.

    python benchmarks/bench_loader.py [--corpus DIR] [--rounds N] [--limit N]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "jobspec", "fixtures", "hcl")


def corpus_files(corpus: str, limit: int) -> list[str]:
    """HCL2 job files of the corpus that python-hcl2 itself can parse (per the corpus manifest)."""
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        return []
    out = []
    with open(manifest, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        fmt, ok = header.index("format"), header.index("pyhcl2_parse")
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if cols[fmt] == "hcl2" and cols[ok] == "ok":
                out.append(os.path.join(corpus, cols[0]))
    return out[:limit] if limit else out


def fixture_files() -> list[str]:
    return sorted(glob.glob(os.path.join(FIXTURES, "*.hcl")))


def load_all(texts: list[tuple[str, str]], loader) -> float:
    start = time.perf_counter()
    for name, text in texts:
        try:
            loader(text, name)
        except Exception:  # noqa: BLE001 - invalid inputs cost time too; the benchmark only measures
            pass
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="/work/shared/corpus/jobs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    import hcl2
    import hcl2.parser

    from jobguard.jobspec import JobspecError, load_text

    paths = corpus_files(args.corpus, args.limit) or fixture_files()
    if not paths:
        print("no job files found", file=sys.stderr)
        return 2
    texts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as fh:
            texts.append((os.path.basename(path), fh.read()))

    def ours(text: str, name: str) -> None:
        try:
            load_text(text, filename=name, env={})
        except JobspecError:
            pass

    def theirs(text: str, name: str) -> None:
        hcl2.loads(text)

    hcl2.parser.parser()  # build/load the Lark parser once, outside the timings
    ours(texts[0][1], texts[0][0])
    best_ours = best_theirs = float("inf")
    for _ in range(args.rounds):  # interleaved rounds; best of N damps noise from other processes
        best_theirs = min(best_theirs, load_all(texts, theirs))
        best_ours = min(best_ours, load_all(texts, ours))
    n = len(texts)
    print(f"files: {n} ({'corpus' if paths[0].startswith(args.corpus) else 'fixtures'})")
    print(f"python-hcl2 hcl2.loads: {best_theirs:.3f}s ({n / best_theirs:.0f} files/s)")
    print(f"jobguard load_text:     {best_ours:.3f}s ({n / best_ours:.0f} files/s)")
    print(f"ratio: {best_ours / best_theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
