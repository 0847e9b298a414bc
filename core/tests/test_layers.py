"""The house's floors, checked on the source: who may import whom, and no import cycles.

Every production module of the project's packages is parsed (tests and migrations left out),
and every import counts, also one inside a function: a function-level import is a dependency
too, only a later one. The rules (README, "Layout"):

- ``core`` is the ground floor: it imports no app of the project;
- the apps depend one way: accounts -> matching -> goals -> meetings / evaluations -> notifications -> coordination;
  a lower app tells a higher one through a signal or a registry, never an import;
- no app imports ``mentorprogramma`` (configuration: settings are read through ``django.conf``);
- no app imports ``coordination``, the roof; ``mentorprogramma.urls`` may;
- no cycle between packages, nor between modules.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Lower floors first; a package may import only packages of a lower floor.
FLOORS = {
    "core": 0,
    "accounts": 1,
    "matching": 2,
    "goals": 3,
    "meetings": 4,
    "evaluations": 4,
    "notifications": 5,
    "coordination": 6,
}
CONFIGURATION = "mentorprogramma"
PACKAGES = [*FLOORS, CONFIGURATION]

# Edges that break the rules today and are being removed, each with who removes it and a comment.
# (module, imported module). Keep this empty.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _production_modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every name an import statement anywhere in the module (functions included) reaches."""
    here = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            names.add(target)
            # `from matching import services` imports the module matching.services.
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _module_graph() -> dict[str, set[str]]:
    modules = _production_modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, (path, is_package) in modules.items():
        names = _imported_names(ast.parse(path.read_text(), str(path)), module, is_package)
        graph[module] = {
            target
            for name in names
            if name.split(".")[0] in PACKAGES and (target := owner(name)) is not None and target != module
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iteratively)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def graph():
    return _module_graph()


def _package(module: str) -> str:
    return module.split(".")[0]


def _edges(graph, *, allowed=KNOWN_EXCEPTIONS):
    return [
        (module, target)
        for module, targets in graph.items()
        for target in sorted(targets)
        if (module, target) not in allowed
    ]


def test_the_parser_sees_imports_inside_functions_and_relative_imports():
    source = (
        "from . import selectors\nfrom ..models import Match\n\ndef later():\n    from matching.services import x\n"
    )
    names = _imported_names(ast.parse(source), "notifications.emails.pairs", is_package=False)
    assert {"notifications.emails.selectors", "notifications.models.Match", "matching.services.x"} <= names
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_covers_the_project(graph):
    assert "notifications.services" in graph and "core.fields" in graph
    assert not any("tests" in module.split(".") or "migrations" in module.split(".") for module in graph)
    # A function-level import is an edge like any other.
    assert "matching.services" in graph["notifications.services"]


def test_no_module_imports_another_that_imports_it_back(graph):
    assert _cycles(graph) == []


def test_no_package_imports_another_that_imports_it_back(graph):
    packages = defaultdict(set)
    for module, target in _edges(graph):
        if _package(module) != _package(target):
            packages[_package(module)].add(_package(target))
    assert _cycles(packages) == []


def test_the_ground_floor_imports_no_app(graph):
    assert [
        (module, target)
        for module, target in _edges(graph)
        if _package(module) == "core" and _package(target) != "core"
    ] == []


def test_no_app_imports_the_configuration_package(graph):
    assert [
        (module, target)
        for module, target in _edges(graph)
        if _package(module) in FLOORS and _package(target) == CONFIGURATION
    ] == []


def test_no_app_imports_the_roof(graph):
    assert [
        (module, target)
        for module, target in _edges(graph)
        if _package(module) in FLOORS and _package(module) != "coordination" and _package(target) == "coordination"
    ] == []


def test_the_apps_depend_one_way(graph):
    upwards = [
        (module, target)
        for module, target in _edges(graph)
        if _package(module) in FLOORS
        and _package(target) in FLOORS
        and _package(module) != _package(target)
        and FLOORS[_package(target)] >= FLOORS[_package(module)]
    ]
    assert upwards == []


def test_the_known_exceptions_are_still_needed(graph):
    """An exception that no longer occurs is removed from the list, so it cannot hide a new one."""
    assert [edge for edge in KNOWN_EXCEPTIONS if edge[1] not in graph.get(edge[0], set())] == []
