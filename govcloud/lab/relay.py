"""A userspace TCP delay relay: the latency mechanism when the kernel has no netem.

Run inside a centre router namespace:
    python -m govcloud.lab.relay --listen 198.18.65.1 --listen fd00:6c:1:3::1 --port 15432 \
        --target4 198.18.3.10 --target6 fd00:6c:0:3::10 --target-port 5432 --delay-ms 1.0

Each direction delays every chunk by `delay_ms` after reading it (order kept), the connection set-up
is delayed one way, and its refusal or close the other way, so a round trip costs two delays like a
link with that one-way latency. The upstream socket is bound to the listen address, which lies in
the router's own zone segment, so the far boundary sees a source the flow matrix knows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def sender() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                with contextlib.suppress(OSError):
                    if writer.can_write_eof():
                        writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    task = asyncio.create_task(sender())
    try:
        while True:
            chunk = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, chunk))
            if not chunk:
                break
        await task
    except (OSError, asyncio.CancelledError):
        task.cancel()


async def _handle(
    client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, args: argparse.Namespace
) -> None:
    delay = args.delay_ms / 1000.0
    sockname = client_w.get_extra_info("sockname")
    v6 = ":" in sockname[0]
    target = args.target6 if v6 else args.target4
    await asyncio.sleep(delay)  # the SYN travels one way
    try:
        up_r, up_w = await asyncio.wait_for(
            asyncio.open_connection(target, args.target_port, local_addr=(sockname[0], 0)), timeout=10
        )
    except (OSError, TimeoutError):
        await asyncio.sleep(delay)  # the refusal travels back
        client_w.close()
        return
    try:
        await asyncio.gather(_pump(client_r, up_w, delay), _pump(up_r, client_w, delay))
    finally:
        for w in (client_w, up_w):
            with contextlib.suppress(OSError):
                w.close()


async def _main(args: argparse.Namespace) -> None:
    servers = []
    for addr in args.listen:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        servers.append(await asyncio.start_server(
            lambda r, w: _handle(r, w, args), host=addr, port=args.port, family=family, reuse_address=True
        ))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"relay listening on {args.listen} port {args.port} -> {args.target4}/{args.target6}:"
          f"{args.target_port} delay {args.delay_ms} ms", flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="govcloud.lab.relay")
    parser.add_argument("--listen", action="append", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target4", required=True)
    parser.add_argument("--target6", required=True)
    parser.add_argument("--target-port", type=int, default=5432)
    parser.add_argument("--delay-ms", type=float, required=True)
    asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
