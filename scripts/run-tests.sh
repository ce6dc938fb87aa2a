#!/usr/bin/env bash
# Bring up a fresh service stack on free ports, run pytest against it, and stop everything we
# started (by pid) whatever the outcome. Arguments are passed to pytest.
#
#   scripts/run-tests.sh [PYTEST ARGS]           Patroni pair, etcd and Redis (make test)
#   scripts/run-tests.sh --single [PYTEST ARGS]  one plain PostgreSQL server (make test-fast)
set -euo pipefail
cd "$(dirname "$0")/.."

devstack=(.venv/bin/python scripts/devstack.py)
mode=()
if [ "${1:-}" = "--single" ]; then
  mode=(--single)
  shift
fi

"${devstack[@]}" ensure-deps "${mode[@]}"
# The browser tests drive Debian's Chromium through Playwright (no browser download).
if [ ${#mode[@]} = 0 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  else
    echo "Chromium is missing: run  sudo apt-get install -y chromium  and try again" >&2
    exit 2
  fi
fi
stack_dir=$(mktemp -d /tmp/lms-test-stack.XXXXXX)
cleanup() { "${devstack[@]}" down --dir "$stack_dir" --purge || true; }
trap cleanup EXIT INT TERM

"${devstack[@]}" up "${mode[@]}" --dir "$stack_dir"
set -a
# shellcheck disable=SC1091
. "$stack_dir/stack.env"
set +a
export DJANGO_SETTINGS_MODULE=lms.settings.test
.venv/bin/pytest "$@"
