"""The seed's API (`typed_numpy`) rewritten to tnp's (`tnp_runtime`): a purely syntactic fix.

`from typed_numpy import FullDim, Typed, TypedResult, einsum` becomes the same import from
`tnp_runtime`, whose names and argument order are the seed's (einsum's operands first). `import
typed_numpy` becomes `import tnp_runtime as tnp`, with every `typed_numpy.X` written `tnp.X`
(or `import tnp_runtime as typed_numpy` when the module already binds `tnp`); `import typed_numpy
as t` becomes `import tnp_runtime as t`. An import of a name tnp does not have, or of a
submodule of the seed, is left as written and reported: there is nothing to rewrite it to.
The seed's accumulators (`c_accum = None`) work as they are; its running values that start as
numbers (`acc = 0`) are fixed from mypy's diagnostics, as any others (`running.py`).
"""

from __future__ import annotations

import libcst as cst

import tnp_runtime
from tnp_runtime.fix.edits import Edits, dotted
from tnp_runtime.fix.proposal import Plan, Proposal, Unfixed
from tnp_runtime.fix.source import Source

SEED = "typed_numpy"
TNP = "tnp_runtime"


def _name(dotted_name: str) -> cst.Name | cst.Attribute:
    expr = cst.parse_expression(dotted_name)
    assert isinstance(expr, cst.Name | cst.Attribute)
    return expr


def _binds(source: Source, name: str) -> bool:
    """True if the module binds `name` at its top level (an import, an assignment, a def)."""
    for node in source.nodes((cst.ImportAlias, cst.AssignTarget, cst.FunctionDef, cst.ClassDef)):
        match node:
            case cst.ImportAlias():
                bound = node.evaluated_alias or node.evaluated_name.split(".")[0]
                if bound == name:
                    return True
            case cst.AssignTarget():
                if isinstance(node.target, cst.Name) and node.target.value == name:
                    return True
            case cst.FunctionDef() | cst.ClassDef():
                if node.name.value == name:
                    return True
    return False


def propose(source: Source) -> Plan:
    """A proposal for each import of the seed's API in `source`."""
    proposals: list[Proposal] = []
    unfixed: list[Unfixed] = []
    public = set(tnp_runtime.__all__)
    for node in source.nodes((cst.ImportFrom, cst.Import)):
        line = source.range(node).start.line
        if isinstance(node, cst.ImportFrom) and not node.relative:
            module = dotted(node.module)
            if module != SEED and not module.startswith(SEED + "."):
                continue
            if module != SEED:
                unfixed.append(Unfixed(line, f"`from {module} import ...`: tnp has no module "
                                             "like it; rewrite this import by hand"))
                continue
            if not isinstance(node.names, cst.ImportStar):
                missing = [a.evaluated_name for a in node.names
                           if a.evaluated_name not in public]
                if missing:
                    unfixed.append(Unfixed(line, f"tnp_runtime has no {', '.join(missing)}: "
                                                 "rewrite this import by hand"))
                    continue
            assert node.module is not None
            new = node.with_changes(module=_name(TNP).with_changes())
            proposals.append(Proposal(line, f"import from {TNP} instead of {SEED}",
                                      f"seed:{line}", Edits(replace=((node, new),))))
        elif isinstance(node, cst.Import):
            proposals.extend(_plain_import(source, node, line))
    return Plan(tuple(proposals), tuple(unfixed))


def _plain_import(source: Source, node: cst.Import, line: int) -> list[Proposal]:
    aliases = list(node.names)
    seed = [a for a in aliases if a.evaluated_name == SEED]
    if not seed:
        return []
    replace: list[tuple[cst.CSTNode, cst.CSTNode]] = []
    for alias in seed:
        if alias.asname is not None:
            new_alias = alias.with_changes(name=cst.Name(TNP))
        elif _binds(source, "tnp"):
            new_alias = alias.with_changes(
                name=cst.Name(TNP), asname=cst.AsName(name=cst.Name(SEED)))
        else:
            new_alias = alias.with_changes(
                name=cst.Name(TNP), asname=cst.AsName(name=cst.Name("tnp")))
            for ref in source.nodes(cst.Attribute):
                assert isinstance(ref, cst.Attribute)
                if isinstance(ref.value, cst.Name) and ref.value.value == SEED:
                    replace.append((ref.value, cst.Name("tnp")))
        replace.append((alias, new_alias))
    return [Proposal(line, f"import {TNP} instead of {SEED}", f"seed:{line}",
                     Edits(replace=tuple(replace)))]
