"""scripts/audit_dependencies.py: what counts as a finding, an unreachable database, a valid ignore."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
_spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
audit = sys.modules["audit_dependencies"] = importlib.util.module_from_spec(_spec)  # dataclasses need it
_spec.loader.exec_module(audit)


def test_a_vulnerable_package_is_a_finding_and_an_unknown_one_is_reported_as_not_audited():
    report = {
        "dependencies": [
            {"name": "django", "version": "3.2", "vulns": [{"id": "PYSEC-1", "fix_versions": ["3.2.1"]}]},
            {"name": "private-lib", "skip_reason": "Dependency not found"},
            {"name": "celery", "version": "5.5", "vulns": []},
        ]
    }

    findings, skipped = audit.read_report(report)

    assert findings == [audit.Finding("django", "3.2", "PYSEC-1", ("3.2.1",))]
    assert skipped == ["private-lib"]


def test_a_database_that_knows_no_package_counts_as_unreachable_not_as_a_clean_audit():
    report = {"dependencies": [{"name": n, "skip_reason": "Dependency not found"} for n in ("a", "b")]}

    with pytest.raises(audit.Unreachable, match="knows none of the 2 package"):
        audit.read_report(report)


def test_ignored_advisories_each_carry_a_justification():
    text = "# comment\n\nGHSA-aaaa-bbbb  only the admin's CSV export uses it, behind staff log-in\n"

    assert audit.read_ignores(text) == {
        "GHSA-aaaa-bbbb": "only the admin's CSV export uses it, behind staff log-in"
    }


def test_an_ignored_advisory_without_a_justification_is_refused():
    with pytest.raises(ValueError, match="line 2: PYSEC-9 is ignored without a justification"):
        audit.read_ignores("# why below\nPYSEC-9\n")


def test_the_shipped_ignore_list_is_valid():
    audit.read_ignores((SCRIPT.parents[1] / "requirements" / "audit-ignore.txt").read_text())
