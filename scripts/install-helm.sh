#!/usr/bin/env bash
# Installs the helm that test/endpoints-manifest-helm.test.ts renders charts with, pinned, into $(go env GOPATH)/bin
# (where that test looks after PATH). Built from source with the Go module proxy: no release tarball to trust, and
# the same version everywhere. Idempotent: an installed helm of that version makes it a no-op. Called from .ci/run.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN=local
HELM_VERSION=v3.16.4

command -v go >/dev/null || { echo "scripts/install-helm.sh: go is not installed" >&2; exit 1; }
gobin="$(go env GOPATH | cut -d: -f1)/bin"
# `go install` leaves helm's version variables unset, so helm reports only vMAJOR.MINOR; the module's build info
# records the exact version.
if [ -x "$gobin/helm" ] && go version -m "$gobin/helm" 2>/dev/null | grep -q "helm.sh/helm/v3[[:space:]]*${HELM_VERSION}"; then
  exit 0
fi
GOBIN="$gobin" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"$gobin/helm" version --short >/dev/null
