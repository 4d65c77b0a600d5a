"""The rooms of harness/ as docs/architecture.toml declares them: every module belongs to one room, and
no import goes against the layers or along a forbidden arrow."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
RULES = tomllib.loads((REPO / "docs" / "architecture.toml").read_text(encoding="utf-8"))


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((REPO / "harness").rglob("*.py"))}


def room_of(module: str) -> str | None:
    """The room whose longest prefix holds ``module`` (``harness`` itself only as an exact match)."""
    best: tuple[int, str] | None = None
    for room, prefixes in RULES["rooms"].items():
        for prefix in prefixes:
            exact = module == prefix
            inside = prefix != "harness" and module.startswith(f"{prefix}.")
            if (exact or inside) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), room)
    return best[1] if best else None


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved, ``TYPE_CHECKING`` blocks included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            # ``from harness.plugin import fixtures`` imports the module harness.plugin.fixtures.
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


def target_room(imported: str) -> str:
    """The room of a harness module, or the top-level package of anything else."""
    return (
        room_of(imported) or imported.split(".")[0]
        if imported.startswith("harness")
        else imported.split(".")[0]
    )


def problems(module: str, imported_modules: set[str]) -> list[str]:
    """Each import of ``module`` against its room's layers or along a ``never`` arrow, with the reason."""
    room = room_of(module)
    allowed = {room, *RULES["layers"][room]}
    found = []
    for imported in sorted(imported_modules):
        target = target_room(imported)
        if imported.startswith("harness") and target not in allowed:
            found.append(f"{module} ({room}) imports {imported} ({target}): not among its layers")
        for rule in RULES["never"]:
            if room in rule["from"] and target in rule["to"]:
                found.append(f"{module} ({room}) imports {imported} ({target}): {rule['why']}")
    return found


def test_every_module_belongs_to_a_room() -> None:
    assert [m for m in MODULES if room_of(m) is None] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_layers_and_avoid_the_forbidden_arrows(module: str) -> None:
    assert problems(module, imports(MODULES[module])) == []


def test_forbidden_arrows_are_caught() -> None:
    """The rules can fail: a declaration module importing pytest or the warehouse, the warehouse
    importing checking, checking importing the reference pipeline and anything importing the plugin."""
    cases = {
        "harness.declaration.model": {"pytest", "harness.warehouse.duckdb"},
        "harness.warehouse.duckdb": {"harness.checking.coverage"},
        "harness.checking.judge": {"harness.reference.jobs"},
        "harness.reporting.html": {"harness.plugin.hooks"},
    }
    for module, imported in cases.items():
        assert len([p for p in problems(module, imported) if "imports" in p]) >= len(imported), module
    assert room_of("harness.nowhere") is None
