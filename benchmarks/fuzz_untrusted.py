#!/usr/bin/env python3
"""Fuzz: ``jobguard check`` on generated hostile job files, one real CLI process per file.

Writes a throw-away checkout (a ``.git`` marker, templates, a 2 MiB file, a FIFO, a symlink loop, a symlink out of
the checkout) next to a canary file outside it, generates ``--count`` hostile job files from a fixed ``--seed``
(the same files every run), checks each with ``jobguard check --no-cache --format json --jobs 1`` and reports:

* tracebacks (goal 0), exit code 3 (goal 0), any exit code other than 2 for a file built to be rejected;
* runs over the time budget: CPU time of the process above ``--file-timeout`` plus start-up, or wall time above
  ``--wall`` (goal 0); and how many files the time budget itself stopped (the budget is a backstop: goal 0 too);
* the canary's content in any output (goal 0: file functions are confined to the checkout);
* peak memory (maximum resident set of one run) and the slowest runs.

    python benchmarks/fuzz_untrusted.py [--count 1000] [--seed 17] [--parallel 2] [--keep DIR]

Exit status 1 when a goal is missed. Deterministic: the generator uses ``random.Random(seed)`` only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CANARY = "CANARY-9f1c2e-outside-the-checkout"
JOB = '''job "fuzz" {{
  datacenters = ["dc1"]
  group "g" {{
    count = 1
    task "t" {{
      driver = "docker"
      config {{
        image = "registry.example.com/app:1.0"
        args  = [{value}]
      }}
      env {{
        VALUE = {value2}
      }}
      resources {{
        cpu    = 100
        memory = 128
      }}
    }}
  }}
}}
'''


# -- generators: each returns (file name suffix, text) for one hostile file ----------------------------------------

def _job(value: str, value2: str = '"x"') -> str:
    return JOB.format(value=value, value2=value2)


def _big(r: random.Random) -> int:
    return r.choice([10 ** r.randint(6, 12), 2 ** r.randint(20, 40), int("9" * r.randint(7, 30))])


def g_format(r: random.Random) -> str:
    verb = r.choice("dsfexXqvgbo")
    flags = r.choice(["", "-", "0", "+", "#", " "])
    width = str(_big(r)) if r.random() < 0.7 else ""
    prec = "." + str(_big(r)) if r.random() < 0.5 or not width else ""
    arg = {"s": '"a"', "q": '"a"', "v": "[1, 2]"}.get(verb, "1.5" if verb in "feEgG" else "7")
    call = f'format("%{flags}{width}{prec}{verb}", {arg})'
    if r.random() < 0.3:
        call = f'formatlist("%{flags}{width}{verb}", [for i in range({r.randint(1, 1024)}) : {arg}])'
        call = f"join(\",\", {call})"
    if r.random() < 0.2:
        call = f'"%{{ for i in range(1024) }}${{format("%{r.randint(1000, 99999)}d", i)}}%{{ endfor }}"'
    return _job(f"{call}")


def g_nesting(r: random.Random) -> str:
    depth = r.choice([101, 150, 1000, 5000, 20000, 100000])
    kind = r.choice(["list", "paren", "object", "call", "template", "plus", "not", "cond", "attr", "mixed",
                     "directive", "heredoc"])
    if kind == "list":
        value = "[" * depth + "1" + "]" * depth
    elif kind == "paren":
        value = "(" * depth + "1" + ")" * depth
    elif kind == "object":
        value = "{a = " * depth + "1" + "}" * depth
    elif kind == "call":
        value = "abs(" * depth + "1" + ")" * depth
    elif kind == "template":
        value = '"${' * depth + "1" + '}"' * depth
    elif kind == "plus":
        value = " + ".join(["1"] * depth)
    elif kind == "not":
        value = "!" * depth + "true"
    elif kind == "cond":
        value = "true ? " * depth + "1" + " : 2" * depth
    elif kind == "attr":
        value = "{a = 1}" + ".a" * depth
    elif kind == "directive":
        value = '"' + "%{ if true }" * depth + "x" + "%{ endif }" * depth + '"'
    elif kind == "heredoc":
        value = "<<EOT\n" + "${" * depth + "1" + "}" * depth + "\nEOT\n"
    else:
        opens = [r.choice("[({") for _ in range(depth)]
        closes = {"[": "]", "(": ")", "{": "}"}
        inner = "1"
        value = ""
        for o in opens:
            value += o + ("a = " if o == "{" else "")
        value += inner + "".join(closes[o] for o in reversed(opens))
    if r.random() < 0.3:  # the blocks themselves
        body = "a {\n" * depth + "}\n" * depth
        return _job('"x"').replace("config {", "config {\n" + body, 1)
    return _job(value)


def g_range(r: random.Random) -> str:
    n = r.choice([1024, 10 ** 6, 10 ** 9, 2 ** 40])
    levels = r.randint(1, 4)
    expr = "i0"
    for level in range(levels):
        expr = f"[for i{level} in range({min(n, 1024) if level else n}) : {expr if level else 'i0'}]"
    return _job(f"length(flatten({expr}))")


def g_bcrypt(r: random.Random) -> str:
    cost = r.choice([12, 13, 14, 20, 31, 32, 99])
    if r.random() < 0.5:
        return _job(f'bcrypt("x", {cost})')
    return _job(f'join(",", [for i in range({r.randint(20, 1024)}) : bcrypt("x{{i}}", {r.randint(10, 12)})])')


def g_files(r: random.Random) -> str:
    target = r.choice(["/etc/passwd", "../outside/secret.txt", "../../etc/hostname", "/proc/self/environ",
                       "/dev/zero", "/dev/urandom", "link-out", "fifo", "big.bin", "~/.bashrc",
                       "tpl/../../outside/secret.txt", "loop/loop/loop/../../../outside/secret.txt"])
    fn = r.choice(["file", "filebase64", "fileexists", "file"])
    if r.random() < 0.3:
        base, pattern = r.choice([("/", "**"), (".", "**"), ("..", "**/*"), ("/etc", "*"), (".", "loop/**"),
                                  (".", "/".join(["**"] * r.randint(5, 60)) + "/nope"),
                                  ("tpl", "../../outside/*"), ("/proc", "*/environ")])
        return _job(f'join(",", fileset("{base}", "{pattern}"))')
    call = f'{fn}("{target}")'
    if fn == "fileexists":
        call = f'"${{{call}}}"'
    return _job(call)


def g_decode(r: random.Random) -> str:
    kind = r.choice(["json-deep", "yaml-deep", "yaml-bomb", "yaml-cycle", "json-num", "yaml-chain"])
    depth = r.choice([101, 500, 5000, 50000])
    if kind == "json-deep":
        doc = r.choice(["[", '{"a":']) * depth
        return _job(f"jsonencode(jsondecode({json.dumps(doc)}))")
    if kind == "yaml-deep":
        return _job(f"jsonencode(yamldecode({json.dumps('[' * depth + ']' * depth)}))")
    if kind == "yaml-bomb":
        width = r.randint(5, 12)
        lines = ["a0: &a0 [x]"]
        for i in range(1, r.randint(5, 12)):
            lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
        return _job(f"length(yamldecode({json.dumps(chr(10).join(lines))}))")
    if kind == "yaml-cycle":
        return _job('jsonencode(yamldecode("a: &a [*a]"))')
    if kind == "yaml-chain":
        lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, depth)]
        return _job(f"length(yamldecode({json.dumps(chr(10).join(lines))}))")
    return _job(f'jsondecode("1e{r.randint(5000, 999999999)}")')


def g_strings(r: random.Random) -> str:
    big = f'format("%{r.randint(500000, 2000000)}s", "é")' if r.random() < 0.5 else \
        f'join("", [for i in range(1024) : "{"ab" * r.randint(100, 1000)}"])'
    kind = r.choice(["replace", "replace-empty", "indent", "join", "strrev", "strlen", "upper", "template",
                     "setproduct", "distinct", "title", "base64", "regex"])
    if kind == "replace":
        value = f'replace({big}, " ", "{"x" * r.randint(2, 500)}")'
    elif kind == "replace-empty":
        value = f'replace("{"a" * r.randint(100, 5000)}", "", {big})'
    elif kind == "indent":
        value = f'indent({_big(r)}, "a\\nb\\nc")'
    elif kind == "join":
        value = f'join({big}, [for i in range(1024) : "x"])'
    elif kind == "strrev":
        value = f'join("", [for i in range({r.randint(2, 64)}) : strrev({big})])'
    elif kind == "strlen":
        value = f'"${{max([for i in range({r.randint(2, 64)}) : strlen({big})]...)}}"'
    elif kind == "upper":
        value = f'upper(upper(upper({big})))'
    elif kind == "template":
        value = f'"%{{ for i in range(1024) }}${{{big}}}%{{ endfor }}"'
    elif kind == "setproduct":
        value = "length(setproduct(" + ", ".join(["range(1024)"] * r.randint(2, 5)) + "))"
    elif kind == "distinct":
        value = "length(distinct(flatten([for i in range(1024) : [for j in range(200) : i * j]])))"
    elif kind == "title":
        value = f'title(title({big}))'
    elif kind == "base64":
        times = r.randint(2, 12)
        value = "base64encode(" * times + big + ")" * times
    else:
        value = f'regex_replace({big}, "", "{"y" * r.randint(10, 300)}")'
    return _job(value)


def g_numbers(r: random.Random) -> str:
    kind = r.choice(["literal", "exp", "squares", "parseint", "pow"])
    if kind == "literal":
        return _job('"${' + "9" * r.randint(4001, 200000) + '}"')
    if kind == "exp":
        return _job(f'"${{1e{r.randint(5000, 999999999)} + 1}}"')
    if kind == "parseint":
        return _job(f'"${{parseint("{"f" * r.randint(5000, 500000)}", 16)}}"')
    if kind == "pow":
        return _job(f'"${{pow(10, {_big(r)})}}"')
    last = r.randint(12, 40)
    lines = ["locals {", "  a0 = 99999999999999999999"] + [f"  a{i} = local.a{i - 1} * local.a{i - 1}"
                                                           for i in range(1, last + 1)] + ["}"]
    return "\n".join(lines) + "\n" + _job(f'"${{local.a{last} > 0}}"')


def g_locals(r: random.Random) -> str:
    n = r.choice([150, 1000, 5000, 20000])
    if r.random() < 0.5:  # a value one level deeper per local
        lines = ["  a0 = 1"] + [f"  a{i} = [local.a{i - 1}]" for i in range(1, n)]
    else:  # written in reverse dependency order: a pass over the remaining locals per local
        lines = [f"  a{i} = local.a{i + 1}" for i in range(n - 1)] + [f"  a{n - 1} = 1"]
    return "locals {\n" + "\n".join(lines) + "\n}\n" + _job("local.a0")


def g_dynamic(r: random.Random) -> str:
    n = r.choice([10 ** 6, 2 ** 30])
    inner = f"range({min(n, 1024)})"
    return _job('"x"').replace("resources {", f'''dynamic "volume_mount" {{
        for_each = flatten([for i in range(1024) : {inner}])
        content {{
          volume      = "v${{volume_mount.value}}"
          destination = "/d"
        }}
      }}
      resources {{''', 1)


def g_size(r: random.Random) -> str:
    if r.random() < 0.5:
        return _job('"x"').replace("env {", "env {\n" + "".join(f"  K{i} = \"{'v' * 40}\"\n"
                                                                 for i in range(r.randint(25000, 60000))), 1)
    return _job('"' + "x" * r.randint(1_100_000, 3_000_000) + '"')


def g_shared(r: random.Random) -> str:
    """A long string repeated by reference: cheap to build, huge once printed."""
    return ("locals {\n  big = format(\"%100000s\", \"x\")\n}\n"
            + _job(r.choice(["jsonencode([for i in range(1024) : local.big])",
                             'format("%v", [for i in range(1024) : local.big])',
                             "yamlencode([for i in range(64) : local.big])",
                             "[for i in range(1024) : local.big]"]),
                   value2=r.choice(['"${jsonencode([for i in range(1024) : local.big])}"', "local.big"])))


def g_api_json(r: random.Random) -> str:
    depth = r.choice([101, 5000, 100000])
    opener, closer = r.choice([("[", "]"), ('{"a":', "}")])
    deep = opener * depth + "1" + closer * depth
    if r.random() < 0.3:  # HCL's JSON syntax
        return '{"job": {"fuzz": {"group": {"g": {"task": {"t": {"driver": "docker", "config": {"x": ' + deep + \
               '}}}}}}}}'
    return ('{"Job": {"ID": "fuzz", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker", '
            '"Config": {"x": ' + deep + '}}]}]}}')


def g_mutant(r: random.Random) -> str:
    """A valid job with random bytes flipped, cut or repeated: the parser's error paths."""
    text = _job('"a", "b"')
    for _ in range(r.randint(1, 8)):
        i = r.randrange(len(text))
        op = r.random()
        if op < 0.4:
            text = text[:i] + r.choice('{}[]()"$%\\\n=,.?:!~#/*<-') + text[i + 1:]
        elif op < 0.7:
            text = text[:i]
        else:
            j = min(len(text), i + r.randint(1, 40))
            text = text[:i] + text[i:j] * r.randint(2, 2000) + text[j:]
    return text


