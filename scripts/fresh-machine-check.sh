#!/usr/bin/env bash
# Runs README's two commands as a new user would, on a fresh clone of the current commit with every cache empty:
#   npm install && npx slicefix examples/demo
#   npm test
# HOME, the npm cache, GOPATH, GOMODCACHE, GOCACHE, XDG_CACHE_HOME and TMPDIR (slicefix's compile cache) point at
# new folders under one temporary directory, so nothing this machine has downloaded or built before is used
# (the tests prepare what they need themselves: fixtures/go/ci-setup.sh from the Go tests, the packed tarball's
# dependencies from the npm tests). Needs node/npm, git and go on PATH and the package registries; takes minutes.
# Prints a closing summary: the demo's exit code and findings, and the test counts. Exit 0 when the install and the
# tests passed and the demo scan reported findings (exit 1) as it should.
# KEEP=1 keeps the temporary directory (clone, caches, logs) for a look afterwards.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commit="$(git -C "$repo" rev-parse HEAD)"
work="$(mktemp -d "${TMPDIR:-/tmp}/slicefix-fresh-XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept: $work"; else chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; fi; }
trap cleanup EXIT

mkdir -p "$work"/{home,npm-cache,gopath,go-build,xdg-cache,xdg-config,tmp,logs}
# Like a home folder and /tmp: others may enter (tests run slicefix as user nobody there), the temporary folder is shared.
chmod 755 "$work" && chmod 1777 "$work/tmp"
# Only what a new user's shell would have: no CI flag, no settings of this machine's user.
env_fresh=(
  env -u CI -u GOFLAGS -u GOENV -u NODE_OPTIONS -u npm_config_userconfig
  HOME="$work/home"
  npm_config_cache="$work/npm-cache"
  npm_config_update_notifier=false
  GOPATH="$work/gopath"
  GOMODCACHE="$work/gopath/pkg/mod"
  GOCACHE="$work/go-build"
  XDG_CACHE_HOME="$work/xdg-cache"
  XDG_CONFIG_HOME="$work/xdg-config"
  TMPDIR="$work/tmp"
  PATH="$PATH:/usr/local/go/bin"
)

seconds() { echo $(( $(date +%s) - $1 )); }
echo "fresh-machine-check: commit ${commit:0:12}, clean caches under $work"
git clone --quiet --no-local "$repo" "$work/slicefix" && git -C "$work/slicefix" checkout --quiet --detach "$commit" || exit 2
cd "$work/slicefix" || exit 2

started=$(date +%s)
"${env_fresh[@]}" npm install >"$work/logs/npm-install.log" 2>&1
install_status=$?
install_s=$(seconds "$started")
tail -n 5 "$work/logs/npm-install.log"

demo_status=-1
demo_findings=?
if [ "$install_status" = 0 ]; then
  "${env_fresh[@]}" npx slicefix examples/demo | tee "$work/logs/demo.txt"
  demo_status=${PIPESTATUS[0]}
  demo_findings=$("${env_fresh[@]}" npx slicefix --format json examples/demo | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).summary.findings))')
fi

test_status=-1
counts="tests: not run"
started=$(date +%s)
if [ "$install_status" = 0 ]; then
  report="$work/logs/vitest.json"
  "${env_fresh[@]}" npm test -- --reporter=default --reporter=json --outputFile="$report" 2>&1 | tee "$work/logs/npm-test.log" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^ *(✓|×|↓) test/|FAIL|Test Files|Tests  '
  test_status=${PIPESTATUS[0]}
  if [ -f "$report" ]; then
    counts=$(node -e 'const r = require(process.argv[1]); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped, in ${r.testResults.length} files`)' "$report")
  fi
fi
test_s=$(seconds "$started")

echo
echo "== fresh-machine-check summary (commit ${commit:0:12}, node $(node --version), go $(go version 2>/dev/null | awk '{print $3}'))"
echo "npm install: exit $install_status (${install_s} s)"
echo "npx slicefix examples/demo: exit $demo_status, $demo_findings findings"
echo "npm test: exit $test_status (${test_s} s)"
echo "$counts"
[ "$install_status" = 0 ] && [ "$demo_status" = 1 ] && [ "$test_status" = 0 ]
