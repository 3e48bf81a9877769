"""The shape of the code: import layers point down only, no import cycles, and no warehouse is told
apart by its name outside the registry. Read from the source files themselves (ast), so a lazy import
inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sparkify_cli"

# Lowest first. A module may import its own layer (without cycles) and any layer below it.
LAYERS: list[tuple[str, ...]] = [
    ("errors", "progress", "days", "settings", "documents", "extras"),
    ("sql", "aws", "secrets"),
    ("sources",),
    ("warehouse",),
    ("services",),
    ("cli", "__main__"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("sparkify_cli", *parts))


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def layer(module: str) -> int:
    first = module.split(".")[1] if "." in module else ""
    for number, names in enumerate(LAYERS):
        if first in names:
            return number
    return -1  # the package itself (sparkify_cli/__init__.py): metadata only


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str, *, runtime_only: bool) -> set[str]:
    """The sparkify modules `module` imports; `from pkg import sub` names the submodule when there is one."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if runtime_only and isinstance(child, ast.If) and _type_checking(child):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("sparkify_cli"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("sparkify_cli"):
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    found.add(sub if sub in MODULES else child.module)
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def test_the_layers_name_every_module() -> None:
    assert [m for m in MODULES if layer(m) < 0] == ["sparkify_cli"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_only(module: str) -> None:
    upward = sorted(i for i in imports(module, runtime_only=False) if layer(i) > layer(module))
    assert not upward, f"{module} (layer {layer(module)}) imports higher layers: {upward}"


def test_no_import_cycles() -> None:
    graph = {m: imports(m, runtime_only=True) & set(MODULES) for m in MODULES}
    done: set[str] = set()
    path: list[str] = []

    def walk(node: str) -> None:
        if node in path:
            cycle = path[path.index(node) :] + [node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        path.append(node)
        for target in sorted(graph[node]):
            walk(target)
        path.pop()
        done.add(node)

    for module in sorted(graph):
        walk(module)


def test_warehouses_are_told_apart_only_by_the_registry() -> None:
    branch = re.compile(r"(dialect|warehouse)(\.name)? *[!=]= *")
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in SRC.rglob("*.py")
        if path != SRC / "warehouse" / "__init__.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if branch.search(line)
    ]
    assert not found, found


def test_only_warehouse_imports_drivers_and_only_aws_imports_boto3() -> None:
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        drivers = re.findall(r"^\s*(?:import|from) (duckdb|redshift_connector|psycopg)\b", text, re.M)
        if drivers:
            assert module.startswith("sparkify_cli.warehouse."), (module, drivers)
        if re.search(r"^\s*(?:import|from) (boto3|botocore)\b", text, re.M):
            assert module == "sparkify_cli.aws", module
