#!/usr/bin/env bash
# Runs every Outpost test. Installs what the tests need when it is missing
# (Debian packages: postgresql for the metadata conformance suite, nginx for
# the reverse-proxy tests, default-jdk-headless and maven for the AWS SDK for
# Java tests, which fetch the SDKs from Maven Central into ~/.m2 on first
# run; the AWS SDK for JavaScript from npm; boto3 and the AWS CLI from pip),
# starts a throwaway PostgreSQL on loopback, then runs vet, the unit and
# integration tests, and a bounded fuzzing pass.
#
# Usage: scripts/test.sh            (everything)
#        FUZZTIME=0 scripts/test.sh (skip the fuzzing pass)
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v java >/dev/null 2>&1 || need_pkgs+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_pkgs+=(maven)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "== installing ${need_pkgs[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# boto3 and the AWS CLI drive the seed's Python and CLI flows.
if ! python3 -c 'import boto3' >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1; then
  echo "== installing boto3 and the AWS CLI (pip)"
  python3 -m pip install -q boto3 awscli
fi

if [ ! -d tests/js/node_modules/@aws-sdk/s3-request-presigner ]; then
  echo "== installing the AWS SDK for JavaScript (tests/js)"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

pgdir=$(mktemp -d /tmp/outpost-pg.XXXXXX)
cleanup() { scripts/postgres-test.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
eval "$(scripts/postgres-test.sh start "$pgdir")"
export OUTPOST_TEST_POSTGRES_DSN

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt-clean:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== go test"
gotest_log=$(mktemp /tmp/outpost-gotest.XXXXXX)
set +e
go test -count=1 -timeout 40m ./... 2>&1 | tee "$gotest_log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^ok ' "$gotest_log" || true)
failed=$(grep -cE '^(FAIL|---  FAIL)\s' "$gotest_log" || true)
rm -f "$gotest_log"
if [ "$status" != 0 ]; then
  echo "packages: $passed passed, $failed failed"
  exit "$status"
fi

fuzztime=${FUZZTIME:-15s}
if [ "$fuzztime" != 0 ]; then
  echo "== fuzzing (${fuzztime} per target)"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      echo "-- $pkg $target"
      if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/fuzz.log 2>&1; then
        # go test -fuzz sometimes ends with "context deadline exceeded" and
        # no failing input when -fuzztime runs out mid-run; retry only that.
        if grep -q 'context deadline exceeded' /tmp/fuzz.log && ! grep -q 'Failing input written' /tmp/fuzz.log; then
          echo "   (spurious fuzz timeout, running again)"
          go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/fuzz.log 2>&1 || { cat /tmp/fuzz.log; exit 1; }
        else
          cat /tmp/fuzz.log; exit 1
        fi
      fi
    done
  done
fi
echo "== all tests passed"
echo "packages: $passed passed, 0 failed"
