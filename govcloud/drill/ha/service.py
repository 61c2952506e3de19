"""The drill database service on Patroni (Patroni 托管的灾备演练数据库服务).

Same layout and the same SQL helpers as the manual service (`drill.pgservice.Service`): primary in
production, synchronous standby in the same-city centre (Patroni `synchronous_mode`), the remote DR
centre as a Patroni standby cluster (asynchronous). What differs is who decides: Patroni, through the
etcd quorum, and the endpoint is HAProxy following Patroni's `/primary`.

Replication keeps the lab's inter-centre paths: in every db namespace an nft `nat output` rule sends
the `postgres` user's connections to another centre's 5432 through the delay relay of that path
(Patroni's members only know each other's real addresses).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from typing import Any

import yaml

from govcloud.drill import faults
from govcloud.drill.endpoint import service_name
from govcloud.drill.ha import etcd
from govcloud.drill.ha.etcd import EtcdError
from govcloud.drill.ha.haproxy import LISTEN4, LISTEN_PORT, HaproxyEndpoint, direct
from govcloud.drill.ha.patroni import PatroniMember, log_tail, render
from govcloud.drill.ha.settings import HaSettings, from_dict
from govcloud.drill.pgservice import Service, ServiceError
from govcloud.drill.topology import Topology
from govcloud.lab.sh import nsexec, run_proc, sweep
from govcloud.toolchain import patroni as install
from govcloud.wait import until

PATH_TABLE = "gc_ha_path"
REPLICATION_PORT = 5001  # the DR standby cluster's source: HAProxy in the DR centre
DCS_CUT_TABLE = "gc_ha_dcs_cut"


class PatroniService(Service):
    mode = "patroni"

    def __init__(self, topo: Topology, settings: HaSettings | None = None) -> None:
        super().__init__(topo)
        self.ha_root = topo.state_dir / "ha"
        self.members = {a: PatroniMember(pg.node, pg) for a, pg in self.nodes.items()}
        self.etcd = etcd.EtcdCluster(topo.nodes, self.ha_root / "etcd", f"gc-{topo.stack}")
        self.proxy = HaproxyEndpoint(
            topo.client_netns, direct(topo.nodes), self.ha_root / "haproxy", service_name(topo.stack)
        )
        remote = topo.remote
        self.repl_proxy = HaproxyEndpoint(
            remote.netns,
            [(n.centre, *topo.path(remote, n)[:2], n.ipv4) for n in (topo.production, topo.same_city)],
            self.ha_root / "haproxy-replication",
            f"replication-source.{topo.stack}",
            port=REPLICATION_PORT,
        )
        self._settings = settings

    @property
    def settings(self) -> HaSettings:
        if self._settings is None:
            self._settings = from_dict(self.state().get("ha", {}))
        return self._settings

    # -- the client's way in ----------------------------------------------------------------
    def client_endpoint(self, family: int) -> dict[str, Any]:
        return {
            "name": self.proxy.name,
            "hostaddr": LISTEN4 if family == 4 else "::1",
            "port": LISTEN_PORT,
        }

    def endpoint_current(self) -> str | None:
        return self.proxy.current()

    def refusal(self, scenario: str) -> str | None:
        """A drill on Patroni needs the etcd quorum it is about to exercise: refuse without one. After a
        regional failover the DR centre leads (its etcd alone, or regrown by a failback in progress):
        only the failback drill may run then."""
        if self.state().get("primary") == self.remote and scenario != "failback":
            return (
                "after a regional failover the DR centre leads; run the failback drill first "
                "(`govcloud drill run failback`), which brings production back as the leader / "
                "区域切换后灾备中心为主，须先执行回切演练"
            )
        report = self.etcd.quorum_report()
        healthy = [c for c, item in report.items() if item["healthy"]]
        voting = self.etcd.voting_members()
        if len(healthy) * 2 <= voting:
            return (
                f"etcd has no quorum ({len(healthy)} of {voting} members healthy: {report}); "
                "Patroni cannot elect or keep a leader, so the drill does not start. Check the members' "
                f"logs under {self.etcd.root} and `etcdctl endpoint health` / etcd 仲裁不可用，演练不启动"
            )
        return None

    def set_standby_cluster(self, app: str, source: tuple[str, int] | None) -> str:
        """Make the Patroni cluster of `app` a standby cluster replicating from `source` (host, port), or
        (None) a primary cluster: `patronictl edit-config` on its dynamic configuration in etcd.
        Patroni demotes a primary to standby leader, or promotes the standby leader, on its next loop."""
        if source is None:
            value = "standby_cluster=null"
        else:
            spec = {"host": source[0], "port": source[1], "create_replica_methods": ["basebackup"]}
            value = "standby_cluster=" + json.dumps(spec)
        return self.members[app].ctl("edit-config", "--force", "-s", value, timeout=30)

    def show_config(self, app: str, wait_s: float = 15.0) -> dict[str, Any] | None:
        """The dynamic configuration of `app`'s cluster as patronictl reads it (linearizable), read
        again while patronictl cannot read it (etcd electing a leader after a member joined); None
        when it could not within `wait_s`."""

        def read() -> dict[str, Any] | None:
            out = self.members[app].ctl("show-config", timeout=20, check=False)
            try:
                config = yaml.safe_load(out)
            except yaml.YAMLError:
                return None
            return config if isinstance(config, dict) else None

        return until(read, timeout=wait_s, interval=1.0)

    def standby_cluster_set(self, app: str, wait_s: float = 15.0) -> bool | None:
        """Whether the dynamic configuration of `app`'s cluster has `standby_cluster` (`show_config`);
        None when it cannot be read."""
        config = self.show_config(app, wait_s)
        return None if config is None else bool(config.get("standby_cluster"))

    def receiving(self, app: str) -> dict[str, Any] | None:
        """The WAL receiver of standby `app` (None: none, or the node does not answer)."""
        try:
            rows = self.nodes[app].query(
                "SELECT status, sender_host, sender_port, received_tli FROM pg_stat_wal_receiver"
            )
        except Exception:
            return None
        if not rows:
            return None
        status, host, port, tli = rows[0]
        return {"status": status, "sender_host": host, "sender_port": port, "timeline": tli}

    def wait_receiving(self, app: str, timeout: float) -> dict[str, Any]:
        """`app`'s WAL receiver streams (from whichever upstream Patroni gave it)."""
        last: list[dict[str, Any] | None] = [None]

        def streaming() -> dict[str, Any] | None:
            last[0] = self.receiving(app)
            return last[0] if last[0] and last[0]["status"] == "streaming" else None

        got = until(streaming, timeout=timeout, interval=0.3)
        if got is not None:
            return got
        raise ServiceError(
            f"{app} is not streaming after {timeout:.0f}s (wal receiver: {last[0]}) / 未在复制"
        )

    # -- replication paths through the delay relays ------------------------------------------
    def _paths_apply(self) -> None:
        for src in self.topo.nodes:
            rules = []
            for dst in self.topo.nodes:
                if dst is src:
                    continue
                host, port, _ = self.topo.path(src, dst)
                if host != dst.ipv4 and ":" not in host:
                    rules.append(
                        f'add rule ip {PATH_TABLE} out meta skuid "postgres" ip daddr {dst.ipv4} '
                        f"tcp dport 5432 dnat to {host}:{port}"
                    )
            text = (
                f"add table ip {PATH_TABLE}\ndelete table ip {PATH_TABLE}\nadd table ip {PATH_TABLE}\n"
                f"add chain ip {PATH_TABLE} out {{ type nat hook output priority -100; }}\n"
                + "\n".join(rules)
                + "\n"
            )
            run_proc(nsexec(src.netns, "nft", "-f", "-"), input_text=text)

    def _paths_remove(self) -> None:
        for node in self.topo.nodes:
            run_proc(nsexec(node.netns, "nft", "delete", "table", "ip", PATH_TABLE), check=False)

    # -- DCS partition fault: a centre cut off from the etcd quorum, nothing else -------------
    def dcs_cut(self, app: str) -> None:
        victim = self.nodes[app].node
        others = ", ".join(n.ipv4 for n in self.topo.nodes if n is not victim)
        text = (
            f"add table inet {DCS_CUT_TABLE}\ndelete table inet {DCS_CUT_TABLE}\n"
            f"add table inet {DCS_CUT_TABLE}\n"
            f"add chain inet {DCS_CUT_TABLE} o {{ type filter hook output priority -5; }}\n"
            f"add chain inet {DCS_CUT_TABLE} i {{ type filter hook input priority -5; }}\n"
            f"add rule inet {DCS_CUT_TABLE} o ip daddr {{ {others} }} tcp dport {{ 2379, 2380 }} drop\n"
            f"add rule inet {DCS_CUT_TABLE} o ip daddr {{ {others} }} tcp sport {{ 2379, 2380 }} drop\n"
            f"add rule inet {DCS_CUT_TABLE} i ip saddr {{ {others} }} tcp dport {{ 2379, 2380 }} drop\n"
            f"add rule inet {DCS_CUT_TABLE} i ip saddr {{ {others} }} tcp sport {{ 2379, 2380 }} drop\n"
        )
        run_proc(nsexec(victim.netns, "nft", "-f", "-"), input_text=text)

    def dcs_heal(self, app: str) -> bool:
        proc = run_proc(
            nsexec(self.nodes[app].node.netns, "nft", "delete", "table", "inet", DCS_CUT_TABLE),
            check=False,
        )
        return proc.returncode == 0

    # -- bootstrap / teardown ---------------------------------------------------------------
    def _standby_source(self) -> tuple[str, int]:
        """The DR standby cluster replicates from the main cluster's leader, via the DR centre's HAProxy."""
        return "127.0.0.1", REPLICATION_PORT

    def up(self, progress: Any = None) -> dict[str, Any]:
        say = progress or (lambda _m: None)
        self.down()
        settings = self._settings or HaSettings()
        try:
            install.ensure(say)
        except install.InstallError as exc:
            raise ServiceError(f"{exc} / Patroni 安装失败") from None
        passwords = self.prepare_dirs_and_secrets(self.ha_root)
        try:
            self._paths_apply()
            say("etcd: one member per centre (etcd 仲裁：每中心一个成员)")
            self.etcd.up()
            for app, member in self.members.items():
                standby_of = self._standby_source() if app == self.remote else None
                member.write_config(
                    render(
                        stack=self.topo.stack,
                        node=member.node,
                        pg=member.pg,
                        settings=settings,
                        etcd_hosts=self.etcd.endpoints(),
                        passwords=passwords,
                        standby_of=standby_of,
                    )
                )
            say("Patroni: bootstrap the production leader (生产中心主库)")
            prod = self.members[self.prod]
            prod.start()
            self._wait(prod, ("primary",), 90)
            self._wait_sql(self.prod, 30)
            self.create_app_database(self.nodes[self.prod], passwords)
            say("Patroni: same-city synchronous replica, remote standby cluster (同城同步、异地备集群)")
            self.repl_proxy.start()
            self.repl_proxy.wait_current(self.prod, 20)
            self.members[self.city].start()
            self.members[self.remote].start()
            self._wait(self.members[self.city], ("replica",), 120)
            self._wait(self.members[self.remote], ("standby_leader",), 120)
            for app in (self.city, self.remote):
                self.wait_streaming(self.prod, app, 60)
            self.wait_sync(self.prod, self.city, 60)
            self.proxy.start()
            self.proxy.wait_current(self.prod, 20)
        except (EtcdError, TimeoutError, RuntimeError, OSError) as exc:
            self.down()
            raise ServiceError(
                f"the Patroni service did not come up, everything it started was removed: {exc} / "
                "Patroni 数据库服务未能启动，已清理"
            ) from exc
        except BaseException:
            self.down()
            raise
        return self.save_initial_state(ha=settings.to_dict(), patroni_version=install.PATRONI_VERSION)

    def _wait(self, member: PatroniMember, roles: tuple[str, ...], timeout: float) -> None:
        try:
            member.wait_role(roles, timeout)
        except TimeoutError as exc:
            raise ServiceError(f"{exc}\n--- {member.log} ---\n{log_tail(member.log)}") from None

    def _wait_sql(self, app: str, timeout: float) -> None:
        def answers() -> bool:
            try:
                self.nodes[app].scalar("SELECT 1")
            except Exception:
                return False
            return True

        if not until(answers, timeout=timeout, interval=0.2):
            self.nodes[app].scalar("SELECT 1")  # raises the reason it does not answer

    def wait_sync(self, primary: str, standby: str, timeout: float) -> None:
        rows: list[dict[str, Any]] = []

        def synchronous() -> bool:
            rows[:] = self.replication(primary)
            return any(r["standby"] == standby and r["sync_state"] in ("sync", "quorum") for r in rows)

        if until(synchronous, timeout=timeout, interval=0.2):
            return
        raise ServiceError(
            f"{standby} did not become the synchronous standby of {primary}: {rows} / 同步备库未就绪"
        )

    def wait_sync_standby(self, primary: str, standby: str, timeout: float) -> None:
        """PostgreSQL and Patroni's DCS agree that `standby` is the synchronous standby."""
        self.wait_sync(primary, standby, timeout)
        members: list[dict[str, Any]] = []

        def listed() -> bool:
            _code, body = self.members[primary].rest("/cluster")
            members[:] = list(body.get("members", []))
            return any(m.get("name") == standby and m.get("role") == "sync_standby" for m in members)

        if until(listed, timeout=timeout, interval=0.2):
            return
        raise ServiceError(
            f"Patroni does not list {standby} as sync_standby of {primary}: {members} / "
            "Patroni 未确认同步备库"
        )

    def down(self) -> None:
        """Stop HAProxy, every Patroni and postgres, the etcd members; drop nft tables and files."""
        self.proxy.stop()
        self.repl_proxy.stop()
        for app, member in self.members.items():
            member.kill()
            faults.heal(self.topo.stack, member.node)
            faults.unfence(self.topo.stack, member.node)
            with contextlib.suppress(Exception):
                self.dcs_heal(app)
        self.etcd.down()
        self._paths_remove()
        self.endpoint.stop()
        sweep(self.topo.state_dir)  # daemons whose pid files went first (an interrupted set-up)
        for path in (self.root, self.secrets, self.ha_root, self.endpoint.dir):
            shutil.rmtree(path, ignore_errors=True)
        self.state_file.unlink(missing_ok=True)

    # -- Patroni's view --------------------------------------------------------------------
    def leader(self) -> str | None:
        """The member Patroni's REST API calls primary (None: none or several)."""
        primaries = [a for a, m in self.members.items() if m.running() and m.role() == "primary"]
        return primaries[0] if len(primaries) == 1 else None

    def roles(self) -> dict[str, str]:
        return {a: (m.role() if m.running() else "stopped") for a, m in self.members.items()}
