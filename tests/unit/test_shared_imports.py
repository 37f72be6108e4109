"""``shared/`` imports without cycles (type-checking imports count too): each module can be read, tested and
reused from its own imports down."""

from __future__ import annotations

import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def module_name(path: Path) -> str:
    parts = path.relative_to(SHARED.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {name for name in names if name in known}
    return found


def cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        path.append(node)
        for child in sorted(graph[node]):
            if (found := visit(child)) is not None:
                return found
        path.pop()
        return None

    return visit(start)


def test_shared_has_no_import_cycle() -> None:
    files = {module_name(p): p for p in SHARED.rglob("*.py")}
    graph = {name: imports_of(path, set(files)) - {name} for name, path in files.items()}
    # a package's __init__ re-exporting its modules is not a cycle of the modules themselves
    graph = {name: {d for d in deps if not name.startswith(f"{d}.")} for name, deps in graph.items()}
    cycles = [c for name in sorted(graph) if (c := cycle_from(name, graph)) is not None]
    assert cycles == []
