"""Audit the locked requirements for known vulnerabilities with pip-audit (CI: `make audit`).

Usage: python scripts/audit_dependencies.py [--requirement FILE ...] [--ignore-file FILE]

1. Each advisory source pip-audit knows (its default first, then OSV) is probed with a release that
   has published advisories (Django 3.2). A source answers only if it reports them: one that cannot
   be reached, times out, or "finds" nothing for every package (a mirror without the advisory data)
   does not count as an audit.
2. No source answers: print why, and exit 0 (CI must not fail because a network is closed).
3. Otherwise audit the lock files. Any known vulnerability fails (exit 1), unless its id is listed in
   requirements/audit-ignore.txt with a justification on the same line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pypi", "osv")  # pip-audit's names: its default vulnerability service first
PROBE_REQUIREMENT = "django==3.2\n"  # a release with many published advisories
PROBE_TIMEOUT = 5  # seconds per request: detect a closed network quickly
AUDIT_TIMEOUT = 20
REQUIREMENTS = ("requirements/base.lock", "requirements/dev.lock")
IGNORE_FILE = "requirements/audit-ignore.txt"


class Unreachable(Exception):
    """The advisory source gave no usable answer (network closed, timeout, or no data)."""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    vuln_id: str
    fix_versions: tuple[str, ...]


def read_ignores(text: str) -> dict[str, str]:
    """Parse the ignore list: `VULN-ID  justification`, one per line; # starts a comment line.

    Raise ValueError for an entry without a justification: every ignored advisory says why.
    """
    ignores: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"line {number}: {vuln_id} is ignored without a justification")
        ignores[vuln_id] = reason.strip()
    return ignores


def read_report(report: dict[str, Any]) -> tuple[list[Finding], list[str]]:
    """Return the vulnerabilities found and the packages that could not be audited.

    Raise Unreachable when not one package could be audited: the source has no data here.
    """
    dependencies = report.get("dependencies", [])
    skipped = [dep["name"] for dep in dependencies if dep.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        raise Unreachable(f"it knows none of the {len(dependencies)} package(s) asked about: no data")
    findings = [
        Finding(dep["name"], dep.get("version", "?"), vuln["id"], tuple(vuln.get("fix_versions", [])))
        for dep in dependencies
        for vuln in dep.get("vulns", [])
    ]
    return findings, skipped


def pip_audit(source: str, requirements: list[Path], *, timeout: int, extra: list[str]) -> dict[str, Any]:
    """Run pip-audit and return its JSON report; raise Unreachable if the source did not answer."""
    command = [sys.executable, "-m", "pip_audit", "--vulnerability-service", source, "--format", "json"]
    command += ["--progress-spinner", "off", "--disable-pip", "--timeout", str(timeout), *extra]
    for requirement in requirements:
        command += ["--requirement", str(requirement)]
    try:
        # Bounded overall too: one request per package, each up to `timeout` seconds.
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout * 40, check=False)
    except subprocess.TimeoutExpired as exc:
        raise Unreachable(f"pip-audit took longer than {exc.timeout:.0f} s") from exc
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unreachable(last[:300]) from None


def answering_source() -> tuple[str | None, list[str]]:
    """Return the first source that reports the probe's advisories, and why the others did not."""
    reasons = []
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "probe.txt"
        probe.write_text(PROBE_REQUIREMENT)
        for source in SOURCES:
            try:
                findings, _ = read_report(
                    pip_audit(source, [probe], timeout=PROBE_TIMEOUT, extra=["--no-deps"])
                )
            except Unreachable as exc:
                reasons.append(f"{source}: {exc}")
                continue
            if findings:
                return source, reasons
            reasons.append(
                f"{source}: reports no advisory for {PROBE_REQUIREMENT.strip()}, so it has no data"
            )
    return None, reasons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirement", action="append", type=Path, help="lock file (default: both)")
    parser.add_argument("--ignore-file", type=Path, default=ROOT / IGNORE_FILE)
    args = parser.parse_args()
    requirements = args.requirement or [ROOT / name for name in REQUIREMENTS]
    try:
        ignores = read_ignores(args.ignore_file.read_text()) if args.ignore_file.exists() else {}
    except ValueError as exc:
        print(f"audit: {args.ignore_file}: {exc}", file=sys.stderr)
        return 2

    source, reasons = answering_source()
    if source is None:
        print("audit: SKIPPED, no vulnerability database can be reached from here:")
        for reason in reasons:
            print(f"  {reason}")
        return 0
    extra = ["--require-hashes"] + [arg for vuln_id in ignores for arg in ("--ignore-vuln", vuln_id)]
    try:
        findings, skipped = read_report(pip_audit(source, requirements, timeout=AUDIT_TIMEOUT, extra=extra))
    except Unreachable as exc:
        print(f"audit: SKIPPED, the {source} vulnerability database stopped answering: {exc}")
        return 0
    names = ", ".join(
        str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in requirements
    )
    print(f"audit: {names} against the {source} vulnerability database")
    if ignores:
        print(f"  ignored with a justification ({args.ignore_file.name}): {', '.join(sorted(ignores))}")
    if skipped:
        print(f"  not audited (unknown to the database): {', '.join(sorted(skipped))}")
    for finding in findings:
        fixed = ", ".join(finding.fix_versions) or "no fixed release yet"
        print(f"  VULNERABLE {finding.package} {finding.version}: {finding.vuln_id} (fixed in: {fixed})")
    if findings:
        print(
            f"audit: FAILED, {len(findings)} known vulnerabilit{'y' if len(findings) == 1 else 'ies'}: "
            f"upgrade, or list the id in {IGNORE_FILE} with a justification"
        )
        return 1
    print("audit: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