def g_secrets(r: random.Random) -> str:
    """Values built to make the secret scanners backtrack: long runs of a token's prefix with no valid token."""
    unit = r.choice(["ab", "a://", "eyJ", "sk-", "//", "://a:", " a=", " --token ", "AC", " clkey'", "glpat-",
                     "xoxb-1-", "AKC", "hvs.", "=AP1"])
    big = f'join("", [for i in range({r.randint(64, 1024)}) : "{(unit * 2048)[:2048]}"])'
    where = r.choice(["env", "template", "args"])
    if where == "env":
        return _job('"x"', big)
    if where == "template":
        return _job('"x"').replace("      resources {", "      template {\n        destination = \"local/x\"\n"
                                   f"        data = {big}\n      }}\n      resources {{", 1)
    return _job(big)


GENERATORS = [g_format, g_nesting, g_range, g_bcrypt, g_files, g_decode, g_strings, g_numbers, g_locals, g_dynamic,
              g_size, g_shared, g_api_json, g_mutant, g_secrets]


# -- the checkout ---------------------------------------------------------------------------------------------------

def make_tree(base: Path) -> Path:
    outside = base / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_text(CANARY + "\n")
    repo = base / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "tpl").mkdir()
    (repo / "tpl" / "app.tpl").write_text("listen = {{ env \"NOMAD_PORT_http\" }}\n")
    (repo / "big.bin").write_bytes(b"x" * (2 * 1024 * 1024))
    os.symlink("../outside/secret.txt", repo / "link-out")
    os.symlink(".", repo / "loop")
    os.mkfifo(repo / "fifo")
    (repo / "jobs").mkdir()
    os.symlink("../../outside/secret.txt", repo / "jobs" / "zz-symlink-out.nomad.hcl")
    return repo


