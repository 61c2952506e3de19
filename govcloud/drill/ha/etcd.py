"""The distributed configuration store (分布式配置存储): one etcd member per centre (Debian etcd-server 3.4).

Three centres, three members: losing any one centre keeps the quorum (2 of 3). Patroni talks to it
through the etcd v3 API (gRPC gateway, `/v3/...`), which etcd 3.4 serves.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from govcloud.drill.ha import procs
from govcloud.drill.topology import DbNode
from govcloud.lab.sh import nsexec, run_proc
from govcloud.wait import until

ETCD = "/usr/bin/etcd"
ETCDCTL = "/usr/bin/etcdctl"
CLIENT_PORT = 2379
PEER_PORT = 2380


class EtcdError(RuntimeError):
    """The etcd cluster is not usable (etcd 集群不可用)."""


def client_url(node: DbNode) -> str:
    return f"http://{node.ipv4}:{CLIENT_PORT}"


def peer_url(node: DbNode) -> str:
    return f"http://{node.ipv4}:{PEER_PORT}"


class EtcdCluster:
    def __init__(self, nodes: tuple[DbNode, ...], root: Path, token: str) -> None:
        self.nodes = {n.centre: n for n in nodes}
        self.root = root
        self.token = token

    def _dir(self, centre: str) -> Path:
        return self.root / centre

    def pidfile(self, centre: str) -> Path:
        return self._dir(centre) / "etcd.pid"

    def endpoints(self) -> list[str]:
        return [f"{n.ipv4}:{CLIENT_PORT}" for n in self.nodes.values()]

    def start(
        self,
        centre: str,
        *,
        state: str = "new",
        initial_cluster: dict[str, str] | None = None,
    ) -> None:
        """Start the member of `centre`; `initial_cluster` (name -> peer URL) for a member joining a
        cluster whose membership differs from the three centres (etcd checks that it matches)."""
        node = self.nodes[centre]
        cluster = initial_cluster or {c: peer_url(n) for c, n in self.nodes.items()}
        d = self._dir(centre)
        d.mkdir(parents=True, exist_ok=True)
        argv = [
            ETCD,
            "--name",
            centre,
            "--data-dir",
            str(d / "data"),
            "--listen-client-urls",
            f"{client_url(node)},http://127.0.0.1:{CLIENT_PORT}",
            "--advertise-client-urls",
            client_url(node),
            "--listen-peer-urls",
            peer_url(node),
            "--initial-advertise-peer-urls",
            peer_url(node),
            "--initial-cluster",
            ",".join(f"{c}={url}" for c, url in cluster.items()),
            "--initial-cluster-state",
            state,
            "--initial-cluster-token",
            self.token,
            "--heartbeat-interval",
            "100",
            "--election-timeout",
            "1000",
            "--logger",
            "zap",
            # 3.4 leaves Raft pre-vote off: a member healed after a partition, having campaigned alone
            # with ever higher terms, then deposes the healthy leader again and again, and the new
            # Patroni leader, unable to renew its lease meanwhile, demotes itself (seen in this lab)
            "--pre-vote",
        ]
        procs.start(node.netns, argv, self.pidfile(centre), d / "etcd.log")

    def running(self, centre: str) -> bool:
        return procs.read_pid(self.pidfile(centre)) is not None

    def stop(self, centre: str) -> int | None:
        return procs.stop(self.pidfile(centre), wait_s=10)

    def kill(self, centre: str) -> int | None:
        return procs.kill(self.pidfile(centre))

    def up(self) -> None:
        for centre in self.nodes:
            self.start(centre)
        self.wait_healthy(list(self.nodes), 30)

    def down(self) -> None:
        for centre in self.nodes:
            self.kill(centre)
        shutil.rmtree(self.root, ignore_errors=True)

    def ctl_proc(
        self, centre: str, *args: str, timeout: float = 10.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        node = self.nodes[centre]
        return run_proc(
            nsexec(node.netns, ETCDCTL, f"--endpoints=http://127.0.0.1:{CLIENT_PORT}", "--command-timeout=3s",
                   *args),
            timeout=timeout,
            check=check,
        )

    def ctl(self, centre: str, *args: str, timeout: float = 10.0, check: bool = True) -> str:
        return self.ctl_proc(centre, *args, timeout=timeout, check=check).stdout

    def health(self, centre: str, timeout: float = 3.0) -> bool:
        """The member at `centre` answers a linearizable read (it is part of a quorum)."""
        if not self.running(centre):
            return False
        try:
            self.ctl(centre, "endpoint", "health", timeout=timeout + 2)
        except (subprocess.TimeoutExpired, RuntimeError):
            return False
        return True

    def wait_healthy(self, centres: list[str], timeout: float) -> None:
        bad = list(centres)

        def all_healthy() -> bool:
            bad[:] = [c for c in centres if not self.health(c)]
            return not bad

        if until(all_healthy, timeout=timeout, interval=0.3):
            return
        logs = {c: (self._dir(c) / "etcd.log") for c in bad}
        raise EtcdError(
            f"etcd member(s) {', '.join(bad)} not healthy after {timeout:.0f}s; logs: {logs} / "
            "etcd 成员未就绪，见日志"
        )

    def members(self, centre: str) -> list[dict[str, Any]]:
        data = json.loads(self.ctl(centre, "member", "list", "-w", "json"))
        members: list[dict[str, Any]] = data.get("members", [])
        return members

    def voting_members(self) -> int:
        """Members the cluster has now (1 after a `--force-new-cluster`), read from a healthy member;
        the configured count when none answers."""
        for centre in self.nodes:
            if self.health(centre):
                try:
                    return len(self.members(centre))
                except (RuntimeError, ValueError):
                    continue
        return len(self.nodes)

    def quorum_report(self) -> dict[str, Any]:
        """Which members are up and healthy: evidence for the drill record."""
        return {c: {"running": self.running(c), "healthy": self.health(c)} for c in self.nodes}

    def restore_alone(self, centre: str) -> dict[str, Any]:
        """etcd's disaster recovery on the last member standing (etcd 灾难恢复): a snapshot of its
        database, restored as a new one-member cluster, the member restarted on it.

        Not `--force-new-cluster`: restarted that way, a member keeps its old Raft log beside its
        database, and the two can disagree (etcd issues #10508, #14009). Members regrown from such a
        member replay the log and end up serving other data than it does: seen in this lab (the
        survivor at revision 141 without a configuration edit the regrown members had at 144), and
        with it Patroni agents that never saw an edit. A restored member's log starts at a snapshot:
        the members added later are sent its database. Returns seconds taken and the snapshot's
        revision."""
        t0 = time.monotonic()
        d = self._dir(centre)
        snap = d / "survivor.snapshot.db"
        snap.unlink(missing_ok=True)
        # the snapshot is the member's own database: no quorum needed
        self.ctl(centre, "snapshot", "save", str(snap), timeout=30)
        # killed, not stopped: its data directory is replaced by the snapshot, and a graceful stop of
        # a member without quorum took up to 11 s here (every second of it in the regional RTO)
        self.kill(centre)
        shutil.rmtree(d / "data", ignore_errors=True)
        node = self.nodes[centre]
        run_proc(
            nsexec(node.netns, ETCDCTL, "snapshot", "restore", str(snap), "--name", centre,
                   "--initial-cluster", f"{centre}={peer_url(node)}",
                   "--initial-cluster-token", self.token,
                   "--initial-advertise-peer-urls", peer_url(node),
                   "--data-dir", str(d / "data")),
            timeout=60,
        )
        self.start(centre, state="existing", initial_cluster={centre: peer_url(node)})
        self.wait_healthy([centre], 20)
        status = self.status(centre) or {}
        return {
            "took_s": round(time.monotonic() - t0, 3),
            "method": "etcdctl snapshot save + snapshot restore (one-member cluster)",
            "revision": int(status.get("header", {}).get("revision", 0)),
        }

    def status(self, centre: str) -> dict[str, Any] | None:
        """`etcdctl endpoint status` of the member at `centre` (None: it does not answer)."""
        proc = self.ctl_proc(centre, "endpoint", "status", "-w", "json", check=False)
        try:
            status: dict[str, Any] = json.loads(proc.stdout)[0]["Status"]
        except (ValueError, LookupError, TypeError):
            return None
        return status

    def dcs_view(self, centre: str, prefix: str, *, linearizable: bool = False) -> dict[str, Any]:
        """What the member at `centre` serves under `prefix`: to a serializable (local) read, as
        Patroni reads it, or a linearizable one (the cluster's answer): each key's mod_revision and
        lease, the value of the `leader` and `config` keys, and the member's own Raft header.
        {"error": ...} when the member does not answer."""
        consistency = "--consistency=l" if linearizable else "--consistency=s"
        proc = self.ctl_proc(centre, "get", "--prefix", prefix, "-w", "json", consistency, check=False)
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            return {"error": (proc.stdout + proc.stderr).strip()[-200:]}
        header = data.get("header", {})
        keys: dict[str, Any] = {}
        for kv in data.get("kvs", []):
            key = base64.b64decode(kv["key"]).decode("utf-8", "replace")[len(prefix):]
            entry: dict[str, Any] = {"mod": int(kv.get("mod_revision", 0)), "lease": kv.get("lease")}
            if key in ("leader", "config"):
                entry["value"] = base64.b64decode(kv.get("value", "")).decode("utf-8", "replace")[:4000]
            keys[key] = entry
        return {
            "member": format(int(header.get("member_id", 0)), "x"),
            "raft_term": header.get("raft_term"),
            "revision": header.get("revision"),
            "keys": keys,
        }

    def wait_converged(self, centres: list[str], timeout: float = 30.0) -> dict[str, int]:
        """Every member has applied the Raft log as far as the cluster had it when asked. Patroni
        reads etcd with serializable (local, possibly stale) reads, so a member that has only just
        joined must have caught up before an agent reads from it. Returns the applied index per
        member."""
        first = [self.status(c) for c in centres]
        target = max(int(s["raftIndex"]) for s in first if s) if any(first) else 0
        applied: dict[str, int] = {}

        def caught_up() -> bool:
            for c in centres:
                st = self.status(c)
                applied[c] = int(st["raftAppliedIndex"]) if st else -1
            return all(v >= target for v in applied.values())

        if not until(caught_up, timeout=timeout, interval=0.2):
            raise EtcdError(
                f"etcd members did not catch up to Raft index {target}: {applied} / etcd 成员未同步"
            )
        return applied

    def rejoin(self, centre: str, via: str, timeout: float = 60.0) -> dict[str, Any]:
        """Grow a cluster reduced to one member (`restore_alone`) back by the member of `centre`,
        through the healthy member `via`: add it as a learner (it does not count towards the quorum
        while it catches up, so the running cluster never loses its quorum), start it from an empty
        data directory, promote it to a voting member once etcd says it is in sync."""
        t0 = time.monotonic()
        known = [m for m in self.members(via) if m.get("name") == centre]
        if known and self.health(centre):
            return {"member": centre, "already_member": True, "took_s": 0.0}
        if known:  # an earlier, interrupted rejoin: its member is not running, add it afresh
            self.ctl(via, "member", "remove", format(int(known[0]["ID"]), "x"))
        self.kill(centre)
        shutil.rmtree(self._dir(centre) / "data", ignore_errors=True)
        url = peer_url(self.nodes[centre])
        added: list[str] = []

        def add() -> bool:
            if any(url in m.get("peerURLs", []) for m in self.members(via)):
                return True  # an earlier attempt got through
            # strict reconfiguration: etcd refuses ("unhealthy cluster") until its leader has been
            # connected to every voting member for 5 s, e.g. right after the previous member joined
            proc = self.ctl_proc(via, "member", "add", centre, f"--peer-urls={url}", "--learner", check=False)
            added[:] = [(proc.stdout + proc.stderr).strip()[-300:]]
            return proc.returncode == 0

        if not until(add, timeout=timeout, interval=1.0):
            raise EtcdError(f"etcd did not add {centre} as a learner within {timeout:.0f}s: {added}")
        cluster = {str(m["name"]): str(m["peerURLs"][0]) for m in self.members(via) if m.get("name")}
        self.start(centre, state="existing", initial_cluster={**cluster, centre: url})
        learner = next(m for m in self.members(via) if url in m.get("peerURLs", []))
        member_id = format(int(learner["ID"]), "x")
        errors: list[str] = []

        def promoted() -> bool:
            proc = self.ctl_proc(via, "member", "promote", member_id, check=False)
            if proc.returncode == 0:
                return True
            errors[:] = [(proc.stdout + proc.stderr).strip()[-300:]]
            return False

        if not until(promoted, timeout=timeout, interval=0.5):
            raise EtcdError(
                f"etcd member {centre} (learner {member_id}) was not promoted within {timeout:.0f}s: "
                f"{errors}; log {self._dir(centre) / 'etcd.log'} / etcd 成员未能重新加入"
            )
        self.wait_healthy([centre, via], timeout)
        return {"member": centre, "id": member_id, "learner_promoted": True,
                "took_s": round(time.monotonic() - t0, 3)}
