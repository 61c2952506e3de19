"""Runs `opa run --server` on loopback for the gate, on a free port, and always stops it."""

from __future__ import annotations

import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import requests

from govcloud.policy import bundle
from govcloud.policy.errors import EngineError
from govcloud.toolchain import env
from govcloud.wait import until


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OpaServer:
    """`opa run --server` with the policies loaded as a bundle.

    Use as a context manager; the process is killed on exit even when the caller fails.
    """

    def __init__(
        self,
        *,
        bundle_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        decision_logs: bool = False,
        log_file: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.decision_logs = decision_logs
        self._bundle_dir = bundle_dir
        self._log_file = log_file
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.revision: str | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self, bundle_dir: Path) -> list[str]:
        cmd = [
            str(env.tool_path("opa")),
            "run",
            "--server",
            "--addr",
            f"{self.host}:{self.port}",
            "--bundle",
            str(bundle_dir),
            "--skip-version-check",
        ]
        if self.decision_logs:
            cmd += ["--set", "decision_logs.console=true", "--log-level", "info", "--log-format", "json"]
        else:
            cmd += ["--log-level", "error"]
        return cmd

    def start(self, ready_timeout: float = 30.0) -> str:
        """Starts OPA and waits until it answers /health; returns its URL."""
        self._tmp = tempfile.TemporaryDirectory(prefix="govcloud-opa-")
        tmp = Path(self._tmp.name)
        bundle_dir = self._bundle_dir
        if bundle_dir is None:
            bundle_dir = tmp / "bundle"
            self.revision = bundle.build_bundle(bundle_dir)
        log_path = self._log_file or tmp / "opa.log"
        for _attempt in range(3):
            self.port = self.port or free_port()
            log = log_path.open("ab")
            try:
                self.process = subprocess.Popen(
                    self.command(bundle_dir), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
                )
            finally:
                log.close()
            if self._wait_ready(ready_timeout, log_path):
                return self.url
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            if "address already in use" in tail:
                self.port = None
                continue
            self.stop()
            raise EngineError(
                f"OPA failed to start with the policy bundle {bundle_dir} / OPA 启动失败:\n{tail.strip()}"
            )
        self.stop()
        raise EngineError("OPA could not bind a free loopback port after 3 attempts / 无法绑定端口")

    def _wait_ready(self, timeout: float, log_path: Path) -> bool:
        assert self.process is not None
        process = self.process

        def healthy_or_exited() -> str | None:
            if process.poll() is not None:
                return "exited"
            try:
                if requests.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return "healthy"
            except requests.RequestException:
                pass
            return None

        state = until(healthy_or_exited, timeout=timeout, interval=0.05)
        if state is not None:
            return state == "healthy"
        self.stop()
        raise EngineError(f"OPA did not become healthy within {timeout:.0f} s (log: {log_path}) / OPA 未就绪")

    def stop(self) -> None:
        """Stops OPA (SIGTERM, then SIGKILL) and removes the temporary bundle."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> OpaServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
