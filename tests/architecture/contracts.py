"""Import-linter contract types of the portal's own (``.importlinter`` names them)."""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True)
class PrivateNameImport:
    """One ``from module import _name`` of a private name from another module."""

    importer: str
    line: int
    imported: str
    name: str


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from … import`` statement reads from."""
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _source(module: str) -> tuple[Path, bool] | None:
    """The module's file and whether it is a package, found without importing it (importing
    an app's module before Django is set up fails)."""
    for root in map(Path, sys.path):
        base = root.joinpath(*module.split("."))
        if (base / "__init__.py").is_file():
            return base / "__init__.py", True
        if base.with_suffix(".py").is_file():
            return base.with_suffix(".py"), False
    return None


def _private_name_imports(module: str, graph: grimp.ImportGraph) -> list[PrivateNameImport]:
    found_source = _source(module)
    if found_source is None:
        return []
    path, is_package = found_source
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        imported = _resolve(module, is_package, node)
        for alias in node.names:
            if not _is_private(alias.name):
                continue
            submodule = f"{imported}.{alias.name}"
            # A private module may be imported from within its own package: that is what a
            # leading underscore on a module means (Django's management/commands/_helpers).
            inside = module == imported or module.startswith(imported + ".")
            if submodule in graph.modules and inside:
                continue
            found.append(PrivateNameImport(module, node.lineno, imported, alias.name))
    return found


class PrivateNamesContract(Contract):
    """No module imports a private name (``_name``) that another module defines.

    Configuration options:
        - modules: the packages whose modules are checked (all their descendants).
    """

    type_name = "private_names"

    modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found: list[PrivateNameImport] = []
        for package in self.modules:  # type: ignore[attr-defined]
            for module in sorted({package} | graph.find_descendants(package)):
                found += _private_name_imports(module, graph)
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["found"]:
            output.print_error(
                f"{item.importer}:{item.line} imports the private name {item.name} "
                f"of {item.imported}",
                bold=False,
            )
            output.new_line()
