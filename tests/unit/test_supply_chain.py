"""The supply-chain gate's policy: which pip-audit findings fail the build."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("koppelwerk_audit", ROOT / "scripts" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


audit = _audit()
ACCEPTED = {"CVE-2024-23342": "ecdsa"}


def report(*dependencies: dict[str, object]) -> dict[str, object]:
    return {"dependencies": list(dependencies), "fixes": []}


def vuln(id_: str, *aliases: str, fixes: tuple[str, ...] = ()) -> dict[str, object]:
    return {"id": id_, "aliases": list(aliases), "fix_versions": list(fixes), "description": ""}


def test_an_unaccepted_finding_fails_the_build_naming_package_and_fix() -> None:
    verdict = audit.judge(
        report({"name": "jinja2", "version": "2.4.1", "vulns": [vuln("PYSEC-2019-217", "CVE-2019-10906", fixes=("2.10.1",))]}),
        ACCEPTED,
    )
    assert verdict.refused == ["jinja2 2.4.1: PYSEC-2019-217 / CVE-2019-10906 (fixed in: 2.10.1)"]
    assert verdict.failed(audit_required=False)


def test_an_accepted_finding_matches_by_alias_and_only_for_its_package() -> None:
    ecdsa = {"name": "ecdsa", "version": "0.19.2", "vulns": [vuln("GHSA-wj6h-64fc-37mp", "CVE-2024-23342")]}
    other = {"name": "fastecdsa", "version": "1.0", "vulns": [vuln("GHSA-xxxx", "CVE-2024-23342")]}
    verdict = audit.judge(report(ecdsa, other), ACCEPTED)
    assert verdict.accepted == ["ecdsa 0.19.2: GHSA-wj6h-64fc-37mp / CVE-2024-23342"]
    assert [line.split(":")[0] for line in verdict.refused] == ["fastecdsa 1.0"]
    assert verdict.failed(audit_required=False)


def test_a_clean_audit_passes() -> None:
    verdict = audit.judge(report({"name": "fastapi", "version": "0.165.0", "vulns": []}), ACCEPTED)
    assert verdict.audited == 1 and not verdict.failed(audit_required=True)


def test_an_unreachable_service_is_reported_and_fails_only_when_required() -> None:
    skipped = {"name": "fastapi", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    verdict = audit.judge(report(skipped), ACCEPTED)
    assert verdict.service_unreachable and verdict.unaudited == ["fastapi"]
    assert not verdict.failed(audit_required=False)
    assert verdict.failed(audit_required=True)


def test_every_accepted_finding_names_its_package_and_reason() -> None:
    document = tomllib.loads((ROOT / "scripts" / "accepted-vulnerabilities.toml").read_text(encoding="utf-8"))
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8").lower()
    for entry in document["accepted"]:
        assert entry["id"] and len(entry["reason"].split()) >= 10
        assert f"{entry['package'].lower()}==" in constraints, f"{entry['package']} is no longer pinned: drop it"
    assert audit.accepted_ids(document) == ACCEPTED
