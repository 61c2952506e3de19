"""The status rules on their own: a failure or missing evidence can never give 符合."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govcloud.report.labels import Status
from govcloud.report.status import derive

OUTCOMES = ["pass", "fail", "waived", "waiver_expired", "error", "missing"]


def d(
    outcomes: list[str], missing: list[str] | None = None, manual: bool = False, applicable: bool = True
) -> Status:
    return derive(
        applicable=applicable,
        level=3,
        outcomes=outcomes,
        missing_checks=missing or [],
        manual=manual,
        has_checks=True,
    ).status


def test_all_pass_is_compliant() -> None:
    assert d(["pass", "pass"]) is Status.COMPLIANT


def test_fail_only_is_non_compliant_and_mixed_is_partial() -> None:
    assert d(["fail"]) is Status.NON_COMPLIANT
    assert d(["fail", "pass"]) is Status.PARTIAL
    assert d(["waiver_expired"]) is Status.NON_COMPLIANT


def test_valid_waiver_is_partial_not_compliant() -> None:
    assert d(["pass", "waived"]) is Status.PARTIAL


def test_missing_error_or_absent_check_needs_manual_review() -> None:
    assert d(["pass", "missing"]) is Status.MANUAL
    assert d(["pass", "error"]) is Status.MANUAL
    assert d(["pass"], missing=["DJCP-X"]) is Status.MANUAL
    assert d([]) is Status.MANUAL


def test_manual_item_with_passing_checks_still_needs_manual_review() -> None:
    assert d(["pass"], manual=True) is Status.MANUAL


def test_not_applicable_wins() -> None:
    assert d(["fail"], applicable=False) is Status.NOT_APPLICABLE


@given(
    st.lists(st.sampled_from(OUTCOMES), max_size=12),
    st.lists(st.sampled_from(["A", "B"]), max_size=2),
    st.booleans(),
)
def test_never_compliant_with_failure_or_gap(outcomes: list[str], missing: list[str], manual: bool) -> None:
    status = d(outcomes, missing, manual)
    if (
        set(outcomes) & {"fail", "waiver_expired", "missing", "error", "waived"}
        or missing
        or manual
        or not outcomes
    ):
        assert status is not Status.COMPLIANT
    else:
        assert status is Status.COMPLIANT
    if set(outcomes) & {"fail", "waiver_expired"}:
        assert status in (Status.NON_COMPLIANT, Status.PARTIAL)


def test_host_checks_not_applicable_never_make_a_clause_compliant() -> None:
    """Kernel-wide checks on lab hosts come back not_applicable: the clause needs a manual check."""
    from govcloud.contracts.host_evidence import HostResult  # noqa: PLC0415

    assert HostResult(clause="8.1.4.3.d", check="t", status="not_applicable").status == "not_applicable"
    assert d(["not_applicable", "not_applicable"]) is Status.MANUAL
    assert d(["pass", "not_applicable"]) is Status.COMPLIANT
    assert d(["fail", "not_applicable"]) is Status.NON_COMPLIANT
