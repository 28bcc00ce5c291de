#!/usr/bin/env bash
# Show where traffic for the API goes.
set -euo pipefail
kubectl get endpoints api -n prod -o wide
kubectl get svc,ep -n prod
