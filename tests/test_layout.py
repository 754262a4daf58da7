"""The package tree shows the pipeline: imports flow one way, from later stages to earlier ones.

The stages, earliest first (README, "What it does"): the core modules (``errors``, ``text``,
``_version``), ``io``, ``gazette``, ``network``, ``build``, ``engine``, ``valuation``, ``jobs``,
``outputs``, ``service``, ``cli`` and ``qgis`` (the QGIS Processing provider, which runs the
commands' bodies inside QGIS). ``progress`` is core too: every loop tells it how far it got.
I/O comes first because every stage reads or writes files through it (the gazette's tables, the
network's layers, the built grade map).

Every ``import`` counts, also one inside a function or under ``TYPE_CHECKING``: a lazy import
hides a circle from Python at start-up, not from the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "landgrade"
STAGES = ("core", "io", "gazette", "network", "build", "engine", "valuation", "jobs", "outputs",
          "service", "cli", "qgis")
CORE = {"landgrade.errors", "landgrade.text", "landgrade._version", "landgrade.progress"}
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = ["landgrade", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def stage(module: str) -> int | None:
    """The stage's position; None for the top-level package, which only names the API."""
    if module in CORE:
        return 0
    if module == "landgrade":
        return None
    return STAGES.index(module.split(".")[1])


def imports_of(module: str) -> set[str]:
    """The landgrade modules ``module`` imports, wherever in its text the import is."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "landgrade")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "landgrade":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            pytest.fail(f"{module}: relative import; write landgrade.<stage>.<module>")
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_belongs_to_a_stage() -> None:
    for m in MODULES:
        assert m == "landgrade" or m in CORE or m.split(".")[1] in STAGES, (
            f"{m} is in no stage; put it in one of {STAGES} (or the core modules)")


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a later stage (or of the top-level package) by an earlier one."""
    found = []
    for m, targets in graph.items():
        for t in targets:
            if stage(m) is not None and (stage(t) is None or stage(t) > stage(m)):
                found.append(f"{m} ({STAGES[stage(m)]}) imports {t} "
                             f"({'the package' if stage(t) is None else STAGES[stage(t)]})")
    return sorted(found)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of two or more modules (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return found


def test_every_import_names_a_module_that_exists() -> None:
    missing = [f"{m} imports {t}" for m, ts in GRAPH.items() for t in ts if t not in MODULES]
    assert not missing, missing


def test_imports_flow_from_later_stages_to_earlier_ones() -> None:
    assert not upward_imports(GRAPH), "\n".join(upward_imports(GRAPH))


def test_no_import_circle() -> None:
    assert not circles(GRAPH), f"import circles: {circles(GRAPH)}"


def test_the_checks_catch_a_circle_and_an_upward_import() -> None:
    # The checks above must be able to fail: a made-up graph with both faults.
    fake = {"landgrade.gazette.a": {"landgrade.engine.b"},
            "landgrade.engine.b": {"landgrade.gazette.a"},
            "landgrade.jobs.c": {"landgrade.engine.b"}}
    assert circles(fake) == [["landgrade.engine.b", "landgrade.gazette.a"]]
    assert upward_imports(fake) == [
        "landgrade.gazette.a (gazette) imports landgrade.engine.b (engine)"]


def test_a_module_never_imports_its_own_package() -> None:
    # A package's __init__ re-exports its modules for users; a module of that package that
    # imported the __init__ would close a circle through it.
    bad = [f"{m} imports {t}" for m, targets in GRAPH.items() for t in targets
           if MODULES[m].name != "__init__.py" and m.startswith(t + ".") and t != "landgrade"]
    assert not bad, bad


def test_modules_stay_readable() -> None:
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
