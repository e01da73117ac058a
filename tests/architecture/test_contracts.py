"""The portal's own import contract finds private names imported across modules."""

import sys
import textwrap

import grimp
import pytest

from tests.architecture.contracts import _private_name_imports


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throwaway package ``pkg`` on sys.path, written from {relative path: source}."""

    def write(files: dict[str, str]) -> grimp.ImportGraph:
        for path, source in files.items():
            target = tmp_path / "pkg" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(tmp_path))
        return grimp.build_graph("pkg", cache_dir=None)

    yield write
    for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
        del sys.modules[name]


def test_a_private_name_of_another_module_is_reported_with_its_line(package):
    graph = package(
        {
            "__init__.py": "",
            "a.py": "_secret = 1\npublic = 2\n",
            "b.py": "from .a import public\n\n\ndef f():\n    from pkg.a import _secret\n",
        }
    )
    found = _private_name_imports("pkg.b", graph)
    assert [(f.importer, f.line, f.imported, f.name) for f in found] == [
        ("pkg.b", 5, "pkg.a", "_secret")
    ]


def test_a_private_module_of_the_same_package_and_dunders_are_allowed(package):
    graph = package(
        {
            "__init__.py": "",
            "commands/__init__.py": "",
            "commands/_helpers.py": "def dump():\n    pass\n",
            "commands/run.py": "from . import _helpers\nfrom ._helpers import dump\n"
            "from pkg import __name__ as n\n",
        }
    )
    assert _private_name_imports("pkg.commands.run", graph) == []


def test_a_private_module_of_another_package_is_reported(package):
    graph = package(
        {
            "__init__.py": "",
            "one/__init__.py": "",
            "one/_inner.py": "x = 1\n",
            "two.py": "from pkg.one import _inner\n",
        }
    )
    assert [f.name for f in _private_name_imports("pkg.two", graph)] == ["_inner"]
