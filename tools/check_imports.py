"""Find import cycles between shop_reco's packages, from the source's AST.

    python tools/check_imports.py            # exit 1 and print each cycle that spans packages
    python tools/check_imports.py --mermaid  # the package graph as a Mermaid flowchart

Every import counts, at module level or inside a function, because a
function-level import that closes a loop is still a loop, only hidden until
the function runs. Importing ``a.b.c`` also runs ``a`` and ``a.b``, so it
counts as importing all three. Two kinds of import never run and are left out:
those under ``if TYPE_CHECKING:`` and the lazy face of a package (PEP 562's
module ``__getattr__`` in an ``__init__.py``): ``from shop_reco import
ShopReco`` counts as importing the module that ``__getattr__`` loads for
``ShopReco``, while ``import shop_reco`` alone loads nothing more.

A cycle inside one package (a package's ``__init__`` and its own modules) is
allowed; a cycle that runs through two packages (``shop_reco`` itself counts
as the package of its top-level modules) is a layering error.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    #: module name -> line numbers of the imports that load it
    imports: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: attribute served lazily by a package's ``__getattr__`` -> the module that serves it
    lazy: dict[str, str] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


def discover(package_dir: Path) -> dict[str, Module]:
    """Every module of the package rooted at ``package_dir``, by dotted name."""
    modules: dict[str, Module] = {}
    base = package_dir.parent
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, skip_lazy_face: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that can run, with whether it sits in the lazy ``__getattr__``."""

    def walk(node: ast.AST, in_face: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for orelse in child.orelse:
                    yield from walk_one(orelse, in_face)
                continue
            yield from walk_one(child, in_face)

    def walk_one(node: ast.AST, in_face: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_face
            return
        face = in_face or (
            skip_lazy_face and isinstance(node, ast.FunctionDef) and node.name == "__getattr__" and node in top_level
        )
        yield from walk(node, face)

    top_level = set(getattr(tree, "body", []))
    yield from walk(tree, False)


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _with_parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        yield ".".join(parts[:i])


def parse(modules: dict[str, Module]) -> None:
    """Fill in every module's imports (lazy faces first, since others resolve through them)."""
    trees = {name: ast.parse(mod.path.read_text(encoding="utf-8"), str(mod.path)) for name, mod in modules.items()}
    for name, mod in modules.items():
        if not mod.is_package:
            continue
        for node, in_face in _imports(trees[name], skip_lazy_face=True):
            if in_face and isinstance(node, ast.ImportFrom):
                source = _absolute(mod, node)
                for alias in node.names:
                    mod.lazy[alias.asname or alias.name] = source
    for name, mod in modules.items():
        for node, in_face in _imports(trees[name], skip_lazy_face=mod.is_package):
            if in_face:
                continue
            if isinstance(node, ast.Import):
                targets = [t for alias in node.names for t in _with_parents(alias.name)]
            else:
                source = _absolute(mod, node)
                targets = list(_with_parents(source))
                target_mod = modules.get(source)
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules:
                        targets.append(sub)
                    elif target_mod is not None and alias.name in target_mod.lazy:
                        targets.extend(_with_parents(target_mod.lazy[alias.name]))
            for target in targets:
                if target in modules and target != name:
                    mod.imports[target].append(node.lineno)


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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


def _paths_from(graph: Mapping[str, Iterable[str]], start: str, members: set[str]) -> dict[str, list[str]]:
    """Shortest path from ``start`` to every module of ``members`` it reaches, staying inside them."""
    paths = {start: [start]}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return paths


def shortest_cycle(graph: Mapping[str, Iterable[str]], component: list[str], package_of: dict[str, str]) -> list[str]:
    """One shortest loop through the component that passes through two packages."""
    members = set(component)
    paths = {start: _paths_from(graph, start, members) for start in component}
    best: list[str] = []
    for a in component:
        for b in component:
            if package_of[a] == package_of[b] or b not in paths[a] or a not in paths[b]:
                continue
            cycle = paths[a][b] + paths[b][a][1:]
            if not best or len(cycle) < len(best):
                best = cycle
    return best


def check(package_dir: Path) -> tuple[dict[str, Module], list[list[str]]]:
    """The modules and every strongly connected component that spans packages."""
    modules = discover(package_dir)
    parse(modules)
    graph = {name: list(mod.imports) for name, mod in modules.items()}
    spanning = [c for c in strongly_connected(graph) if len({modules[m].package for m in c}) > 1]
    return modules, spanning


def mermaid(modules: dict[str, Module]) -> str:
    """The graph between packages (and top-level modules), as a Mermaid flowchart."""

    def unit(name: str) -> str:
        parts = name.split(".")
        mod = modules[name]
        if len(parts) == 1:
            return name
        if len(parts) == 2 and not mod.is_package:
            return name  # a top-level module such as shop_reco.extension
        return ".".join(parts[:2])

    edges: set[tuple[str, str]] = set()
    for name, mod in modules.items():
        for target in mod.imports:
            a, b = unit(name), unit(target)
            if a != b and b != name.split(".")[0]:
                edges.add((a, b))
    lines = ["flowchart TD"]
    ids = {u: u.replace(".", "_") for pair in edges for u in pair}
    for u in sorted(ids):
        lines.append(f'    {ids[u]}["{u.partition(".")[2] or u}"]')
    for a, b in sorted(edges):
        lines.append(f"    {ids[a]} --> {ids[b]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default=str(ROOT / "shop_reco"), help="the package folder")
    parser.add_argument("--mermaid", action="store_true", help="print the package graph as Mermaid and exit")
    args = parser.parse_args(argv)
    modules, spanning = check(Path(args.package))
    if args.mermaid:
        print(mermaid(modules), end="")
        return 0
    graph = {name: list(mod.imports) for name, mod in modules.items()}
    base = Path(args.package).resolve().parent
    for component in spanning:
        packages = sorted({modules[m].package for m in component})
        print(f"import cycle through {len(component)} modules in {len(packages)} packages: {', '.join(packages)}")
        cycle = shortest_cycle(graph, component, {m: modules[m].package for m in component})
        for a, b in zip(cycle, cycle[1:], strict=False):
            lines = ", ".join(str(n) for n in sorted(set(modules[a].imports[b])))
            print(f"    {modules[a].path.resolve().relative_to(base)}:{lines}  {a} -> {b}")
        others = sorted(set(component) - set(cycle))
        if others:
            print(f"    also in this loop: {', '.join(others)}")
    if spanning:
        return 1
    print(f"no import cycle between packages ({len(modules)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