def generate(repo: Path, count: int, seed: int) -> list[Path]:
    r = random.Random(seed)
    files = []
    for n in range(count):
        gen = GENERATORS[n % len(GENERATORS)]
        text = gen(r)
        suffix = ".nomad.json" if text.lstrip().startswith("{") else ".nomad.hcl"
        path = repo / "jobs" / f"{n:04d}-{gen.__name__[2:]}{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        files.append(path)
    files.append(repo / "jobs" / "zz-symlink-out.nomad.hcl")
    return files


def run_one(jobguard: list[str], repo: Path, path: Path, file_timeout: float, wall: float) -> dict:
    """One ``jobguard check`` run; its own CPU time and peak memory come from ``wait4`` on exactly this child."""
    start = time.monotonic()
    proc = subprocess.Popen([*jobguard, "check", "--no-cache", "--format", "json", "--jobs", "1",
                             "--file-timeout", str(file_timeout), os.path.relpath(path, repo)], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1", "JOBGUARD_CACHE_DIR": str(repo / ".cache")})
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=name, f=stream: streams.__setitem__(n, f.read()))
               for name, stream in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    killer = threading.Timer(wall * 3, proc.kill)
    killer.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    elapsed = time.monotonic() - start
    out = streams.get("out", b"")
    text = out.decode("utf-8", "replace") + streams.get("err", b"").decode("utf-8", "replace")
    summaries = []
    try:
        summaries = [e["message"].split(";")[0] for e in json.loads(out)["errors"]]
    except (ValueError, KeyError, TypeError):
        pass
    return {"file": path.name, "code": proc.returncode, "wall": elapsed, "killed": elapsed > wall * 3,
            "traceback": "Traceback" in text, "leak": CANARY in text, "summaries": summaries,
            "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--file-timeout", type=float, default=10.0)
    ap.add_argument("--wall", type=float, default=30.0, help="wall seconds a run may take (start-up included)")
    ap.add_argument("--keep", help="generate into this directory and keep it")
    args = ap.parse_args()

    script = Path(sys.executable).with_name("jobguard")
    jobguard = [str(script)] if script.exists() else [sys.executable, "-m", "jobguard"]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jobguard-fuzz-"))
    if args.keep and base.exists():
        shutil.rmtree(base)
    repo = make_tree(base)
    files = generate(repo, args.count, args.seed)
    print(f"{len(files)} files in {repo}/jobs (seed {args.seed}); load average {os.getloadavg()[0]:.2f}", flush=True)

    started = time.monotonic()
    with ThreadPoolExecutor(args.parallel) as pool:
        results = list(pool.map(lambda p: run_one(jobguard, repo, p, args.file_timeout, args.wall), files))

    codes = Counter(r["code"] for r in results)
    tracebacks = [r["file"] for r in results if r["traceback"]]
    exit3 = [r["file"] for r in results if r["code"] == 3]
    not2 = [r["file"] for r in results if r["code"] not in (1, 2)]
    leaks = [r["file"] for r in results if r["leak"]]
    over = [r["file"] for r in results if r["killed"] or r["wall"] > args.wall
            or r["cpu"] > args.file_timeout + 2.0]
    budget_stops = [r["file"] for r in results if "Time budget exceeded" in r["summaries"]]
    peak = max(results, key=lambda r: r["maxrss_kb"])
    slow = sorted(results, key=lambda r: -r["cpu"])[:5]
    kinds = Counter(s for r in results for s in r["summaries"])
    print(f"runs: {len(results)} in {time.monotonic() - started:.0f} s; exit codes {dict(sorted(codes.items()))}")
    print(f"tracebacks: {len(tracebacks)} {tracebacks[:5]}")
    print(f"exit 3: {len(exit3)} {exit3[:5]}")
    print(f"exit not 1/2: {len(not2)} {not2[:5]}")
    print(f"canary leaks: {len(leaks)} {leaks[:5]}")
    print(f"over the time budget: {len(over)} {over[:5]}; stopped by the time budget: {len(budget_stops)} "
          f"{budget_stops[:5]}")
    print(f"peak memory: {peak['maxrss_kb'] / 1024:.0f} MiB ({peak['file']})")
    print("slowest (CPU s): " + ", ".join(f"{r['file']} {r['cpu']:.2f}" for r in slow))
    print("diagnostics: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common(12)))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if tracebacks or exit3 or leaks or over or budget_stops else 0


if __name__ == "__main__":
    sys.exit(main())
