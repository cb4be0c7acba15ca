#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the test control plane when missing,
# then unit tests (*Test), integration tests against the real API server and labs (*IT, *E2E).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/control-plane.sh build
exec mvn -B -ntp verify "$@"
