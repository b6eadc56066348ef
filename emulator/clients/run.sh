#!/usr/bin/env bash
# The real-client suite: three real, unmodified Alibaba Cloud SDK clients against the emulator.
#
#   bash emulator/clients/run.sh
#
# Installs the pinned clients itself (PyPI and the npm registry; pins in this folder), builds the
# emulator, starts it on a free port with the built-in demo world (signatures verified), runs
#   py-dara    alibabacloud-ecs20140526 (current Python SDK)   requirements-tea-darabonba.txt
#   py-legacy  aliyun-python-sdk-ecs (legacy AcsClient)        requirements-core-legacy.txt
#   node-dara  @alicloud/ecs20140526 (current Node SDK)        node-dara/package-lock.json
# and stops it with SIGTERM (its graceful shutdown must exit 0). A second emulator serves the
# acceptance flows (flows.py, py-dara): real tools' call sequences, with no admin call.
# Needs: cargo, python3 (3.8+, with venv), node 18+ and npm. Installs go under cargo's target dir
# (target/clients), reused while the pins are unchanged.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

for tool in cargo python3 node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done

# The SDKs must talk to 127.0.0.1 directly; the legacy one does not honour NO_PROXY.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# Keep the source tree clean: no __pycache__ beside the test scripts.
export PYTHONDONTWRITEBYTECODE=1

target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
work="$target_dir/clients"
mkdir -p "$work"

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

python_client() { # name requirements-file
  local venv="$work/$1" want
  want="$(stamp_of "$here/$2")"
  if [[ "$(cat "$venv/.pins" 2>/dev/null)" != "$want" ]]; then
    echo "== installing $1 from $2"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --disable-pip-version-check --quiet -r "$here/$2"
    echo "$want" >"$venv/.pins"
  fi
}
python_client py-dara requirements-tea-darabonba.txt
python_client py-legacy requirements-core-legacy.txt

node_dir="$work/node-dara"
mkdir -p "$node_dir"
want="$(stamp_of "$here/node-dara/package.json" "$here/node-dara/package-lock.json")"
if [[ "$(cat "$node_dir/.pins" 2>/dev/null)" != "$want" || ! -d "$node_dir/node_modules" ]]; then
  echo "== installing node-dara (npm ci)"
  cp "$here/node-dara/package.json" "$here/node-dara/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$node_dir/.pins"
fi
# ESM resolves packages from the script's own folder, so the test runs beside node_modules.
cp "$here"/node-dara/*.mjs "$node_dir/"
cp "$here/expectations.json" "$work/"

echo "== building the emulator"
cargo build --quiet -p ecs-image-emulator
binary="$target_dir/debug/ecs-image-emulator"

# Starts an emulator on a free port: start_emulator NAME ARGS...; sets $pid and $endpoint.
start_emulator() {
  local name="$1"; shift
  local log="$work/$name.log"
  : >"$log" # exists before the emulator writes it, so the wait below can read it at once
  "$binary" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  pid=$!
  endpoint=""
  for _ in $(seq 1 100); do
    endpoint="$(sed -n 's|^ecs-image-emulator: listening on http://||p' "$log")"
    [[ -n "$endpoint" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "run.sh: the $name emulator exited" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$endpoint" ]] || { cat "$log"; echo "run.sh: the $name emulator did not start" >&2; exit 1; }
  echo "== $name emulator on $endpoint"
}

# The flows (flows.py) get an emulator of their own: they never reset it, and the clients'
# tests below reset theirs.
# The flows never call the admin API, so their emulator's work all progresses on its own, fast
# (`after:0.2`). The clients keep admin-driven progress for images and tasks (`manual`), which
# their tests end themselves; their instances progress on their own, so that they wait for
# Running and Stopped as a tool does.
start_emulator flows --progress after:0.2
flows_pid="$pid"
flows_endpoint="$endpoint"
start_emulator emulator --progress manual,instance=after:0.3
stop() { kill "$pid" "$flows_pid" 2>/dev/null || true; }
trap stop EXIT
export EMULATOR_ENDPOINT="$endpoint"

status=0
out="$work/results.txt"
: >"$out"
run_client() { # name command...
  local name="$1"; shift
  echo "== $name"
  if ! "$@" | tee -a "$out"; then status=1; fi
}
run_client py-dara env PYTHONPATH="$here" "$work/py-dara/bin/python" "$here/py_dara.py"
run_client py-legacy env PYTHONPATH="$here" "$work/py-legacy/bin/python" "$here/py_legacy.py"
run_client node-dara bash -c 'cd "$1" && node test.mjs' _ "$node_dir"
run_client flows env PYTHONPATH="$here" EMULATOR_ENDPOINT="$flows_endpoint" \
  "$work/py-dara/bin/python" "$here/flows.py"

echo "== stopping the emulators (SIGTERM)"
trap - EXIT
kill -TERM "$flows_pid" 2>/dev/null || true
wait "$flows_pid" || true
kill -TERM "$pid"
if wait "$pid"; then
  echo "ok - emulator: graceful shutdown on SIGTERM"
  echo "emulator: 1 passed, 0 failed" >>"$out"
else
  echo "not ok - emulator: exit status $? after SIGTERM"
  echo "emulator: 0 passed, 1 failed" >>"$out"
  status=1
fi

totals="$(sed -n 's/^[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out" |
  awk '{p += $1; f += $2} END {print p+0, f+0}')"
read -r passed failed <<<"$totals"
[[ "$failed" -eq 0 ]] || status=1
[[ "$passed" -gt 0 ]] || status=1
echo "clients: $passed passed, $failed failed"
exit "$status"
