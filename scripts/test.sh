#!/usr/bin/env bash
# make test: jest's unit and e2e projects as two processes side by side, each running its files one at a time.
#
# One jest process on a 2-core runner runs one file at a time (a worker per core less one), so the unit files
# waited for the e2e project's real scenario runs, which spend most of their 12 minutes waiting for alerts.
# A second worker in one process would as soon run the two e2e files together, two scenario runs on two
# cores; two processes keep the scenario runs apart and put the unit files beside them.
#
#   scripts/test.sh [jest args...]        e.g. scripts/test.sh --ci
#   JEST_REPORT_DIR=dir scripts/test.sh   also writes dir/unit.json and dir/e2e.json (jest --json)
#
# The unit project's output streams; the e2e project's is printed when it ends. Exit code: 0 when both
# projects pass, else the first non-zero one (unit's, then e2e's); Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."

jest() { # project, jest args...
  local project=$1
  shift
  local args=(--selectProjects "$project")
  [ -z "${JEST_REPORT_DIR:-}" ] || args+=(--json "--outputFile=$JEST_REPORT_DIR/$project.json")
  # Paths or patterns given may match files of one project only; the other then has nothing to run.
  [ $# -eq 0 ] || args+=(--passWithNoTests)
  node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js "${args[@]}" "$@"
}

e2e_log=$(mktemp)
jest e2e "$@" >"$e2e_log" 2>&1 &
e2e_pid=$!
trap 'kill -INT "$e2e_pid" 2>/dev/null; wait "$e2e_pid"; cat "$e2e_log"; rm -f "$e2e_log"; exit 130' INT TERM
echo "test: the e2e project runs beside the unit project; its output follows when it ends" >&2

jest unit "$@"
unit_rc=$?
wait "$e2e_pid"
e2e_rc=$?
trap - INT TERM
echo "test: e2e project output:" >&2
cat "$e2e_log" >&2
rm -f "$e2e_log"
[ "$unit_rc" = 0 ] || exit "$unit_rc"
exit "$e2e_rc"
