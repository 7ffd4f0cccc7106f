#!/usr/bin/env bash
# make test: jest's unit and e2e projects as two processes side by side, each running its files one at a time.
#
# One jest process on a 2-core runner runs one file at a time (a worker per core less one), so the unit files
# waited for the e2e project's real scenario runs, which spend most of their 12 minutes waiting for alerts.
# A second worker in one process would as soon run the two e2e files together, two scenario runs on two
# cores; two processes keep the scenario runs apart and put the unit files beside them.
#
#   scripts/test.sh [jest args...]        e.g. scripts/test.sh --ci; paths or patterns filter both projects
#   JEST_REPORT_DIR=dir scripts/test.sh   also writes dir/unit.json and dir/e2e.json (jest --json)
#
# The unit project's output streams; the e2e project's goes to a file and is printed on stderr when it ends
# (or when the run is stopped). Exit code: 0 when both projects pass, else unit's non-zero code, else e2e's;
# 128+n when stopped by signal n (INT, TERM), after both jest processes have been stopped.
set -uo pipefail
# Job control: each jest in a process group of its own, which keeps SIGINT (not ignored, as it is for
# background commands otherwise) and lets a stop reach the processes the e2e tests started, as Ctrl-C would.
set -m
cd "$(dirname "$0")/.."

jest_args() { # project, jest args...
  local project=$1
  shift
  local args=(--selectProjects "$project")
  [ -z "${JEST_REPORT_DIR:-}" ] || args+=(--json "--outputFile=$JEST_REPORT_DIR/$project.json")
  # Paths or patterns given may match files of one project only; the other then has nothing to run.
  [ $# -eq 0 ] || args+=(--passWithNoTests)
  printf '%s\0' "${args[@]}" "$@"
}
jest=(node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js)

e2e_log=$(mktemp)
mapfile -d '' -t e2e_args < <(jest_args e2e "$@")
mapfile -d '' -t unit_args < <(jest_args unit "$@")
# exec: the pid waited on is jest's own, and its process group's id.
(exec "${jest[@]}" "${e2e_args[@]}" >"$e2e_log" 2>&1) &
e2e_pid=$!
(exec "${jest[@]}" "${unit_args[@]}") &
unit_pid=$!
echo "test: the e2e project runs beside the unit project; its output follows when it ends" >&2

show_e2e() {
  echo "test: e2e project output:" >&2
  cat "$e2e_log" >&2
  rm -f "$e2e_log"
}
stop() { # signal name, number
  kill -"$1" -- -"$unit_pid" -"$e2e_pid" 2>/dev/null
  wait "$unit_pid" "$e2e_pid" 2>/dev/null
  show_e2e
  exit $((128 + $2))
}
trap 'stop INT 2' INT
trap 'stop TERM 15' TERM

wait "$unit_pid"
unit_rc=$?
wait "$e2e_pid"
e2e_rc=$?
trap - INT TERM
show_e2e
[ "$unit_rc" = 0 ] || exit "$unit_rc"
exit "$e2e_rc"
