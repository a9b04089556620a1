"""Supply-chain gate: audit the pinned dependencies (constraints.txt) for known vulnerabilities.

Runs pip-audit against its vulnerability service and fails on any finding that is not accepted, with its
reason, in scripts/accepted-vulnerabilities.toml. A dependency pip-audit could not look up is reported by
name; when none could be looked up the vulnerability service is unreachable, which fails only when
KOPPELWERK_AUDIT_REQUIRED=true (a machine without access to it can still run the rest of the checks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED_FILE = ROOT / "scripts" / "accepted-vulnerabilities.toml"


@dataclass
class Verdict:
    audited: int = 0
    unaudited: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def service_unreachable(self) -> bool:
        return self.audited == 0 and bool(self.unaudited)

    def failed(self, audit_required: bool) -> bool:
        return bool(self.refused) or (audit_required and bool(self.unaudited))


def accepted_ids(document: dict[str, Any]) -> dict[str, str]:
    """Accepted finding id → the package it was accepted for."""
    return {entry["id"]: entry["package"] for entry in document.get("accepted", [])}


def judge(report: dict[str, Any], accepted: dict[str, str]) -> Verdict:
    """Sort pip-audit's JSON report into audited, unaudited, accepted and refused findings."""
    verdict = Verdict()
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        if "skip_reason" in dependency:
            verdict.unaudited.append(name)
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            line = f"{name} {dependency.get('version', '?')}: {' / '.join(ids)}"
            if any(accepted.get(i) == name for i in ids):
                verdict.accepted.append(line)
            else:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
                verdict.refused.append(f"{line} (fixed in: {fixes})")
    return verdict


def run_pip_audit() -> dict[str, Any]:
    command = [
        sys.executable, "-m", "pip_audit", "--requirement", str(ROOT / "constraints.txt"),
        "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    # pip-audit exits 1 when it finds vulnerabilities; its JSON report is on stdout either way.
    if not done.stdout.strip():
        sys.exit(f"pip-audit gave no report (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout))


def main() -> int:
    accepted = accepted_ids(tomllib.loads(ACCEPTED_FILE.read_text(encoding="utf-8")))
    verdict = judge(run_pip_audit(), accepted)
    required = os.environ.get("KOPPELWERK_AUDIT_REQUIRED", "").lower() == "true"
    print(f"audited {verdict.audited} pinned dependencies, could not audit {len(verdict.unaudited)}")
    for line in verdict.accepted:
        print(f"  accepted (see {ACCEPTED_FILE.name}): {line}")
    for line in verdict.refused:
        print(f"  VULNERABLE: {line}")
    if verdict.service_unreachable:
        print("  the vulnerability service could not be reached: nothing was audited"
              + ("" if required else " (set KOPPELWERK_AUDIT_REQUIRED=true to make this fail)"))
    elif verdict.unaudited:
        print(f"  not audited: {', '.join(verdict.unaudited)}")
    return 1 if verdict.failed(required) else 0


if __name__ == "__main__":
    sys.exit(main())
