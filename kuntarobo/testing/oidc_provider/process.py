"""Start and stop the test identity provider as a process of its own (a real HTTP server)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def running_provider(config: dict[str, Any], workdir: Path, timeout: float = 60) -> Iterator[str]:
    """Yields the provider's issuer URL (`http://127.0.0.1:PORT/o`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "config.json"
    config_file.write_text(json.dumps({**config, "workdir": str(workdir)}), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kuntarobo.testing.oidc_provider", str(config_file)],
        stdout=subprocess.PIPE,
        stderr=(workdir / "provider.log").open("w"),
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def read_lines() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read_lines, daemon=True).start()
    try:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(
                "the test identity provider did not start: "
                + (workdir / "provider.log").read_text()[-2000:]
            ) from None
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"the test identity provider said {line!r}")
        yield line.split()[1] + "/o"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
