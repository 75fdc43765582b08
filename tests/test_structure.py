"""The structure the architecture promises (docs/architecture.md), checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAX_POSITIONAL = 8


def _modules(package: str):
    for path in sorted((REPO / package).glob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _defined_functions() -> set[str]:
    return {node.name for _, tree in _modules("model") for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_no_call_in_model_passes_more_than_eight_positional_arguments():
    """Long argument lists go by name (``Kernel`` binds arrays; inner kernel calls use keywords), so two
    arrays of one type can never be swapped unnoticed."""
    ours = _defined_functions()
    long_calls = []
    for path, tree in _modules("model"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in ours and len(node.args) > MAX_POSITIONAL:
                    long_calls.append(f"{path.name}:{node.lineno} {name} ({len(node.args)} positional)")
    assert not long_calls, long_calls


def _imports(package: str) -> set[str]:
    found = set()
    for _, tree in _modules(package):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_layers_import_only_downwards():
    """model imports no other layer of the project; analysis and reference do not import experiments; the
    app sits on top of them all, and none imports it."""
    assert not _imports("model") & {"experiments", "analysis", "reference", "app"}
    assert not _imports("analysis") & {"experiments", "app"}
    assert not _imports("reference") & {"experiments", "app"}
    assert "app" not in _imports("experiments")


def test_reference_takes_the_shared_contract_from_the_engine():
    """The plain-Mesa reference restates every rule but imports the draw indices, codes and scenario
    window, so a renumbered draw cannot silently desynchronise the two."""
    source = "\n".join(path.read_text() for path, _ in _modules("reference"))
    assert "from model.draws import" in source and "from model.week import" in source
    for path, tree in _modules("reference"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.Tuple, ast.BinOp)):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)] + [
                    e.id for t in node.targets if isinstance(t, ast.Tuple) for e in t.elts if isinstance(e, ast.Name)]
                assert not any(name.lstrip("_").isupper() and name.lstrip("_") in _CONTRACT for name in names), \
                    f"{path.name}:{node.lineno} restates {names} (import it from model.draws)"


_CONTRACT = {name for name in vars(__import__("model.draws", fromlist=["x"])) if name.isupper()}
