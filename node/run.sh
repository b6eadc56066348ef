#!/usr/bin/env bash
# The Node helper's own tests and the Node example of docs/testing.md, with Node's test runner.
#
#   bash node/run.sh
#
# Installs node/ecs-emulator/package-lock.json under cargo's target dir (target/node-helper),
# reused while it is unchanged; the helper itself is installed there as a user's project would
# have it (node_modules/ecs-emulator-testing). Needs cargo, python3, node 18+ and npm.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset ECS_EMULATOR_BIN

target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
work="$target_dir/node-helper"
package="$here/ecs-emulator"
mkdir -p "$work"
want="$(cat "$package/package.json" "$package/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$work/.pins" 2>/dev/null)" != "$want" || ! -d "$work/node_modules" ]]; then
  echo "== installing the helper's test pins (npm ci)"
  cp "$package/package.json" "$package/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$work/.pins"
fi
rm -rf "$work/node_modules/ecs-emulator-testing" "$work/test" "$work/example"
mkdir -p "$work/node_modules/ecs-emulator-testing" "$work/example"
cp "$package/package.json" "$package/index.mjs" "$work/node_modules/ecs-emulator-testing/"
cp -r "$package/test" "$work/test"
# The helper's tests import it by its relative path, as they do in the repository.
cp "$package/index.mjs" "$work/index.mjs"
python3 "$here/../python/extract_example.py" docs/testing.md images.test.mjs "$work/example"

echo "== the Node helper's tests and the Node example of docs/testing.md (node --test)"
cd "$work" && node --test test/*.test.mjs example/images.test.mjs
