"""The registry of process-global tables (`core/tables.py`): every table is listed, a reset or a
bound keeps them small over many checks, a reset changes no verdict (even for terms built
before it and proved after it), inputs stay distinct across resets, and the prover leaves the
garbage collector as it found it."""

from __future__ import annotations

import ast
import gc
import importlib
import threading
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import pytest

import tnp_runtime
from tests.support.kernels import flash_attention, matmul_tile, online_softmax_block
from tnp_runtime.core import ir, normal, prove, tables
from tnp_runtime.core.dims import DimType, FullDim, Interval
from tnp_runtime.core.ir import BinaryOp as B
from tnp_runtime.core.ir import Expr
from tnp_runtime.core.ir import ReduceOp as R
from tnp_runtime.core.normalize import normalize
from tnp_runtime.core.spot_check import spot_check

Case = Callable[[], tuple[Expr, Expr, DimType]]

# Right and wrong kernels of every kind the prover answers: Proved, Refuted, Unknown.
CASES: dict[str, Case] = {
    "matmul": lambda: matmul_tile(64, 16),
    "matmul, wrong scale": lambda: matmul_tile(10, 5, a_scale=2, b_scale=2, spec_scale=2),
    "flash attention": lambda: flash_attention(8),
    "flash attention, K and V swapped": lambda: flash_attention(4, swap_kv=True),
    "flash attention, no rescale": lambda: flash_attention(4, rescale=False),
    "online softmax": lambda: online_softmax_block(4, 8, 2),
}


@pytest.fixture(autouse=True)
def _fresh_tables() -> Iterator[None]:
    tables.reset()
    yield
    tables.reset()


def _verdicts() -> dict[str, prove.Verdict]:
    return {name: prove.prove(*case()) for name, case in CASES.items()}


def _matmul_with_new_inputs(n_size: int = 32, tile: int = 8) -> tuple[Expr, Expr, DimType]:
    """A matmul tile over inputs registered anew (as every kernel call registers its own)."""
    a, b = ir.new_input("A", ("M", "N")), ir.new_input("B", ("N", "K"))
    acc: Expr = ir.const(0)
    for start in range(0, n_size, tile):
        part = ir.reduce(R.SUM, "N", Interval(start, start + tile), ir.binary(B.MUL, a, b))
        acc = ir.binary(B.ADD, acc, part)
    spec = ir.reduce(R.SUM, "N", Interval(0, n_size), ir.binary(B.MUL, a, b))
    return acc, spec, (FullDim("M", tile).full, FullDim("K", tile).full)


