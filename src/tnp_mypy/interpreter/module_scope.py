"""Names defined outside the running frames: this module's constants and inputs, other modules'
variables (known from their types), imports, and the dims the module can name.

A module-level constant is evaluated only if it is made of literals, names, arithmetic and
calls without effect (dims, number functions): evaluating it then has no effect to report.
Every name whose type was read is recorded in `interp.dependencies`, for the cache to notice
when one changes without a re-parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    CallExpr,
    Decorator,
    Expression,
    FloatExpr,
    IntExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    OpExpr,
    RefExpr,
    StrExpr,
    TupleExpr,
    UnaryExpr,
    Var,
)
from mypy.types import Instance, get_proper_type

from tnp_mypy import names
from tnp_mypy.interpreter import python_builtins, symbols, tnp_api, tnp_operations
from tnp_mypy.interpreter.control import Frame, Stop
from tnp_mypy.interpreter.values import OPAQUE, Builtin, FunctionValue, ModuleValue, Value
from tnp_runtime.core.dims import FullDim, Sliced
from tnp_runtime.core.opaque import Opaque

if TYPE_CHECKING:
    from tnp_mypy.interpreter.evaluator import Interpreter


def defined_in_this_module(interp: Interpreter, e: NameExpr) -> bool:
    return e.fullname == f"{interp.tree.fullname}.{e.name}" or e.fullname == e.name


def known(fullname: str) -> Value | None:
    """A name the interpreter knows by full name: tnp's API, a builtin, a number function."""
    if not fullname:
        return None
    return tnp_api.known(fullname) or python_builtins.known(fullname)


def global_value(interp: Interpreter, e: RefExpr) -> Value:
    """A name defined outside the running frames: a module constant, function, import."""
    fullname = e.fullname
    node = e.node
    value = known(fullname)
    if value is not None:
        return value
    if isinstance(node, MypyFile):
        return ModuleValue(node.fullname)
    if isinstance(node, Decorator) and symbols.is_opaque(node):
        return opaque_definition(interp, node)
    function = symbols.function_of(node)
    if function is not None:
        fn, kernel = function
        if fn.fullname == f"{interp.tree.fullname}.{fn.name}":
            return FunctionValue(fn, kernel)
        return Builtin(fullname)
    if isinstance(node, Var):
        if fullname.rpartition(".")[0] == interp.tree.fullname:
            return module_constant(interp, node.name, node)
        value = foreign(interp, fullname, node)
        if value is OPAQUE and _plain_number(node):
            # Another module's tree may be freed (mypy's cache), so only a `Final` number has
            # a value mypy keeps; say so at the read, where the fix is, rather than at the
            # `range` or the operand it reaches.
            module, _, name = fullname.rpartition(".")
            raise interp.unsupported(
                f"`{name}`, a number imported from `{module}` that is not `Final`: mypy knows"
                f" another module's number only when it is declared `{name}: Final = ...` there",
                e,
            )
        return value
    if symbols.class_name(node) is not None:
        return Builtin(fullname)
    return OPAQUE


def foreign(interp: Interpreter, fullname: str, node: Var) -> Value:
    """Another module's variable, known from its type only."""
    interp.dependencies[fullname] = str(symbols.type_text(node))
    dim = symbols.dim_from_type(node.type)
    if dim is not None:
        return dim
    if node.final_value is not None and not isinstance(node.final_value, complex):
        return node.final_value
    value = symbols.literal(node.type)
    if isinstance(value, (int, str, float)):
        return value
    return OPAQUE


def _assignments(interp: Interpreter) -> dict[str, Expression]:
    if interp.assignments is None:
        interp.assignments = symbols.top_level_assignments(interp.tree)
    return interp.assignments


