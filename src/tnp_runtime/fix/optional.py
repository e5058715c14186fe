"""An accumulator that starts as `None` (the seed's `c_accum = None`), used where a Typed is
needed: `assert c_accum is not None` inserted before the statement that uses it.

The finding is mypy's error at the use: an argument, operand or attribute of type
"Typed[...] | None" where a Typed is needed (`c.assign(c_accum)`: 'Argument 1 to "assign" of
"TypedResult" has incompatible type "Typed[Any] | None"'), at the column where the name starts.
The assert changes no value; it fails loudly at run time if the value is still None (a loop
that ran no iteration), where the runtime would have failed at the `assign` anyway.
"""

from __future__ import annotations

import re
from typing import Final

import libcst as cst

from tnp_runtime.fix.edits import Edits
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal
from tnp_runtime.fix.source import Source

_OPTIONAL_TYPED: Final = re.compile(r'"(?:Typed\[[^"]*\] \| None|None \| Typed\[[^"]*\]|'
                                    r'Optional\[Typed\[[^"]*\]\])"')


def propose(source: Source, finding: Finding) -> Plan:
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