def _module_tables() -> Iterator[tuple[str, str]]:
    """(module, name) of every module-level mutable container and `lru_cache` function in
    tnp's source: an empty `{}`, `set()`, `dict()` or weak dictionary, assigned at top level."""
    root = Path(tnp_runtime.__file__).parent.parent
    for path in sorted(root.glob("tnp_*/**/*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                value = ast.unparse(node.value)
                if isinstance(target, ast.Name) and (
                    value in ("{}", "set()", "dict()") or "Weak" in value
                ):
                    yield module, target.id
            elif isinstance(node, ast.FunctionDef) and any(
                "cache" in ast.unparse(d) for d in node.decorator_list
            ):
                yield module, node.name


def test_every_module_level_table_is_registered() -> None:
    found = [(m, n) for m, n in _module_tables() if m != "tnp_runtime.core.tables"]
    assert len(found) >= 10
    held = [getattr(importlib.import_module(module), name) for module, name in found]
    registered = {id(table.table) for table in tables.tables()}  # after the imports above
    missing = [f"{module}.{name}" for (module, name), table in zip(found, held, strict=True)
               if id(table) not in registered]
    assert not missing, f"not registered in core/tables.py: {missing}"
    assert all(table.on_reset for table in tables.tables())


def test_a_reset_empties_the_cleared_tables_and_keeps_the_constants() -> None:
    prove.prove(*flash_attention(8))
    assert tables.held() > 100
    tables.reset()
    cleared = {t.name: t.size() for t in tables.tables() if t.clear is not None}
    assert cleared["normal.interned"] == 3  # UNIT, ZERO, ONE
    assert sum(cleared.values()) == 3
    assert normal.constant(Fraction(0)) is normal.ZERO
    assert normal.constant(Fraction(1)) is normal.ONE
    assert normal.atom_poly(normal.leaf(ir.new_input("x", ("M",)))).terms[0][0] is not normal.UNIT


def test_tables_stay_bounded_over_many_checks_with_a_reset_between() -> None:
    after: list[int] = []
    for _ in range(200):
        assert isinstance(prove.prove(*_matmul_with_new_inputs()), prove.Proved)
        tables.reset()
        after.append(sum(tables.sizes().values()))
    assert max(after) == after[0]
    assert tables.sizes()["ir.nodes"] <= after[0]


def test_tables_stay_bounded_over_many_checks_under_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes = tables.sizes()["ir.nodes"]  # held by other modules (their constants, their tests)
    prove.prove(*_matmul_with_new_inputs())
    one_check = tables.held()
    monkeypatch.setattr(tables, "LIMIT", 5 * one_check)
    before = tables.resets()
    peak = peak_nodes = 0
    for _ in range(200):
        assert isinstance(prove.prove(*_matmul_with_new_inputs()), prove.Proved)
        peak = max(peak, tables.held())
        peak_nodes = max(peak_nodes, tables.sizes()["ir.nodes"] - nodes)
    assert tables.resets() - before >= 200 // 6
    assert peak <= 6 * one_check
    assert peak_nodes <= 6 * one_check


def test_without_a_reset_the_tables_grow() -> None:
    # The other side of the two tests above: they would fail if the reset did nothing.
    sizes = []
    for _ in range(3):
        prove.prove(*_matmul_with_new_inputs())
        sizes.append(tables.held())
    assert sizes[0] < sizes[1] < sizes[2]


def test_a_reset_between_checks_changes_no_verdict() -> None:
    first = _verdicts()
    tables.reset()
    assert _verdicts() == first
    assert {type(v) for v in first.values()} >= {prove.Proved, prove.Refuted}


def test_terms_built_before_a_reset_meet_terms_built_after_it() -> None:
    kernel, spec, tile = flash_attention(8)
    wrong, _, _ = flash_attention(8, swap_kv=True)
    assert prove.prove(kernel, spec, tile) == prove.Proved()
    tables.reset()
    again, again_spec, _ = flash_attention(8)
    # Interning still holds: the nodes built after the reset are the ones built before it.
    assert again is kernel and again_spec is spec
    assert prove.prove(kernel, again_spec, tile) == prove.Proved()
    tables.reset()
    assert not isinstance(prove.prove(wrong, again_spec, tile), prove.Proved)


def test_a_normal_form_made_before_a_reset_is_not_one_made_after_it() -> None:
    # Why a reset is refused during a check: normal forms of two table generations are not
    # compared by identity.
    kernel, spec, _ = matmul_tile(16, 8)
    before = normalize(kernel)
    tables.reset()
    assert normalize(spec) is not before
    with tables.checking(), pytest.raises(RuntimeError):
        tables.reset()
    with tables.checking():
        assert not tables.bound(0)
    assert tables.bound(0)


def test_serial_identities_stay_distinct_across_resets() -> None:
    seen: dict[int, ir.Input] = {}
    for _ in range(20):
        for _ in range(5):
            leaf = ir.new_input("A", ("M", "N"))
            assert leaf.serial not in seen
            seen[leaf.serial] = leaf
        tables.reset()
    assert len(set(map(id, seen.values()))) == len(seen)
    # Two inputs with one name stay two inputs: a kernel reading one is not the spec of the other.
    a, b = ir.new_input("A", ("M", "N")), ir.new_input("A", ("M", "N"))
    tile = (FullDim("M", 4).full, FullDim("N", 4).full)
    assert isinstance(prove.prove(a, b, tile), prove.Refuted)
    tables.reset()
    assert prove.prove(a, a, tile) == prove.Proved()


def test_a_node_leaves_the_table_when_nothing_holds_it() -> None:
    base = tables.sizes()["ir.nodes"]
    x = ir.new_input("x", ("M",))
    chain: Expr = x
    for i in range(1, 20_001):  # deep enough that freeing it must not recurse per node
        chain = ir.binary(B.ADD, chain, ir.const(i % 7))
    assert tables.sizes()["ir.nodes"] >= base + 20_000
    del chain, x
    assert tables.sizes()["ir.nodes"] <= base + 7


def test_the_spot_check_checks_a_pair_again_after_a_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = __import__("tnp_runtime.core.spot_check", fromlist=["_check"])._check

    def counting(*args: object) -> object:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr("tnp_runtime.core.spot_check._check", counting)
    kernel, spec, tile = matmul_tile(16, 8)
    assert spot_check(kernel, spec, tile) is None
    assert spot_check(kernel, spec, tile) is None
    assert len(calls) == 1
    tables.reset()
    assert spot_check(kernel, spec, tile) is None
    assert len(calls) == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_prove_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert prove.prove(*matmul_tile(16, 8)) == prove.Proved()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_prove_leaves_the_collector_as_it_found_it_when_it_raises(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> prove.Verdict:
        assert not gc.isenabled()
        raise ValueError("broken")

    monkeypatch.setattr(prove, "_prove", broken)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(ValueError, match="broken"):
            prove.prove(*matmul_tile(16, 8))
        assert gc.isenabled() is enabled
        assert tables.idle()  # the check ended with the exception
    finally:
        (gc.enable if was else gc.disable)()


def test_paused_collector_blocks_nest() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with prove.collector_paused():
            with prove.collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_paused_collector_blocks_overlap_across_threads() -> None:
    # A block that closes while another thread's block is open leaves the collector off.
    was = gc.isenabled()
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with prove.collector_paused():
            entered.set()
            release.wait(timeout=60)

    try:
        gc.enable()
        thread = threading.Thread(target=other)
        with prove.collector_paused():
            thread.start()
            assert entered.wait(timeout=60)
        assert not gc.isenabled()
        release.set()
        thread.join(timeout=60)
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
