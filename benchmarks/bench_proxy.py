"""Benchmark ``jobguard serve`` against direct calls to the Nomad API double, on loopback, in one run.

Three processes: the Nomad double (tests/proxy/nomad_double.py), ``jobguard serve`` in front of it, and this
load generator (aiohttp). Measured, with the targets from the proxy's issue:

1. job register latency at 20 and at 50 concurrent clients under a bounded (paced, open-loop) load, direct vs
   proxied: added p50/p99 latency, target added p99 < 5 ms at both; and register throughput with the same
   clients saturating (closed loop), proxied vs direct (for information: every proxied register is evaluated);
2. GET pass-through throughput (50 clients, closed loop) proxied / direct >= 0.80, both at a bounded offered rate
   (what a Nomad API sees) and saturated (reported for information);
3. 10,000 mixed requests through the proxy (register good/bad, plan, validate, GET) with 0 errors and
   0 wrong decisions (a bad job accepted, a good one denied, or a bad one reaching Nomad).

The engine runs with its built-in rules plus two Sentinel policies, as ``jobguard check`` would. Neither reads
``existing_job``/``job_exists``, so the proxy reads the existing job *while* evaluating; with
``--existing-job-policy`` a third (hard-mandatory) policy reads it, and the proxy reads it *before* evaluating
(its other path: one upstream round trip more on every register).

Evaluation runs in the proxy's worker processes (``--workers``, default one per CPU, at least 2); the load
average is printed before and after, since other work on the machine shifts every number.

    python benchmarks/bench_proxy.py [--rate 100] [--get-rate 1000] [--requests 10000] [--latency-only]
                                     [--existing-job-policy] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
DOUBLE = ROOT / "tests" / "proxy" / "nomad_double.py"
CLIENTS = 50

CONFIG = """
policy "group-count-limit" {
  source            = "./group-count-limit.sentinel"
  enforcement_level = "hard-mandatory"
}
policy "owner-meta" {
  source            = "./owner-meta.sentinel"
  enforcement_level = "advisory"
}
"""
EXISTING_JOB_CONFIG = """
policy "keep-owner" {
  source            = "./keep-owner.sentinel"
  enforcement_level = "hard-mandatory"
}
"""
KEEP_OWNER_POLICY = "main = rule { not job_exists or existing_job.meta.owner is job.meta.owner }\n"
COUNT_POLICY = "main = rule { all job.task_groups as tg { tg.count <= 5 } }\n"
OWNER_POLICY = 'main = rule { job.meta is not null and "owner" in keys(job.meta) }\n'


def job(job_id: str, count: int) -> dict:
    return {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"], "Meta": {"owner": "bench"},
            "TaskGroups": [{"Name": "app", "Count": count, "Tasks": [{
                "Name": "server", "Driver": "docker", "Config": {"image": "registry.local/app:1.4.2"},
                "Resources": {"CPU": 100, "MemoryMB": 128}}]}]}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------- processes
def start_double() -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, str(DOUBLE), "--no-record"], stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def start_proxy(upstream: str, config: Path, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jobguard", "serve", "--upstream", upstream, "--listen",
                             f"127.0.0.1:{port}", "--config", str(config), "--reload-interval", "0",
                             "--log-level", "error", *(["--workers", str(workers)] if workers else [])],
                            stderr=subprocess.DEVNULL)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_healthy(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(300):
        try:
            async with session.get(url + "/v1/jobguard/health") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit("proxy did not become healthy")


# ---------------------------------------------------------------------------- phases
async def call_ok(session: aiohttp.ClientSession, method: str, url: str, body: bytes | None = None) -> None:
    """One request that must answer 200 (anything else ends the benchmark: the numbers would be wrong)."""
    async with session.request(method, url, data=body) as resp:
        await resp.read()
        if resp.status != 200:
            raise SystemExit(f"{method} {url} failed: {resp.status}")


async def paced_registers(session: aiohttp.ClientSession, base: str, rate: float, per_client: int,
                          clients: int = CLIENTS) -> list[float]:
    """Open-loop load: client i fires every clients/rate seconds, staggered; returns latencies (s)."""
    interval = clients / rate
    latencies: list[float] = []
    start = time.perf_counter() + 0.1

    async def client(i: int) -> None:
        body = json.dumps({"Job": job(f"bench-{i}", 2)}).encode()
        for k in range(per_client):
            due = start + i * interval / clients + k * interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            t0 = time.perf_counter()
            await call_ok(session, "PUT", f"{base}/v1/job/bench-{i}", body)
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies


async def register_throughput(session: aiohttp.ClientSession, base: str, seconds: float, clients: int) -> float:
    """Completed registers per second with ``clients`` clients each sending the next as soon as one is done."""
    done = 0
    end = time.perf_counter() + seconds

    async def client(i: int) -> None:
        nonlocal done
        body = json.dumps({"Job": job(f"sat-{i}", 2)}).encode()
        while time.perf_counter() < end:
            await call_ok(session, "PUT", f"{base}/v1/job/sat-{i}", body)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return done / (time.perf_counter() - started)


async def concurrency(session: aiohttp.ClientSession, direct: str, proxied: str, args: argparse.Namespace,
                      clients: int) -> float:
    """Paced latency (alternating direct/proxied rounds) and saturated throughput at ``clients`` clients;
    prints one block and returns the added p99 in ms."""
    lat_direct, lat_proxy = [], []
    for _ in range(args.rounds):
        lat_direct += await paced_registers(session, direct, args.rate, args.per_client // args.rounds, clients)
        lat_proxy += await paced_registers(session, proxied, args.rate, args.per_client // args.rounds, clients)
    p50d, p99d = pct(lat_direct, 50) * 1e3, pct(lat_direct, 99) * 1e3
    p50p, p99p = pct(lat_proxy, 50) * 1e3, pct(lat_proxy, 99) * 1e3
    rps_d = await register_throughput(session, direct, args.seconds, clients)
    rps_p = await register_throughput(session, proxied, args.seconds, clients)
    added = p99p - p99d
    print(f"register, {clients} clients, paced at {args.rate:.0f} req/s, {len(lat_proxy)} requests each way:")
    print(f"  direct  p50 {p50d:6.2f} ms  p99 {p99d:6.2f} ms")
    print(f"  proxied p50 {p50p:6.2f} ms  p99 {p99p:6.2f} ms")
    print(f"  added   p50 {p50p - p50d:6.2f} ms  p99 {added:6.2f} ms  (target p99 < 5 ms: "
          f"{'PASS' if added < 5 else 'FAIL'})")
    print(f"  saturated ({clients} clients, closed loop, {args.seconds:.0f} s): direct {rps_d:7.0f} req/s, "
          f"proxied {rps_p:7.0f} req/s, proxied/direct = {rps_p / rps_d:.2f}")
    return added


async def get_throughput(session: aiohttp.ClientSession, base: str, seconds: float, rate: float | None) -> float:
    """Completed GETs per second with 50 clients: paced to ``rate`` in total, or as fast as possible (None)."""
    done = 0
    end = time.perf_counter() + seconds
    interval = CLIENTS / rate if rate else 0.0

    async def client(i: int) -> None:
        nonlocal done
        due = time.perf_counter() + i * interval / CLIENTS
        while True:
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += interval
            if time.perf_counter() >= end:
                return
            await call_ok(session, "GET", f"{base}/v1/job/bench-{i % 10}")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return done / (time.perf_counter() - started)


async def mixed(session: aiohttp.ClientSession, base: str, direct: str, total: int) -> dict[str, int]:
    """``total`` requests with known right answers; counts errors and wrong decisions."""
    rng = random.Random(7)
    kinds = rng.choices(["good", "bad", "plan-bad", "validate-bad", "get"], weights=[45, 25, 10, 10, 10], k=total)
    stats = {"errors": 0, "wrong": 0, "good": 0, "bad": 0}
    queue: asyncio.Queue = asyncio.Queue()
    for n, kind in enumerate(kinds):
        queue.put_nowait((n, kind))

    async def one(n: int, kind: str) -> None:
        jid = f"mixed-{n}"
        if kind == "get":
            method, path, body, want = "GET", "/v1/job/bench-0", None, 200
        elif kind == "validate-bad":
            method, path, body, want = "PUT", "/v1/validate/job", {"Job": job(jid, 9)}, 200
        elif kind == "plan-bad":
            method, path, body, want = "PUT", f"/v1/job/{jid}/plan", {"Job": job(jid, 9)}, 403
        else:
            method, path, body, want = "PUT", f"/v1/job/{jid}", {"Job": job(jid, 2 if kind == "good" else 8)}, \
                200 if kind == "good" else 403
        async with session.request(method, base + path, json=body) as resp:
            data = await resp.read()
        if resp.status >= 500 or resp.status not in (200, 403):
            stats["errors"] += 1
            return
        validate_missed = kind == "validate-bad" and not json.loads(data).get("ValidationErrors")
        if resp.status != want or validate_missed:
            stats["wrong"] += 1
        elif kind in ("good", "bad"):
            stats[kind] += 1

    async def worker() -> None:
        while not queue.empty():
            n, kind = queue.get_nowait()
            try:
                await one(n, kind)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                stats["errors"] += 1

    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    # a denied job must never have reached Nomad
    for n, kind in enumerate(kinds):
        if kind in ("bad", "plan-bad"):
            async with session.get(f"{direct}/v1/job/mixed-{n}") as resp:
                await resp.read()
                if resp.status != 404:
                    stats["wrong"] += 1
    return stats


# ---------------------------------------------------------------------------- main
async def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="jobguard-bench-"))
    (tmp / "jobguard.hcl").write_text(CONFIG + (EXISTING_JOB_CONFIG if args.existing_job_policy else ""))
    (tmp / "keep-owner.sentinel").write_text(KEEP_OWNER_POLICY)
    (tmp / "group-count-limit.sentinel").write_text(COUNT_POLICY)
    (tmp / "owner-meta.sentinel").write_text(OWNER_POLICY)
    double, dport = start_double()
    pport = free_port()
    proxy = start_proxy(f"http://127.0.0.1:{dport}", tmp / "jobguard.hcl", pport, args.workers)
    direct, proxied = f"http://127.0.0.1:{dport}", f"http://127.0.0.1:{pport}"
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
            await wait_healthy(session, proxied)
            print("policies: built-in rules, group-count-limit, owner-meta"
                  + (", keep-owner (reads existing_job: the existing job is read before evaluating)"
                     if args.existing_job_policy else " (the existing job is read while evaluating)"))
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
            await paced_registers(session, proxied, args.rate * 2, 4)  # warm-up (imports, caches, connections)
            await paced_registers(session, direct, args.rate * 2, 4)

            # Alternate short rounds so that a change in machine load hits both sides alike.
            added = max([await concurrency(session, direct, proxied, args, clients) for clients in (20, 50)])
            print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            if args.latency_only:
                return 0 if added < 5 else 1
            rows = []
            for label, rate in ((f"paced at {args.get_rate:.0f} req/s", args.get_rate), ("saturated", None)):
                rps_d = await get_throughput(session, direct, args.seconds, rate)
                rps_p = await get_throughput(session, proxied, args.seconds, rate)
                rows.append((label, rps_d, rps_p))
            print(f"GET pass-through throughput, {CLIENTS} clients, {args.seconds:.0f} s each:")
            for label, rps_d, rps_p in rows:
                print(f"  {label:22s} direct {rps_d:7.0f} req/s  proxied {rps_p:7.0f} req/s  "
                      f"ratio proxied/direct = {rps_p / rps_d:.2f}")
            paced_ratio = rows[0][2] / rows[0][1]
            print(f"  bounded-load ratio {paced_ratio:.2f} vs target 0.80 ({'PASS' if paced_ratio >= 0.8 else 'FAIL'})")

            t0 = time.perf_counter()
            stats = await mixed(session, proxied, direct, args.requests)
            took = time.perf_counter() - t0
            ok = stats["errors"] == 0 and stats["wrong"] == 0
            print(f"mixed run: {args.requests} requests in {took:.1f} s through the proxy: "
                  f"{stats['errors']} errors, {stats['wrong']} wrong decisions "
                  f"(good registered {stats['good']}, bad denied {stats['bad']}); "
                  f"error ratio {stats['errors'] / args.requests:.4f} ({'PASS' if ok else 'FAIL'})")
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return 0 if (added < 5 and paced_ratio >= 0.8 and ok) else 1
    finally:
        for proc in (proxy, double):
            proc.terminate()
            proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="register requests/s in total (paced)")
    parser.add_argument("--per-client", type=int, default=20, help="registers per client and direction")
    parser.add_argument("--latency-only", action="store_true", help="measure register latency only")
    parser.add_argument("--rounds", type=int, default=5, help="alternating direct/proxied rounds")
    parser.add_argument("--get-rate", type=float, default=1000.0, help="offered GET rate for the bounded test")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--requests", type=int, default=10_000, help="size of the mixed correctness run")
    parser.add_argument("--existing-job-policy", action="store_true",
                        help="add a policy that reads existing_job (the proxy then reads it before evaluating)")
    parser.add_argument("--workers", type=int, default=0, help="proxy evaluation workers (0: its default)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
