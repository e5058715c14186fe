#!/usr/bin/env bash
# The mypy version matrix: for each mypy release given (default: the latest patch of every minor
# release in the supported range), a venv with tnp (editable) and that mypy, then the examples
# and plugin-case tests (and the parallel-checking test, which skips before mypy 1.20) under it.
# Prints one line per version: "VERSION examples=ok|FAIL cases=ok|FAIL parallel=ok|FAIL|skip".
# Usage: scripts/mypy_matrix.sh [VERSION...]   (venvs are kept in $TNP_MATRIX_DIR, default
# /tmp/tnp-mypy-matrix, and reused). Needs PyPI.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${TNP_MATRIX_DIR:-/tmp/tnp-mypy-matrix}"
python="${PYTHON:-python3}"
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
    versions=(1.11.2 1.12.1 1.13.0 1.14.1 1.15.0 1.16.1 1.17.1 1.18.2 1.19.1 1.20.2
              2.0.0 2.1.0 2.2.0 2.3.1 2.4.1)
fi
mkdir -p "$root"
export PIP_DISABLE_PIP_VERSION_CHECK=1

verdict() {  # verdict LOG: ok / FAIL / skip from a pytest log
    if grep -qE "(failed|error)" "$1"; then echo FAIL
    elif grep -qE "[0-9]+ passed" "$1"; then echo ok
    elif grep -qE "[0-9]+ skipped" "$1"; then echo skip
    else echo FAIL; fi
}

for version in "${versions[@]}"; do
    venv="$root/$version"
    # mypy 1.20's (hidden) parallel checking needs ast-serialize, a dependency only from 2.0.
    extra=()
    case "$version" in 1.20.*) extra=("ast-serialize>=0.3,<1") ;; esac
    if [ ! -x "$venv/bin/mypy" ]; then
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet -e "$repo" "mypy==$version" pytest hypothesis \
            "${extra[@]}" > "$root/$version.install.log" 2>&1 \
            || { echo "$version install=FAIL"; continue; }
    fi
    cache="$(mktemp -d)"
    run() {  # run NAME TEST_FILE...
        (cd "$repo" && TNP_TEST_MYPY_CACHE_DIR="$cache" "$venv/bin/python" -m pytest -q \
            -p no:cacheprovider "${@:2}" > "$root/$version.$1.log" 2>&1)
        verdict "$root/$version.$1.log"
    }
    examples="$(run examples tests/plugin/test_examples_mypy.py)"
    cases="$(run cases tests/plugin/test_cases.py tests/plugin/test_versions.py)"
    parallel="$(run parallel tests/plugin/test_parallel.py)"
    rm -rf "$cache"
    echo "$version examples=$examples cases=$cases parallel=$parallel"
done
