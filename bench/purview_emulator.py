"""Purview emulator speed: GET throughput, 1,000-entity bulk upserts, term-filtered search over 100,000 assets.

Run: `.venv/bin/python -m bench purview_emulator [--entities 100000] [--seconds 5] [--clients 2] [--connections 16]`

The emulator runs as its own process (one core); the load comes from separate client processes using raw
HTTP/1.1 keep-alive connections, because a `requests`-based client would be slower than the emulator.
If `wrk` is on PATH its figure is printed as well.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from emulators._common import start_process

TOKEN = "bench-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
BATCH = 1000


def _entities(start: int, count: int, prefix: str = "bench") -> list[dict[str, object]]:
    return [
        {
            "typeName": "azure_sql_table",
            "guid": -(i + 1),
            "attributes": {
                "qualifiedName": f"mssql://bench.database.windows.net/db/dbo/{prefix}_{start + i}",
                "name": f"{prefix}_{start + i}",
                "description": f"benchmark table number {start + i}",
            },
        }
        for i in range(count)
    ]


async def _connection(host: str, port: int, paths: list[str], until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    requests_sent = 0
    rng = random.Random(port + id(counts))
    while time.perf_counter() < until:
        path = paths[rng.randrange(len(paths))]
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        requests_sent += 1
    counts.append(requests_sent)
    writer.close()


def _client(url: str, paths: list[str], seconds: float, connections: int, queue: multiprocessing.Queue[int]) -> None:
    parts = urlsplit(url)
    counts: list[int] = []
    until = time.perf_counter() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(
                _connection(parts.hostname or "127.0.0.1", parts.port or 80, paths, until, counts)
                for _ in range(connections)
            )
        )

    asyncio.run(run())
    queue.put(sum(counts))


def _get_throughput(url: str, paths: list[str], seconds: float, clients: int, connections: int) -> float:
    started = time.perf_counter()
    return _get_count(url, paths, seconds, clients, connections) / (time.perf_counter() - started)


def _get_count(url: str, paths: list[str], seconds: float, clients: int, connections: int) -> int:
    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(url, paths, seconds, connections, queue)) for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    total = sum(queue.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total


def _wrk(url: str, path: str, seconds: float) -> str | None:
    if shutil.which("wrk") is None:
        return None
    result = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{int(seconds)}s", "-H", f"Authorization: Bearer {TOKEN}", url + path],
        capture_output=True,
        text=True,
        check=False,
    )
    return next((line.strip() for line in result.stdout.splitlines() if "Requests/sec" in line), result.stdout[-200:])


def _cpu_seconds(pid: int) -> float | None:
    """User+system CPU time of a process (Linux /proc), so figures hold on a machine shared with other load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Probe:
    """Wall-clock and server-CPU time of one step."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> Probe:
        self.cpu0 = _cpu_seconds(self.pid)
        self.wall0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        cpu1 = _cpu_seconds(self.pid)
        self.cpu = None if cpu1 is None or self.cpu0 is None else cpu1 - self.cpu0


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench purview_emulator")
    parser.add_argument("--entities", type=int, default=100_000, help="assets loaded before the search benchmark")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of the GET load")
    parser.add_argument("--clients", type=int, default=2, help="load-generating processes")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections per client process")
    args = parser.parse_args(argv)

    emulator = start_process("emulators.purview", ["--log-level", "error"])
    pid = emulator.process.pid
    try:
        session = requests.Session()
        session.headers.update(HEADERS)
        base = f"{emulator.url}/datamap/api"
        bulk_url = f"{base}/atlas/v2/entity/bulk?api-version=2023-09-01"

        creates: list[Probe] = []
        guids: list[str] = []
        with Probe(pid) as load:
            while len(guids) < args.entities:
                count = min(BATCH, args.entities - len(guids))
                with Probe(pid) as probe:
                    result = _post(session, bulk_url, {"entities": _entities(len(guids), count)})
                creates.append(probe)
                assignments = result["guidAssignments"]
                assert isinstance(assignments, dict)
                guids += list(assignments.values())
        unchanged = []
        for i in range(3):
            with Probe(pid) as probe:
                _post(session, bulk_url, {"entities": _entities(i * BATCH, BATCH)})
            unchanged.append(probe)
        changed = _entities(0, BATCH)
        for entity in changed:
            entity["attributes"]["description"] = "changed"  # type: ignore[index]
        with Probe(pid) as update:
            _post(session, bulk_url, {"entities": changed})

        glossary = next(g for g in session.get(f"{base}/atlas/v2/glossary").json() if g["name"] == "Glossary")
        term_body = {"name": "BenchTerm", "anchor": {"glossaryGuid": glossary["guid"]}}
        term = session.post(f"{base}/atlas/v2/glossary/term", json=term_body).json()
        tagged = guids[:: max(1, len(guids) // 5000)][:5000]
        for i in range(0, len(tagged), BATCH):
            body = [{"guid": g} for g in tagged[i : i + BATCH]]
            session.post(
                f"{base}/atlas/v2/glossary/terms/{term['guid']}/assignedEntities", json=body
            ).raise_for_status()
        query_url = f"{base}/search/query?api-version=2023-09-01"
        query = {"keywords": None, "limit": 50, "filter": {"term": "BenchTerm"}}
        searches = []
        result = {}
        for _ in range(30):
            with Probe(pid) as probe:
                result = _post(session, query_url, query)
            searches.append(probe)
        with Probe(pid) as next_page:
            _post(session, query_url, {**query, "continuationToken": result["continuationToken"]})
        combined = {
            "limit": 50,
            "filter": {"and": [{"term": "BenchTerm"}, {"entityType": "DataSet"}, {"not": {"label": "x"}}]},
        }
        combos = []
        for _ in range(10):
            with Probe(pid) as probe:
                _post(session, query_url, combined)
            combos.append(probe)

        paths = [
            f"/datamap/api/atlas/v2/entity/guid/{g}" for g in random.Random(7).sample(guids, min(2000, len(guids)))
        ]
        _get_throughput(emulator.url, paths, 1.0, args.clients, args.connections)
        with Probe(pid) as get_load:
            served = _get_count(emulator.url, paths, args.seconds, args.clients, args.connections)
        wrk = _wrk(emulator.url, paths[0], args.seconds)
    finally:
        emulator.stop()
    _report(
        args,
        Results(
            len(guids), load, creates, unchanged, update, searches, next_page, combos, result, get_load, served, wrk
        ),
    )


def _post(session: requests.Session, url: str, body: object) -> dict[str, object]:
    response = session.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"})
    response.raise_for_status()
    answer: dict[str, object] = response.json()
    return answer


def _ms(probes: list[Probe], attr: str, quantile: float = 0.5) -> str:
    values = sorted(getattr(p, attr) for p in probes if getattr(p, attr) is not None)
    if not values:
        return "n/a"
    return f"{values[min(len(values) - 1, int(len(values) * quantile))] * 1000:.1f} ms"


@dataclass
class Results:
    loaded: int
    load: Probe
    creates: list[Probe]
    unchanged: list[Probe]
    update: Probe
    searches: list[Probe]
    next_page: Probe
    combos: list[Probe]
    result: dict[str, object]
    get_load: Probe
    served: int
    wrk: str | None


def _report(args: argparse.Namespace, r: Results) -> None:
    print(f"entities loaded: {r.loaded:,} in {r.load.wall:.1f} s ({r.loaded / r.load.wall:,.0f} entities/s)")
    print(" " * 40 + "wall median   wall p95   server CPU median   CPU p95  (CPU: 10 ms ticks)")
    hits = r.result["@search.count"]
    rows = [
        ("bulk upsert 1,000 new entities", r.creates),
        ("bulk upsert 1,000 unchanged", r.unchanged),
        ("bulk upsert 1,000 changed", [r.update]),
        (f"term-filtered search page ({hits:,} hits)", r.searches),
        ("  next page via continuationToken", [r.next_page]),
        ("  term AND entityType AND NOT label", r.combos),
    ]
    for label, probes in rows:
        print(
            f"{label:<40}{_ms(probes, 'wall'):>12}{_ms(probes, 'wall', 0.95):>12}"
            f"{_ms(probes, 'cpu'):>20}{_ms(probes, 'cpu', 0.95):>10}"
        )
    rate = r.served / r.get_load.wall
    print(
        f"GET /entity/guid/{{guid}}: {r.served:,} requests in {r.get_load.wall:.1f} s = {rate:,.0f} requests/s "
        f"wall-clock ({args.clients} client processes x {args.connections} keep-alive connections)"
    )
    if r.get_load.cpu:
        per_cpu = r.served / r.get_load.cpu
        print(f"  server CPU {r.get_load.cpu:.2f} s -> {per_cpu:,.0f} requests per CPU-second (emulator = one core)")
    if r.wrk:
        print(f"  wrk: {r.wrk}")
