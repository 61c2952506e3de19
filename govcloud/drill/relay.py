"""Userspace TCP delay relay: carries a link's one-way latency where the kernel has no netem.

`python -m govcloud.drill.relay SPEC.json` serves every relay in SPEC (a JSON list of
{"listen": "host:port", "target": "host:port", "delay_ms": 1.0}); each chunk read on one side is
written to the other side `delay_ms` later, order preserved, in both directions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

MAX_LIFETIME_S = 6 * 3600  # a relay never outlives a working day, even if its owner crashed


def _hostport(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read_side() -> None:
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((loop.time() + delay, data))
                if not data:
                    return
        except OSError:
            queue.put_nowait((loop.time(), b""))

    async def write_side() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    await asyncio.gather(read_side(), write_side())


async def _serve_one(spec: dict[str, Any]) -> asyncio.Server:
    listen_host, listen_port = _hostport(spec["listen"])
    target_host, target_port = _hostport(spec["target"])
    delay = float(spec["delay_ms"]) / 1000.0

    async def handle(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            t_reader, t_writer = await asyncio.wait_for(
                asyncio.open_connection(target_host, target_port), timeout=3.0
            )
        except (OSError, TimeoutError):
            c_writer.close()
            return
        try:
            await asyncio.gather(_pump(c_reader, t_writer, delay), _pump(t_reader, c_writer, delay))
        except OSError:
            pass
        finally:
            for w in (c_writer, t_writer):
                w.close()

    return await asyncio.start_server(handle, listen_host, listen_port, reuse_address=True)


async def serve(specs: list[dict[str, Any]]) -> None:
    servers = [await _serve_one(s) for s in specs]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=MAX_LIFETIME_S)
    for server in servers:
        server.close()


def main(argv: list[str]) -> int:
    specs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    asyncio.run(serve(specs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
