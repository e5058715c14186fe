"""An accumulator that starts as `None` (the seed's `c_accum = None`): annotated `c_accum: Typed
| None = None` where mypy took it for `None` alone, and `assert c_accum is not None` inserted
before a statement that uses it where a Typed is needed.

The findings are mypy's errors about the name, at the column where it starts: where mypy took
the name for `None` ('Unsupported operand types for + ("None" and "Typed[Any]")', mypy before
2.0 in a module's loops), the first binding, `c_accum = None` in the same scope, is annotated;
where it is "Typed[...] | None" and a Typed is needed (`c.assign(c_accum)`: 'Argument 1 to
"assign" of "TypedResult" has incompatible type "Typed[Any] | None"'), the assert goes before
the statement. Neither changes a value: the annotation is not run, and the assert fails loudly
at run time if the value is still None (a loop that ran no iteration), where the runtime would
have failed at the `assign` anyway.
"""

from __future__ import annotations

import re
from typing import Final

import libcst as cst

from tnp_runtime.fix import running
from tnp_runtime.fix.edits import Edits
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal
from tnp_runtime.fix.source import Source

_NONE_FOR_TYPED: Final = re.compile(
    r'(?:Unsupported operand types for \S+ \("None" and "Typed|'
    r'Unsupported left operand type for \S+ \("None"\)|'
    r'expression has type "Typed\[[^"]*\]", variable has type "None")'
)
_OPTIONAL_TYPED: Final = re.compile(r'"(?:Typed\[[^"]*\] \| None|None \| Typed\[[^"]*\]|'
                                    r'Optional\[Typed\[[^"]*\]\])"')


def propose(source: Source, finding: Finding) -> Plan:
    if _NONE_FOR_TYPED.search(finding.message):
        return _annotate(source, finding)
    if finding.column is None or not _OPTIONAL_TYPED.search(finding.message):
        return Plan()
    names = [n for n in source.nodes(cst.Name)
             if source.range(n).start.line == finding.line
             and source.range(n).start.column == finding.column - 1]
    if len(names) != 1:
        return Plan()
    (name,) = names
    assert isinstance(name, cst.Name)
    statement = source.enclosing(name, cst.SimpleStatementLine)
    block = source.parents.get(statement) if statement is not None else None
    if statement is None or not isinstance(block, cst.IndentedBlock | cst.Module):
        return Plan()
    assert isinstance(statement, cst.SimpleStatementLine)
    check = cst.parse_statement(f"assert {name.value} is not None\n")
    line = source.range(statement).start.line
    return Plan((Proposal(line, f"assert `{name.value}` is not None before it is used",
                          f"optional:{id(statement)}:{name.value}",
                          Edits(before=((statement, (check,)),))),))


def _annotate(source: Source, finding: Finding) -> Plan:
    """`name = None` annotated `name: Typed | None = None`, for the name the finding is about."""
    name = running.trigger_name(source, finding)
    if name is None:
        return Plan()
    scope = source.scope_of(name)
    binding = running.first_binding(source, scope, name.value)
    if not (isinstance(binding, cst.Assign) and len(binding.targets) == 1
            and isinstance(binding.value, cst.Name) and binding.value.value == "None"):
        return Plan()
    typed, need = running.typed_name(source)
    new = cst.AnnAssign(
        target=cst.Name(name.value),
        annotation=cst.Annotation(cst.parse_expression(f"{typed} | None")),
        value=binding.value,
    )
    return Plan((Proposal(source.range(binding).start.line,
                          f"annotate `{name.value}: {typed} | None`",
                          f"none:{id(scope)}:{name.value}",
                          Edits(replace=((binding, new),), needs=(need,) if need else ())),))
