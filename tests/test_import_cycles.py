"""No import cycles between jobguard's top-level packages (``engine``, ``check``, ``report``, ...).

Why a test: the README draws one direction (jobspec -> engine -> report -> fronts), and a cycle usually hides in an
import inside a function, where Python does not complain until the wrong module is imported first. So every
``import`` in the source counts, wherever it sits (module level, function body, ``TYPE_CHECKING`` block): the
``ast`` walk below sees what a reader sees, without importing anything.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import jobguard

PACKAGE_DIR = Path(jobguard.__file__).parent
ROOT = "jobguard"  # the package's own ``__init__`` (``from jobguard import __version__``)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The top-level package (or top-level module) a dotted name belongs to."""
    parts = module.split(".")
    if parts[0] != "jobguard":
        return ""
    if len(parts) == 1:
        return ROOT
    return parts[1] if (PACKAGE_DIR / parts[1]).is_dir() or (PACKAGE_DIR / f"{parts[1]}.py").exists() else ROOT


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Dotted names of the jobguard modules one import statement reaches."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    # ``from jobguard import plugins`` imports the module jobguard.plugins, not the package's __init__
    return [f"{target}.{alias.name}" for alias in node.names] + [target]


def package_graph() -> dict[str, dict[str, set[str]]]:
    """unit -> imported unit -> the modules of ``unit`` that import it."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        module = _module_name(path)
        source = _unit(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = _imported(node, module, path.name == "__init__.py")
            if not names:
                continue
            # of "pkg.mod.name" and "pkg.mod", the longest one that is a real module decides the unit
            targets = {_unit(name) for name in names[:-1] if _is_module(name)} or {_unit(names[-1])}
            for target in targets - {"", source}:
                graph[source][target].add(module)
    return graph


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE_DIR / rel).is_dir() or (PACKAGE_DIR / rel).with_suffix(".py").exists()


def find_cycle(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    """One cycle as a list of units (first == last), or [] when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(unit: str) -> list[str]:
        state[unit] = 1
        stack.append(unit)
        for nxt in sorted(graph.get(unit, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[unit] = 2
        return []

    for unit in sorted(graph):
        if unit not in state and (found := visit(unit)):
            return found
    return []


def test_no_import_cycle_between_top_level_packages() -> None:
    graph = package_graph()
    cycle = find_cycle(graph)
    where = [f"{a} -> {b} in {', '.join(sorted(graph[a][b]))}" for a, b in zip(cycle, cycle[1:], strict=False)]
    assert not cycle, "import cycle between packages:\n  " + "\n  ".join(where)


def test_graph_sees_imports_inside_functions() -> None:
    """The walk must count function-level imports, or it would miss exactly the cycles the issue was about."""
    graph = package_graph()
    assert "proxy" in graph["cli"]  # cli/serve.py imports jobguard.proxy only inside the command function
    assert "engine" not in graph.get("rules", {})  # the rule pack is a plugin: it does not reach into the engine


def test_find_cycle_reports_a_cycle() -> None:
    graph = {"a": {"b": {"jobguard.a.x"}}, "b": {"c": {"jobguard.b.y"}}, "c": {"a": {"jobguard.c.z"}}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": set()}, "b": {}}) == []
