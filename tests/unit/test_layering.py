"""The layering rule made executable: domain/ imports no web, ORM or JWT library, and persistence/
never imports the HTTP layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "domain": {"fastapi", "starlette", "sqlmodel", "sqlalchemy", "jose", "api", "persistence", "pydantic_settings"},
    "persistence": {"fastapi", "starlette", "jose", "api"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer: str) -> None:
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files, f"no Python files found in {layer}/"
    violations = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[layer])
        for path in files
        if _imports(path) & FORBIDDEN[layer]
    }
    assert violations == {}


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy import select\nimport fastapi.routing\n")
    assert _imports(sample) & FORBIDDEN["domain"] == {"sqlalchemy", "fastapi"}
