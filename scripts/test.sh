#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the test cluster's binaries (control plane,
# kubelet, pause) and the images' Debian bases when missing, then unit tests (*Test), the images
# (Jib), and integration tests against the real API server, real nodes and labs (*IT, *E2E).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/control-plane.sh build
scripts/images.sh bases >/dev/null
exec mvn -B -ntp -Pimages verify "$@"
