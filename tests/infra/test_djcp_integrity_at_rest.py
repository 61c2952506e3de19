"""数据完整性 Integrity at rest — GB/T 22239-2019 8.1.4.7 b, and 镜像和快照保护 8.2.4.4 a (the OS
security-hardening service applied to the host)."""

from __future__ import annotations

import json

import pytest

from govcloud.runner.targets import Result, Target

# Important data kept on every host (鉴别数据 and 重要配置数据): AIDE must hold a cryptographic
# checksum of each in its baseline. Logs are outside the baseline (volatile); their integrity is the
# central log seal's (8.1.4.3 c).
IMPORTANT_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers", "/etc/ssh/sshd_config")
CHECKSUMS = ("sha512", "sha256")
AIDE_DATABASES = ("/var/lib/aide/aide.db", "/var/lib/aide/aide.db.gz")


def baseline_checksums(db_lines: str) -> tuple[str | None, dict[str, str]]:
    """From AIDE database text (`@@db_spec` header, one line per file): the strongest checksum the
    baseline holds, and that checksum per important file ("0" or absent: not summed)."""
    spec: list[str] = []
    rows: dict[str, list[str]] = {}
    for line in db_lines.splitlines():
        if line.startswith("@@db_spec "):
            spec = line.split()[1:]
        elif line.startswith("/"):
            fields = line.split()
            rows[fields[0]] = fields
    algo = next((a for a in CHECKSUMS if a in spec), None)
    if algo is None:
        return None, {}
    col = spec.index(algo)
    return algo, {f: rows[f][col] for f in IMPORTANT_FILES if f in rows and len(rows[f]) > col}


@pytest.mark.clause("8.1.4.7.b")
def test_important_data_has_checksums_in_the_integrity_baseline(check):
    def probe(t: Target) -> Result:
        db = next((p for p in AIDE_DATABASES if t.run(f"test -s {p}").rc == 0), None)
        if db is None:
            return Result(False, "no AIDE baseline database", "an AIDE baseline")
        pattern = "|".join(["@@db_spec "] + [f"{f} " for f in IMPORTANT_FILES])
        text = str(t.run(f"zcat -f {db} | grep -E '^({pattern})'").stdout)
        algo, sums = baseline_checksums(text)
        missing = [f for f in IMPORTANT_FILES if sums.get(f, "0") in {"", "0"}]
        return Result(
            algo is not None and not missing,
            f"{db}: checksum {algo or 'none (no sha256/sha512 in the baseline)'}; "
            f"files without it: {missing or 'none'}",
            f"{algo or 'sha256/sha512'} of {', '.join(IMPORTANT_FILES)} in the AIDE baseline",
        )

    check(probe)


@pytest.mark.clause("8.2.4.4.a")
def test_os_hardening_service_applied(check):
    def probe(t: Target) -> Result:
        text = t.read("/etc/govcloud/djcp-hardening.json")
        try:
            record = json.loads(text) if text else None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            return Result(False, "no readable /etc/govcloud/djcp-hardening.json", "the hardening record")
        schema = record.get("schema")
        try:
            level = int(str(record.get("level")))
        except ValueError:
            level = 0
        return Result(
            schema == "govcloud.host-hardening/v1" and level >= t.level,
            f"hardening record {schema}, level {record.get('level')}",
            f"govcloud.host-hardening/v1 written by the djcp_hardening role at level >= {t.level}",
        )

    check(probe)


# AIDE 0.18.3 (Debian bookworm) database lines, checksums shortened; no host needed (fast tier).
DB = """@@db_spec name perm uid gid size ctime mtime inode lcount md5 sha1 sha256 sha512 whirlpool
/etc/passwd 100644 0 0 1116 MTc5 MTc5 10608707 1 LaG8 2hZ1 0GCS vxG8 J5W4
/etc/shadow 100640 0 42 567 MTc5 MTc5 10608708 1 UPEo P+yt TB2Z 7Uok DoWH
/etc/group 100644 0 0 512 MTc5 MTc5 10608709 1 AaAa BbBb CcCc DdDd EeEe
/etc/sudoers 100440 0 0 1714 MTc5 MTc5 10608710 1 FfFf GgGg HhHh 0 IiIi
"""


def test_baseline_parser_reads_the_checksum_column() -> None:
    algo, sums = baseline_checksums(DB)
    assert algo == "sha512"
    assert sums == {"/etc/passwd": "vxG8", "/etc/shadow": "7Uok", "/etc/group": "DdDd", "/etc/sudoers": "0"}
    assert baseline_checksums(DB.replace(" sha256 sha512", ""))[0] is None
