"""What `--tnp-kernels` values name (src/tnp_pytest/targets.py), and the plan of a kernel's
arguments (src/tnp_pytest/inputs.py), without running pytest."""

from __future__ import annotations

from pathlib import Path
from typing import Literal as L

import pytest

import tnp_runtime as tnp
from tnp_pytest import inputs
from tnp_pytest.targets import Target, _file_ref, parse_targets
from tnp_runtime import FullDim, Saved, Typed, TypedResult
from tnp_runtime.kernel_form import signature_of


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["pkg"], [Target("pkg")]),
        (["pkg.mod:matmul"], [Target("pkg.mod", "matmul")]),
        (["a, b.c ,", "a"], [Target("a"), Target("b.c")]),
        (["dir/file.py:k,dir/"], [Target("dir/file.py", "k"), Target("dir/")]),
        # A colon not followed by a name is part of the text.
        (["pkg:"], [Target("pkg:")]),
        ([""], []),
    ],
)
def test_parse_targets(values: list[str], expected: list[Target]) -> None:
    assert parse_targets(values) == expected


def test_a_file_in_a_package_gets_the_packages_name(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for init in (tmp_path / "pkg" / "__init__.py", tmp_path / "pkg" / "sub" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    module = tmp_path / "pkg" / "sub" / "k.py"
    module.write_text("", encoding="utf-8")
    ref = _file_ref(module, None)
    assert (ref.name, ref.root) == ("pkg.sub.k", tmp_path)
    loose = tmp_path / "loose.py"
    loose.write_text("", encoding="utf-8")
    assert (_file_ref(loose, "k").name, _file_ref(loose, "k").only) == ("loose", "k")


B, V = FullDim("B", 4), FullDim("V", 10)


@tnp.kernel
def gathers(
    logits: Typed[L["B V"]],
    t: Typed[L["B"]],
    lse: Saved[L["B"], L["log(sum[V](exp(logits:B V)))"]],
    loss: TypedResult[L["lse:B - logits:B V[t:B]"]],
    scale: float = 1.0,
) -> None:
    loss.assign(lse - logits.gather(V, t) * scale)


def test_the_plan_of_each_parameter() -> None:
    signature = signature_of(gathers)
    assert signature is not None
    plan = inputs.plan(gathers.__wrapped__, signature)  # type: ignore[attr-defined]
    assert isinstance(plan, inputs.Plan)
    assert list(plan.arguments) == ["logits", "t", "lse", "loss"]  # `scale` keeps its default
    assert plan.arguments["t"] == inputs.Generated(signature.inputs["t"].dims, index_bound=10)
    assert plan.arguments["logits"] == inputs.Generated(signature.inputs["logits"].dims)
    assert isinstance(plan.arguments["lse"], inputs.FromDefinition)
    assert isinstance(plan.arguments["loss"], inputs.Result)
    built = inputs.build(gathers, plan, signature, seed=1)
    targets = built.inputs["t"].arr
    assert set(targets.ravel()) <= set(range(10)) and targets.min() >= 0
    gathers(*built.args, **built.kwargs)  # the saved input's data check passes


def test_a_parameter_without_default_or_tnp_annotation_is_unbuildable() -> None:
    @tnp.kernel
    def needs(x: Typed[L["B V"]], n: int, c: TypedResult[L["2 * B V"]]) -> None:
        c.assign(x * 2)

    signature = signature_of(needs)
    assert signature is not None
    plan = inputs.plan(needs.__wrapped__, signature)  # type: ignore[attr-defined]
    assert isinstance(plan, inputs.Unbuildable)
    assert plan.reason.startswith("parameter n (annotation `int`) has no default")
