#!/usr/bin/env bash
# run.sh - run one headless-Chromium test (tests/browser/<name>.test.mjs).
# Installs playwright-core from npm (package-lock.json) on first use and
# drives Debian's /usr/bin/chromium (no browser download). The test gets the
# same environment as the CLI cases: CIP_BIN, CIP_SOURCE_DIR, CIP_SHARED_DIR,
# CIP_TEST_DATA, plus WORK (a fresh temporary directory, removed afterwards)
# and CHROMIUM (path of the browser).
# SPDX-License-Identifier: MIT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
test="$1"
chromium="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$chromium" ]; then
  echo "run.sh: chromium is not installed (make test installs it: tools/deps.sh test)" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  # A lock so that parallel ctest jobs do not both run npm.
  ( flock 9; [ -d "$here/node_modules/playwright-core" ] ||
      (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) ) 9>"$here/.npm.lock"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export WORK CHROMIUM="$chromium"
exec node "$test"
