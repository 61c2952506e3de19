"""rsyslog configuration: every host's client (TLS, mutual certificates) and the central collector.

The collector stores `<store>/<host>/<YYYY-MM-DD>/syslog.log`, the layout `govcloud logs seal` and
`verify` work on (govcloud.logaudit.store). Each line starts with the time the collector stored it
and the time the host wrote it (RFC 3339, microseconds), so the end-to-end delay is measurable.
rsyslog runs with this file only (`rsyslogd -f`): no imklog, which in a namespace would read the
machine's kernel ring buffer.
"""

from __future__ import annotations

PORT = 6514
STORE = "/var/log/govcloud/remote"
CONF = "/etc/govcloud/rsyslog.conf"
PKI = "/etc/govcloud/pki"
LINE_TEMPLATE = (
    'template(name="gc_line" type="string" string="%timegenerated:::date-rfc3339% '
    '%timereported:::date-rfc3339% %hostname:::secpath-replace% %syslogtag%'
    '%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\\n")'
)
PATH_TEMPLATE = (
    f'template(name="gc_path" type="string" string="{STORE}/%hostname:::secpath-replace%/'
    '%$year%-%$month%-%$day%/syslog.log")'
)


def _globals() -> str:
    return (
        'global(workDirectory="/var/spool/rsyslog" maxMessageSize="64k"\n'
        '       defaultNetstreamDriver="gtls"\n'
        f'       defaultNetstreamDriverCAFile="{PKI}/ca.pem"\n'
        f'       defaultNetstreamDriverCertFile="{PKI}/host.pem"\n'
        f'       defaultNetstreamDriverKeyFile="{PKI}/host.key")\n'
        'module(load="imuxsock")\n'
    )


def _files(files: list[tuple[str, str]]) -> str:
    """imfile inputs: (path, tag) — IDS alerts, WAF audit records."""
    if not files:
        return ""
    return 'module(load="imfile" mode="polling" PollingInterval="1")\n' + "".join(
        f'input(type="imfile" File="{path}" Tag="{tag}:" Facility="local5" Severity="notice" '
        'freshStartTail="off" reopenOnTruncate="on")\n'
        for path, tag in files
    )


def client(host: str, collector_name: str, collector_addr: str, files: list[tuple[str, str]]) -> str:
    """A host that keeps a local copy and forwards everything to the collector over mutual TLS."""
    return (
        f"# govcloud lab: {host} -> 日志审计 log collector {collector_name} ({collector_addr}), TLS\n"
        + _globals() + _files(files)
        + '*.* action(type="omfile" file="/var/log/syslog")\n'
        + f'*.* action(type="omfwd" target="{collector_addr}" port="{PORT}" protocol="tcp"\n'
        '       template="RSYSLOG_SyslogProtocol23Format"\n'
        '       StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"\n'
        f'       StreamDriverPermittedPeers="{collector_name}"\n'
        '       queue.type="LinkedList" queue.filename="gc_fwd" queue.maxDiskSpace="256m"\n'
        '       queue.saveOnShutdown="on" action.resumeRetryCount="-1" action.resumeInterval="1")\n'
    )


def collector(host: str, files: list[tuple[str, str]]) -> str:
    """The collector: TLS listener (clients must show a certificate of the lab CA), per host and day."""
    return (
        f"# govcloud lab: {host} is the 日志审计 log collector; store {STORE}/<host>/<day>/syslog.log\n"
        + _globals()
        + 'module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"\n'
        '       StreamDriver.AuthMode="x509/certvalid" MaxSessions="1000")\n'
        + LINE_TEMPLATE + "\n" + PATH_TEMPLATE + "\n"
        + 'ruleset(name="gc_store") {\n'
        '  action(type="omfile" dynaFile="gc_path" template="gc_line" dirCreateMode="0750"\n'
        '         fileCreateMode="0640" dynaFileCacheSize="200" asyncWriting="off" flushOnTXEnd="on")\n'
        '}\n'
        + f'input(type="imtcp" port="{PORT}" ruleset="gc_store")\n'
        + _files(files)
        + '*.* call gc_store\n'
    )
