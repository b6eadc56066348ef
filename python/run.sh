#!/usr/bin/env bash
# The pytest plugin's own tests and the pytest example of docs/testing.md, in a virtualenv of
# their own, the plugin installed from this repository with pip as a user would.
#
#   bash python/run.sh
#
# Installs the pins of python/pytest-ecs-emulator/requirements-ci.txt under cargo's target dir
# (target/py-plugin), reused while the pins are unchanged. Needs cargo, python3 (3.8+, venv).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
# The SDKs must talk to 127.0.0.1 directly (the proxy-mode test sets HTTP_PROXY itself).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset ECS_EMULATOR_BIN
export PYTHONDONTWRITEBYTECODE=1

target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
venv="$target_dir/py-plugin"
plugin="$here/pytest-ecs-emulator"
want="$(cat "$plugin/requirements-ci.txt" "$root"/emulator/clients/requirements-*.txt | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$want" ]]; then
  echo "== installing the plugin's test pins"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check --quiet -r "$plugin/requirements-ci.txt"
  echo "$want" >"$venv/.pins"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== pip install ./python/pytest-ecs-emulator"
# From a copy, so the build leaves nothing in the source tree; built without isolation from the
# pinned setuptools, so no unpinned download.
cp -r "$plugin" "$work/plugin"
"$venv/bin/pip" install --disable-pip-version-check --quiet --no-deps --no-build-isolation \
  --force-reinstall "$work/plugin"

# Run from outside the checkout, as a user's project would; the plugin finds the checkout from
# where pip installed it (target/ is inside it) and builds the emulator there.
cp -r "$plugin/tests" "$work/tests"
python3 "$here/extract_example.py" docs/testing.md test_images.py "$work"

echo "== the plugin's tests (pytest-xdist, 2 workers)"
(cd "$work" && "$venv/bin/python" -m pytest -p no:cacheprovider -n 2 tests)
echo "== the pytest example of docs/testing.md"
(cd "$work" && "$venv/bin/python" -m pytest -p no:cacheprovider test_images.py)
