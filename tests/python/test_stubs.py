"""The type stubs describe the extension exactly: names, members and signatures."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pytest

import yelpsearch
from yelpsearch import _native

STUB = Path(yelpsearch.__file__).with_name("_native.pyi")
TREE = ast.parse(STUB.read_text())


def public(names: Any) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def stub_top_level() -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}
    for node in TREE.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
    return out


STUBS = stub_top_level()
CLASSES = {n: c for n, c in STUBS.items() if isinstance(c, ast.ClassDef)}


def test_stub_files_ship_with_the_package() -> None:
    pkg = Path(yelpsearch.__file__).parent
    assert (pkg / "py.typed").is_file() and STUB.is_file()


def test_top_level_names_match() -> None:
    runtime = public(dir(_native)) | {"__version__"}
    assert set(STUBS) - {"_PathLike", "_Progress"} == runtime


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class_members_match(name: str) -> None:
    cls = getattr(_native, name)
    node = CLASSES[name]
    stub_members: set[str] = set()
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            stub_members.add(item.name)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            stub_members.add(item.target.id)
    runtime = public(vars(cls))
    if issubclass(cls, BaseException):
        runtime -= public(vars(BaseException))
    assert public(stub_members) == runtime
    for dunder in stub_members - public(stub_members):
        assert hasattr(cls, dunder), f"{name}.{dunder}"
    # Bases as in the stub.
    stub_bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
    assert [b.__name__ for b in cls.__bases__] == (stub_bases or ["object"])


def _params(fn: ast.FunctionDef) -> list[tuple[str, str, Any]]:
    a = fn.args
    out: list[tuple[str, str, Any]] = []
    pos = a.posonlyargs + a.args
    defaults: list[Any] = [inspect.Parameter.empty] * (len(pos) - len(a.defaults)) + [
        ast.literal_eval(d) for d in a.defaults
    ]
    for arg, default in zip(pos, defaults):
        out.append((arg.arg, "POSITIONAL_OR_KEYWORD", default))
    for arg, kw_default in zip(a.kwonlyargs, a.kw_defaults):
        default = inspect.Parameter.empty if kw_default is None else ast.literal_eval(kw_default)
        out.append((arg.arg, "KEYWORD_ONLY", default))
    return out


def _runtime_params(obj: Any) -> list[tuple[str, str, Any]]:
    sig = inspect.signature(obj)
    kind = {
        inspect.Parameter.POSITIONAL_ONLY: "POSITIONAL_OR_KEYWORD",
        inspect.Parameter.POSITIONAL_OR_KEYWORD: "POSITIONAL_OR_KEYWORD",
        inspect.Parameter.KEYWORD_ONLY: "KEYWORD_ONLY",
    }
    return [(p.name, kind.get(p.kind, str(p.kind)), p.default) for p in sig.parameters.values()]


def signatures() -> list[tuple[str, ast.FunctionDef, Any]]:
    out = []
    for name, node in STUBS.items():
        if isinstance(node, ast.FunctionDef):
            out.append((name, node, getattr(_native, name)))
    for cname, cnode in CLASSES.items():
        cls = getattr(_native, cname)
        for item in cnode.body:
            if not isinstance(item, ast.FunctionDef):
                continue
            decorators = {d.id for d in item.decorator_list if isinstance(d, ast.Name)}
            if "property" in decorators:
                assert isinstance(vars(cls)[item.name], type(_native.Hit.name)), item.name
                continue
            if item.name.startswith("__") and item.name != "__init__":
                continue
            target = cls if item.name == "__init__" else getattr(cls, item.name)
            out.append((f"{cname}.{item.name}", item, target))
    return out


@pytest.mark.parametrize(("name", "node", "obj"), signatures(), ids=lambda v: str(v)[:30])
def test_signatures_match(name: str, node: ast.FunctionDef, obj: Any) -> None:
    def strip(ps: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
        return ps[1:] if ps and ps[0][0] in ("self", "cls") else ps

    assert strip(_runtime_params(obj)) == strip(_params(node)), name


def test_runtime_docstrings_exist() -> None:
    for name, _, obj in signatures():
        if not name.endswith("__init__"):
            assert obj.__doc__ and obj.__doc__.strip(), name
