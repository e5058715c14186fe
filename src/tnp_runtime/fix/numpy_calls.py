"""NumPy's or math's elementwise function on a tnp value, written with tnp's: `np.tanh(x)` ->
`tnp.tanh(x)`.

The finding is the plugin's `tnp-unsupported` stop "numpy's or math's `tanh` on a tnp value: use
tnp.tanh (fix: `tnp fix`)" at the call. NumPy refuses a Typed argument at run time (`Typed`
opts out of ufuncs), so the call never worked; tnp's function of the same name computes the same
numbers and records the operation. The module's `import tnp_runtime as <alias>` is used, or one
is added (`tnp`).
"""

from __future__ import annotations

import re
from typing import Final

import libcst as cst

from tnp_runtime.core.fixits import is_fixable
from tnp_runtime.fix.edits import Edits, Need, dotted
from tnp_runtime.fix.findings import Finding
from tnp_runtime.fix.proposal import Plan, Proposal
from tnp_runtime.fix.source import Source

_MESSAGE: Final = re.compile(
    r"numpy's or math's `(?P<name>\w+)` on a tnp value: use tnp\.(?P=name)"
)


def _module_alias(source: Source) -> tuple[str, Need | None]:
    for node in source.nodes(cst.Import):
        assert isinstance(node, cst.Import)
        for alias in node.names:
            if alias.evaluated_name == "tnp_runtime":
                return alias.evaluated_alias or "tnp_runtime", None
    return "tnp", Need("tnp_runtime", alias="tnp")


def propose(source: Source, finding: Finding) -> Plan:
    match = _MESSAGE.search(finding.message)
    if match is None or not is_fixable(finding.message):
        return Plan()
    name = match["name"]
    calls = []
    for node in source.nodes(cst.Call):
        assert isinstance(node, cst.Call)
        start = source.range(node).start
        if start.line != finding.line or not isinstance(node.func, cst.Attribute):
            continue
        if node.func.attr.value == name and dotted(node.func).count(".") == 1:
            if finding.column is None or start.column == finding.column - 1:
                calls.append(node)
    if len(calls) != 1:
        return Plan()
    (call,) = calls
    assert isinstance(call.func, cst.Attribute)
    alias, need = _module_alias(source)
    new = call.func.with_changes(value=cst.Name(alias))
    return Plan((Proposal(finding.line, f"call tnp's `{name}`", f"numpy:{id(call)}",
                          Edits(replace=((call.func.value, new.value),),
                                needs=(need,) if need else ())),))
