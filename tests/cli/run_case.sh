#!/usr/bin/env bash
# Runs one data-driven CLI case. A case file is a bash snippet setting:
#   ARGS=(...)          arguments after `cip`
#   EXIT=N              expected exit status (default 0)
#   STDOUT_HAS=(...)    substrings stdout must contain
#   STDERR_HAS=(...)    substrings stderr must contain
#   STDOUT_LACKS=(...)  substrings stdout must not contain
#   STDIN=FILE          file fed to standard input (default /dev/null)
#   CHECK='cmd'         extra shell command run after cip (in the work dir) that must succeed
# Variables available to the case: $DATA (tests/data), $SHARED (../shared),
# $SRC (source dir), $WORK (a fresh temporary directory, also the cwd).
set -u
case_file=$1
: "${CIP_BIN:?}" "${CIP_TEST_DATA:?}"
DATA=$CIP_TEST_DATA
SHARED=${CIP_SHARED_DIR:-}
SRC=${CIP_SOURCE_DIR:-}
WORK=$(mktemp -d)
export DATA SHARED SRC WORK CIP_BIN
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
ARGS=() EXIT=0 STDOUT_HAS=() STDERR_HAS=() STDOUT_LACKS=() STDIN=/dev/null CHECK='' NEEDS_SHARED=0
# shellcheck disable=SC1090
source "$case_file"
if [ "$NEEDS_SHARED" = 1 ] && [ ! -d "$SHARED/data" ]; then
  echo "SKIP: ../shared is absent"
  exit 0
fi
"$CIP_BIN" "${ARGS[@]}" <"$STDIN" >"$WORK/.stdout" 2>"$WORK/.stderr"
got=$?
fail=0
if [ "$got" != "$EXIT" ]; then echo "exit status $got, expected $EXIT"; fail=1; fi
for s in "${STDOUT_HAS[@]}"; do
  grep -qF -- "$s" "$WORK/.stdout" || { echo "stdout lacks: $s"; fail=1; }
done
for s in "${STDOUT_LACKS[@]}"; do
  grep -qF -- "$s" "$WORK/.stdout" && { echo "stdout has: $s"; fail=1; }
done
for s in "${STDERR_HAS[@]}"; do
  grep -qF -- "$s" "$WORK/.stderr" || { echo "stderr lacks: $s"; fail=1; }
done
if [ -n "$CHECK" ] && [ $fail = 0 ]; then
  bash -c "$CHECK" || { echo "check failed: $CHECK"; fail=1; }
fi
if [ $fail != 0 ]; then
  echo "--- cip ${ARGS[*]}"; echo "--- stdout:"; head -c 4000 "$WORK/.stdout"
  echo "--- stderr:"; head -c 4000 "$WORK/.stderr"
fi
exit $fail
