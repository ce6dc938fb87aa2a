#!/usr/bin/env bash
# Bring up a fresh service stack on free ports, run pytest against it, and stop everything we
# started (by pid) whatever the outcome. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python scripts/devstack.py ensure-deps
# The browser tests drive Debian's Chromium through Playwright (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  else
    echo "Chromium is missing: run  sudo apt-get install -y chromium  and try again" >&2
    exit 2
  fi
fi
stack_dir=$(mktemp -d /tmp/lms-test-stack.XXXXXX)
cleanup() { .venv/bin/python scripts/devstack.py down --dir "$stack_dir" --purge || true; }
trap cleanup EXIT INT TERM

.venv/bin/python scripts/devstack.py up --dir "$stack_dir"
set -a
# shellcheck disable=SC1091
. "$stack_dir/stack.env"
set +a
export DJANGO_SETTINGS_MODULE=lms.settings.test
.venv/bin/pytest "$@"
