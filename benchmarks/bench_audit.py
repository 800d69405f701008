"""Benchmark ``jobguard audit`` on a 1,000-job cluster double, against ``jobguard check`` on the same jobs as files,
and the time ``--watch`` takes to reflect a changed job.

Three processes: the cluster double (tests/audit/cluster_double.py, seeded with the corpus's API JSON jobs when
../shared is there, else synthetic ones), the jobguard command under test, and this driver. Measured in one run,
so that a noisy machine affects baseline and subject alike:

1. ``jobguard check --no-cache -j 1`` on the jobs written as API JSON files (the baseline): files/s, peak RSS;
2. ``jobguard audit --format json`` of the same jobs from the API: jobs/s, peak RSS, ratio to the baseline;
3. ``jobguard audit --watch``: seconds from a job change (``PUT /v1/job/:id``) to its line in the change log.

    python benchmarks/bench_audit.py [--jobs 1000] [--changes 20] [--synthetic]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "expected"
BIN = Path(sys.executable).parent
JOBGUARD = str(BIN / "jobguard")


def run_measured(args: list[str], cwd: str) -> tuple[float, int, int, str]:
    """(seconds, exit code, peak RSS in MiB, stdout) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, proc.returncode, usage.ru_maxrss // 1024, out


def corpus_jobs(limit: int) -> list[Path]:
    """Corpus API JSON expectations that the loader accepts (what Nomad would have stored)."""
    from jobguard.jobspec import JobspecError, load_api_job

    good = []
    for path in sorted(CORPUS.rglob("*.json")):
        try:
            load_api_job(json.loads(path.read_text())["Job"])
        except (JobspecError, KeyError, ValueError):
            continue
        good.append(path)
        if len(good) >= limit:
            break
    return good


def start_double(args: list[str]) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.audit.cluster_double", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def write_files(port: int, directory: Path) -> int:
    """The double's jobs as API JSON files (what `jobguard check` would read), via the API itself."""
    base = f"http://127.0.0.1:{port}"
    stubs = json.loads(urllib.request.urlopen(f"{base}/v1/jobs?namespace=*", timeout=60).read())
    for stub in stubs:
        url = f"{base}/v1/job/{urllib.request.quote(stub['ID'], safe='')}?namespace={stub['Namespace']}"
        job = json.loads(urllib.request.urlopen(url, timeout=60).read())
        (directory / f"{stub['Namespace']}--{stub['ID']}.nomad.json").write_text(json.dumps({"Job": job}))
    return len(stubs)


def metric(port: int, name: str) -> str:
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return ""
    return next((line.split()[-1] for line in text.splitlines() if line.startswith(name)), "")


def watch_latency(port: int, changes: int, workdir: str) -> list[float]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        metrics_port = sock.getsockname()[1]
    log = Path(workdir) / "changes.jsonl"
    proc = subprocess.Popen([JOBGUARD, "audit", "--watch", "--address", f"http://127.0.0.1:{port}",
                             "--change-log", str(log), "--metrics-listen", f"127.0.0.1:{metrics_port}"],
                            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while metric(metrics_port, "jobguard_audit_stream_connected") != "1":
            if time.monotonic() > deadline:
                raise SystemExit("the watcher did not connect")
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        job = json.loads(urllib.request.urlopen(f"{base}/v1/job/svc-0001?namespace=team-a", timeout=10).read())
        seen = len(log.read_text().splitlines()) if log.exists() else 0
        latencies = []
        for n in range(changes):
            job["TaskGroups"][0]["Tasks"][0]["Config"]["privileged"] = n % 2 == 0
            body = json.dumps({"Job": job}).encode()
            req = urllib.request.Request(f"{base}/v1/job/svc-0001?namespace=team-a", data=body, method="PUT")
            started = time.perf_counter()
            urllib.request.urlopen(req, timeout=10).read()
            while len(log.read_text().splitlines()) <= seen:
                if time.perf_counter() - started > 30:
                    raise SystemExit("a change was not reflected within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
            seen = len(log.read_text().splitlines())
        return latencies
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--synthetic", action="store_true", help="synthetic jobs even when the corpus is there")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    seeds = [] if args.synthetic or not CORPUS.is_dir() else corpus_jobs(args.jobs)
    source = f"{len(seeds)} corpus jobs cycled" if seeds else "synthetic jobs"
    double, port = start_double(["--json", *map(str, seeds), "--count", str(args.jobs)] if seeds
                                else ["--synthetic", str(args.jobs)])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            files = Path(tmp) / "jobs"
            files.mkdir()
            count = write_files(port, files)
            check_s, check_code, check_rss, _ = run_measured([JOBGUARD, "check", "--no-cache", "-j", "1", "--format",
                                                              "json", str(files)], tmp)
            audit_s, audit_code, audit_rss, out = run_measured(
                [JOBGUARD, "audit", "--address", f"http://127.0.0.1:{port}", "--format", "json"], tmp)
            audited = json.loads(out)["summary"]["jobs"]
            print(f"cluster: {count} jobs ({source}) in 4 namespaces")
            print(f"baseline  jobguard check -j 1: {check_s:6.2f} s  {count / check_s:7.1f} files/s  "
                  f"peak RSS {check_rss} MiB  exit {check_code}")
            print(f"subject   jobguard audit     : {audit_s:6.2f} s  {audited / audit_s:7.1f} jobs/s   "
                  f"peak RSS {audit_rss} MiB  exit {audit_code}  ({audited} audited)")
            print(f"ratio audit/check throughput: {(audited / audit_s) / (count / check_s):.2f}")
            if not seeds:
                latencies = watch_latency(port, args.changes, tmp)
                print(f"--watch change -> change log: median {statistics.median(latencies) * 1000:.0f} ms, "
                      f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} changes")
    finally:
        double.terminate()
        double.wait(10)
    if seeds and args.changes:
        double, port = start_double(["--synthetic", str(args.jobs)])
        try:
            with tempfile.TemporaryDirectory() as tmp:
                latencies = watch_latency(port, args.changes, tmp)
                print(f"--watch change -> change log ({args.jobs} synthetic jobs): median "
                      f"{statistics.median(latencies) * 1000:.0f} ms, p95 "
                      f"{sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms, max "
                      f"{max(latencies) * 1000:.0f} ms over {len(latencies)} changes")
        finally:
            double.terminate()
            double.wait(10)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
