"""The structure the architecture promises (docs/architecture.md), checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAX_POSITIONAL = 8


def _modules(package: str):
    for path in sorted((REPO / package).rglob("*.py")):
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


# The layers of model/ (docs/architecture.md): the contract at the bottom, then the library, the phases side by side
# (with the front door's interface to programmes), the programmes, and the assembly that names them all.
CONTRACT = {"codes", "rng", "draws", "week", "params", "state", "component", "schema", "recorder", "checkpoint",
            "outputs", "summary", "levers", "area"}
ASSEMBLY = {"population", "components", "simulation", "config", "parameter_table", "__init__"}
INTERFACE = "phases.conversation"


def _model_graph() -> dict[str, set[str]]:
    """model/'s modules (dotted, relative to model: ``phases.life``) -> the model modules each imports."""
    graph = {}
    for path in sorted((REPO / "model").rglob("*.py")):
        name = ".".join(path.relative_to(REPO / "model").with_suffix("").parts)
        package = name.split(".")[:-1]  # an __init__'s package is itself
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[:len(package) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                    names = [target] if node.module else [".".join(base + [a.name]) for a in node.names]
                elif node.module and node.module.startswith("model"):
                    names = [node.module.removeprefix("model").lstrip(".")]
                else:
                    continue
                found |= {n for n in names if n}
            elif isinstance(node, ast.Import):
                found |= {a.name.removeprefix("model.") for a in node.names if a.name.startswith("model.")}
        graph[name] = {target for target in found if target != name}
    return graph


def _layer(module: str) -> str:
    top = module.split(".")[0]
    if module == INTERFACE:
        return "interface"
    if top in ("lib", "phases", "programmes"):
        return top if module not in ("lib", "phases", "programmes") else "package"
    return "contract" if top in CONTRACT else "assembly" if top in ASSEMBLY else "unknown"


def test_every_model_module_has_a_layer():
    assert not [m for m in _model_graph() if _layer(m) == "unknown"]


def test_model_has_no_import_circle():
    graph = _model_graph()
    seen, on_path, circles = set(), [], []

    def visit(module):
        if module in on_path:
            circles.append(on_path[on_path.index(module):] + [module])
            return
        if module in seen:
            return
        seen.add(module)
        on_path.append(module)
        for target in graph.get(module, ()):
            visit(target)
        on_path.pop()

    for module in graph:
        visit(module)
    assert not circles, circles


def test_layers_of_model_import_only_downwards():
    """The contract imports nothing above it; the library only the contract; a phase only the contract, the
    library and the front door's interface (phases stand side by side: none imports another); a programme
    only those and its own base; only the assembly names them all."""
    allowed = {"contract": {"contract"}, "package": {"contract"}, "lib": {"contract", "lib"},
               "interface": {"contract", "lib"}, "phases": {"contract", "lib", "interface"},
               "programmes": {"contract", "lib", "interface", "programmes"}}
    wrong = [f"{m} imports {t}" for m, targets in _model_graph().items() if _layer(m) in allowed
             for t in targets if _layer(t) not in allowed[_layer(m)] and t not in ("lib", "phases", "programmes")]
    assert not wrong, wrong


def test_programmes_import_no_phase_but_the_front_doors_interface():
    graph = _model_graph()
    reached = {m: {t for t in targets if t.startswith("phases.")} for m, targets in graph.items()
               if m.startswith("programmes.")}
    assert all(targets <= {INTERFACE} for targets in reached.values()), reached
