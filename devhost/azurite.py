"""Start Azurite (installed by npm into ./node_modules) on free ports and hand out its connection string.

Free ports (Azurite accepts port 0 and prints the real ones) let several test sessions and the demo run
side by side. `--skipApiVersionCheck` is required: azure-storage-queue 12.18 sends an x-ms-version that
Azurite 3.37 does not know yet and would reject (docs/decisions/0003-azurite.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
# Azurite's published well-known development key; not a secret.
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_LISTENING = re.compile(r"Azurite (Blob|Queue|Table) service is successfully listening at (http://\S+)")


@dataclass
class Azurite:
    """A running Azurite: our child process, or one another process started and owns (`process` None)."""

    process: subprocess.Popen[str] | None
    blob_url: str
    queue_url: str
    table_url: str

    @property
    def connection_string(self) -> str:
        """Connection string accepted by azure-data-tables, azure-storage-queue and azure-storage-blob."""
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.blob_url}/{ACCOUNT};QueueEndpoint={self.queue_url}/{ACCOUNT};"
            f"TableEndpoint={self.table_url}/{ACCOUNT};"
        )

    def stop(self) -> None:
        """Terminate Azurite (if it is ours); its in-memory data goes with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def azurite_executable() -> str:
    """The project's own Azurite (from `npm ci`), else one on PATH."""
    local = ROOT / "node_modules" / ".bin" / "azurite"
    if local.exists():
        return str(local)
    found = shutil.which("azurite")
    if found:
        return found
    raise FileNotFoundError("Azurite is not installed: run `make deps` (npm ci installs it into ./node_modules)")


KEEP_ALIVE_SECONDS = 120
"""How long Azurite keeps an idle connection (its default, 5 s, is far shorter than Azure Storage's). A request sent
on a pooled connection just as Azurite closes it is reset, and azure-core does not retry a reset POST or PATCH
(entity-group transactions, merges): benchmarks saw failed invocations that Azure would rarely cause (decision 0003)."""


def start_azurite(host: str = "127.0.0.1", *, blob_port: int = 0, queue_port: int = 0, table_port: int = 0) -> Azurite:
    """Start Azurite with in-memory persistence and wait until all three services listen."""
    cmd = [
        azurite_executable(),
        "--inMemoryPersistence",
        "--skipApiVersionCheck",
        "--loose",
        "--disableTelemetry",
        "--blobHost",
        host,
        "--queueHost",
        host,
        "--tableHost",
        host,
        "--blobPort",
        str(blob_port),
        "--queuePort",
        str(queue_port),
        "--tablePort",
        str(table_port),
        *(f"--{service}KeepAliveTimeout={KEEP_ALIVE_SECONDS}" for service in ("blob", "queue", "table")),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while len(urls) < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = _LISTENING.search(line)
        if match:
            urls[match.group(1)] = match.group(2)
    if len(urls) < 3:
        proc.kill()
        raise RuntimeError(f"Azurite did not start (got {urls}); command: {' '.join(cmd)}")
    threading.Thread(target=lambda: [None for _ in proc.stdout or []], daemon=True).start()
    return Azurite(process=proc, blob_url=urls["Blob"], queue_url=urls["Queue"], table_url=urls["Table"])
