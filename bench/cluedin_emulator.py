"""CluedIn emulator throughput: a paged GraphQL list of 100 items, and 10,000 records in one ingestion POST.

`python -m bench cluedin_emulator [--seconds 5] [--connections 4] [--records 10000]`

The emulator runs as a subprocess (one event loop, so one core; pinned to CPU 0 when the machine has more than
one, with this client pinned elsewhere). Throughput is reported twice: requests per wall-clock second, and
requests per CPU-second the emulator process spent (from /proc), which is what "on one core" means independent
of how fast this Python client can send. The same list is also measured with the fast read path switched off.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from emulators._common import EmulatorProcess, start_process

LIST_QUERY = """query getAllDataSourceSet($page: Int, $pageSize: Int) {
  inbound { id dataSourceSets(page: $page, pageSize: $pageSize) {
    total
    data { id name author { id username } createdAt updatedAt
      dataSources { id name type hasError stopped dataSets { id } } } } } }"""
GROUPS = 150


def _seed() -> dict[str, object]:
    return {
        "dataSourceGroups": [
            {"name": f"Group {i:03d}", "dataSources": [{"name": f"Source {i:03d}", "dataSets": [{"name": f"set-{i}"}]}]}
            for i in range(GROUPS)
        ]
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path} -> {response.status}: {data[:300]!r}")
    return data


def _login(host: str, port: int) -> str:
    conn = http.client.HTTPConnection(host, port)
    form = b"username=admin%40demo.local&password=demo-password&client_id=demo&grant_type=password"
    body = _request(conn, "POST", "/auth/connect/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
    return str(json.loads(body)["access_token"])


def _start(extra: list[str]) -> tuple[EmulatorProcess, str, int]:
    process = start_process("emulators.cluedin", extra)
    if (os.cpu_count() or 1) > 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(process.process.pid, {0})
        os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
    url = urlparse(process.url)
    return process, url.hostname or "127.0.0.1", int(url.port or 80)


def _seed_state(host: str, port: int) -> None:
    conn = http.client.HTTPConnection(host, port)
    conn.request("PUT", "/_emulator/state", body=json.dumps(_seed()), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 204:
        raise RuntimeError(f"seeding failed: {response.status}")


def measure_list(extra: list[str], seconds: float, connections: int) -> dict[str, float]:
    """Hammer the paged list from `connections` keep-alive connections for `seconds`."""
    process, host, port = _start(extra)
    try:
        _seed_state(host, port)
        token = _login(host, port)
        body = json.dumps({"query": LIST_QUERY, "variables": {"page": 0, "pageSize": 100}}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        check = json.loads(_request(http.client.HTTPConnection(host, port), "POST", "/graphql", body, headers))
        items = len(check["data"]["inbound"]["dataSourceSets"]["data"])
        if items != 100 or "errors" in check:
            raise RuntimeError(f"unexpected answer: {str(check)[:300]}")
        latencies: list[float] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def worker() -> None:
            conn = http.client.HTTPConnection(host, port)
            mine = []
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                _request(conn, "POST", "/graphql", body, headers)
                mine.append(time.perf_counter() - started)
            with lock:
                latencies.extend(mine)

        pid = process.process.pid
        cpu_before, wall_before = _cpu_seconds(pid), time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall_before
        cpu = _cpu_seconds(pid) - cpu_before
        ordered = sorted(latencies)
        return {
            "requests": len(latencies),
            "qps_wall": len(latencies) / wall,
            "qps_per_cpu_second": len(latencies) / cpu if cpu else float("nan"),
            "server_cpu_share": cpu / wall,
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
            "bytes": len(_request(http.client.HTTPConnection(host, port), "POST", "/graphql", body, headers)),
        }
    finally:
        process.stop()


def measure_ingestion(records: int, rounds: int = 3) -> list[tuple[bool, float, int]]:
    """Seconds for one POST of `records` records, with auto-submit off (store) and on (store and process)."""
    process, host, port = _start([])
    results = []
    try:
        token = _login(host, port)
        rows = [
            {"id": str(i), "name": f"Customer {i}", "email": f"c{i}@example.org", "country": "DK"}
            for i in range(records)
        ]
        payload = json.dumps(rows).encode()
        for auto_submit in (False, True):
            for attempt in range(rounds):
                conn = http.client.HTTPConnection(host, port, timeout=60)
                activity = {
                    "group": "Bench",
                    "dataSet": f"bench-{auto_submit}-{attempt}",
                    "autoSubmit": auto_submit,
                    "mapping": {
                        "entityType": "/Customer",
                        "vocabulary": "customer",
                        "fields": {
                            "id": "customer.id",
                            "name": "customer.name",
                            "email": "customer.email",
                            "country": "customer.country",
                        },
                        "originEntityCodeKey": "customer.id",
                        "nameKey": "customer.name",
                    },
                }
                created = json.loads(
                    _request(
                        conn,
                        "POST",
                        "/_emulator/activity/data-set",
                        json.dumps(activity).encode(),
                        {"Content-Type": "application/json"},
                    )
                )
                headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
                started = time.perf_counter()
                answer = json.loads(
                    _request(conn, "POST", f"/upload/api/endpoint/{created['dataSetId']}", payload, headers)
                )
                elapsed = time.perf_counter() - started
                if answer.get("received") != records:
                    raise RuntimeError(f"unexpected ingestion answer: {answer}")
                results.append((auto_submit, elapsed, len(payload)))
    finally:
        process.stop()
    return results


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench cluedin_emulator")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(f"CluedIn emulator benchmark (cpus={os.cpu_count()}, emulator pinned to cpu 0 when possible)")
    for label, extra in (("fast read path", []), ("graphql-core only", ["--no-fast-path"])):
        figures = measure_list(extra, args.seconds, args.connections)
        print(
            f"  GraphQL dataSourceSets page of 100 ({label}, {args.connections} connections, {args.seconds:g} s): "
            f"{figures['qps_wall']:.0f} queries/s wall, {figures['qps_per_cpu_second']:.0f} queries per emulator "
            f"CPU-second (emulator used {figures['server_cpu_share']:.0%} of a core), "
            f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"{figures['bytes'] / 1024:.0f} KiB/answer, {figures['requests']:.0f} requests"
        )
    for auto_submit, elapsed, size in measure_ingestion(args.records):
        mode = "stored and processed (auto-submit on)" if auto_submit else "stored (auto-submit off)"
        print(
            f"  Ingestion of {args.records} records in one POST ({size / 1e6:.1f} MB), {mode}: {elapsed * 1000:.0f} ms"
        )