def module_constant(interp: Interpreter, name: str, node: Var) -> Value:
    """A module-level name of this module, read by a function: its last top-level value."""
    constants = interp.constants
    if name in constants:
        return constants[name]
    # Its type may come from another module (`M = FullDim("M", sizes.ROWS)`).
    interp.dependencies[node.fullname] = str(symbols.type_text(node))
    dim = symbols.dim_from_type(node.type)
    if dim is not None:
        constants[name] = dim
        return dim
    rvalue = _assignments(interp).get(name)
    value: Value = OPAQUE
    if rvalue is not None and is_opaque_call(rvalue):
        # `f = tnp.opaque("f", lambda x: ...)`: one function, the same at every read.
        value = opaque_declaration(interp, rvalue)
        constants[name] = value
        return value
    if rvalue is not None and is_input_call(rvalue):
        # A module-level array: an input of its own (as at run time), the same one at every
        # read; a kernel that reads it is refused (it is not one of its parameters).
        value = constant_input(interp, rvalue)
        constants[name] = value
        return value
    if rvalue is not None and name not in interp.constants_in_progress:
        interp.constants_in_progress.add(name)
        try:
            value = constant(interp, rvalue)
        finally:
            interp.constants_in_progress.discard(name)
    if not isinstance(value, (int, float, str, FullDim, Sliced, tuple)) or value is None:
        value = OPAQUE if not isinstance(value, bool) else value
    if isinstance(value, tuple) and not all(
        isinstance(v, (int, float, str, FullDim, Sliced)) for v in value
    ):
        value = OPAQUE
    constants[name] = value
    return value


def module_inputs(interp: Interpreter) -> dict[str, Value]:
    """The module-level names bound to a `Typed(...)` or `randn(...)` (see
    `module_constant`), for a function's scope: its globals hold them at run time."""
    found: dict[str, Value] = {}
    for name, rvalue in _assignments(interp).items():
        symbol = interp.tree.names.get(name)
        if symbol is not None and isinstance(symbol.node, Var) and is_input_call(rvalue):
            found[name] = module_constant(interp, name, symbol.node)
    return found


_INPUT_MAKERS: Final = frozenset({"Typed", "randn"})


def is_input_call(e: Expression) -> bool:
    """`Typed(arr, M, N, ...)` or `tnp.randn(M, N, ...)`: a new input."""
    return (
        isinstance(e, CallExpr)
        and isinstance(e.callee, RefExpr)
        and names.API.get(e.callee.fullname) in _INPUT_MAKERS
    )


def constant_input(interp: Interpreter, e: Expression) -> Value:
    """The input a module-level `Typed(...)`/`randn(...)` makes, if its dims and name are
    known without running anything (OPAQUE otherwise)."""
    assert isinstance(e, CallExpr) and isinstance(e.callee, RefExpr)
    randn = names.API[e.callee.fullname] == "randn"
    args: list[Value] = []
    kwargs: dict[str, Value] = {}
    for index, (arg, kind, arg_name) in enumerate(
        zip(e.args, e.arg_kinds, e.arg_names, strict=True)
    ):
        if kind not in (ARG_POS, ARG_NAMED):
            return OPAQUE
        # The array itself is not needed: only the dims and the name are.
        skip = index == 0 and not randn and kind == ARG_POS
        value = OPAQUE if skip else constant(interp, arg)
        if arg_name is None:
            args.append(value)
        else:
            kwargs[arg_name] = value
    if any(v is OPAQUE for v in [*args[0 if randn else 1:], *kwargs.values()]):
        return OPAQUE
    findings = dict(interp.findings)
    try:
        return tnp_api.new_typed(interp, randn, args, kwargs, e)
    except Stop:
        return OPAQUE
    finally:
        interp.findings = findings


def constant(interp: Interpreter, e: Expression) -> Value:
    """A module-level expression made of literals, names, arithmetic and dims only (OPAQUE
    otherwise): evaluating it has no effect to report."""
    if not is_constant_expression(e):
        return OPAQUE
    findings = dict(interp.findings)
    try:
        return interp.expr(Frame({}, None), e)
    except Stop:
        return OPAQUE
    finally:
        interp.findings = findings


def is_constant_expression(e: Expression) -> bool:
    match e:
        case IntExpr() | FloatExpr() | StrExpr() | NameExpr():
            return True
        case MemberExpr() | UnaryExpr():
            return is_constant_expression(e.expr)
        case OpExpr():
            return is_constant_expression(e.left) and is_constant_expression(e.right)
        case TupleExpr():
            return all(is_constant_expression(item) for item in e.items)
        case CallExpr(callee=RefExpr(fullname=fullname)):
            allowed = tnp_api.is_constant_call(fullname) or python_builtins.is_constant_call(
                fullname
            )
            return allowed and all(is_constant_expression(arg) for arg in e.args)
        case _:
            return False


def is_opaque_call(e: Expression) -> bool:
    """`tnp.opaque("name", function)` or `tnp.opaque(function)`."""
    return (
        isinstance(e, CallExpr)
        and isinstance(e.callee, RefExpr)
        and e.callee.fullname in names.OPAQUE_DECLARATION
    )


def opaque_declaration(interp: Interpreter, e: Expression) -> Value:
    """The function a module-level `tnp.opaque(...)` declares (OPAQUE when its name or its
    number of arguments cannot be read from the tree): one per call in the tree, whether it is
    read as a constant (by a function) or run (by the module's own statements)."""
    assert isinstance(e, CallExpr)
    key = f"@opaque {e.line}:{e.column}"
    cached = interp.constants.get(key)
    if cached is not None:
        return cached
    value = _declaration(e)
    interp.constants[key] = value
    return value


def _declaration(e: CallExpr) -> Value:
    if any(kind != ARG_POS for kind in e.arg_kinds):
        return OPAQUE
    found = None
    if len(e.args) == 2 and isinstance(e.args[0], StrExpr):
        found = tnp_operations.declared(e.args[0].value, e.args[1])
    elif len(e.args) == 1 and isinstance(e.args[0], (NameExpr, MemberExpr)):
        found = tnp_operations.declared(e.args[0].name, e.args[0])
    return OPAQUE if found is None else found


def opaque_definition(interp: Interpreter, node: Decorator) -> Value:
    """`@tnp.opaque def f(...)`: one function, the same at every read."""
    key = f"@opaque {node.fullname}"
    found = interp.constants.get(key)
    if found is None:
        found = interp.constants[key] = tnp_operations.decorated(node.func)
    return found


def module_functions(interp: Interpreter) -> dict[str, Opaque]:
    """The opaque functions the module declares, by name (`module_functions` at run time):
    a spec calls them so."""
    found: dict[str, Opaque] = {}
    tree = interp.tree
    for name, symbol in tree.names.items():
        node = symbol.node
        value: Value = None
        if isinstance(node, Decorator) and symbols.is_opaque(node):
            value = opaque_definition(interp, node)
        elif isinstance(node, Var) and node.fullname == f"{tree.fullname}.{name}":
            rvalue = _assignments(interp).get(name)
            if rvalue is not None and is_opaque_call(rvalue):
                value = module_constant(interp, name, node)
        if isinstance(value, tnp_operations.OpaqueFunctionValue):
            found[value.func.name] = value.func
    return found


def module_dims(interp: Interpreter) -> dict[str, FullDim]:
    """The `FullDim`s the module defines or imports, by dim name (`module_dims` at run
    time): imported ones from their types, this module's from types or its tree."""
    found: dict[str, FullDim] = {}
    tree = interp.tree
    for name, symbol in tree.names.items():
        node = symbol.node
        if not isinstance(node, Var):
            continue
        value: Value
        if node.fullname == f"{tree.fullname}.{name}":
            value = module_constant(interp, name, node)
        else:
            value = foreign(interp, node.fullname, node)
        if isinstance(value, FullDim):
            found[value.name] = value
        elif _may_be_dim(node):
            interp.hidden_dims = True
    return found


def _plain_number(node: Var) -> bool:
    """A variable mypy types as a plain `int` or `float` (not `Final`, so its value unknown)."""
    if node.type is None or node.is_final:
        return False
    proper = get_proper_type(node.type)
    return isinstance(proper, Instance) and proper.type.fullname in (
        "builtins.int",
        "builtins.float",
    )


def _may_be_dim(node: Var) -> bool:
    """A module name that may hold a dim whose name or size the types do not say."""
    if node.type is None:
        return True
    proper = get_proper_type(node.type)
    return isinstance(proper, Instance) and proper.type.fullname in names.FULL_DIM
