#!/usr/bin/env bash
# DeleteImage over loopback: the emulator (release build) against moto's server mode answering
# DeregisterImage, driven by the same load tool with the same settings in this one script.
#
#   bash perf/load.sh
#
# It installs what it needs itself: wrk (Debian's package, via apt-get when missing) and
# moto[server] (PyPI, in a venv under the target dir). Two scenarios, each on both servers:
#   deletes  every request deletes a different existing image (emulator: DeleteImage, answered
#            `x-emulator-outcome: Deleted`; moto: DeregisterImage of a registered AMI)
#   absent   one request for an image that does not exist, repeated (emulator: Ignored, 200;
#            moto: InvalidAMIID.NotFound, 400)
# Emulator requests are signed (RPC V1, HMAC-SHA1) and verified, as from the real SDKs; moto
# checks no signature. Prints throughput, p99 and the emulator/moto ratio per scenario.
#
# Settings (environment):
#   LOAD_DURATION  seconds per run (10)      LOAD_CONNECTIONS  wrk connections (16)
#   LOAD_THREADS   wrk threads (1)           LOAD_IMAGES       emulator world size (60000 per second of run)
#   MOTO_VERSION   moto[server] pin (5.2.5)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/perf
DURATION=${LOAD_DURATION:-10}
CONNECTIONS=${LOAD_CONNECTIONS:-16}
THREADS=${LOAD_THREADS:-1}
IMAGES=${LOAD_IMAGES:-$((60000 * DURATION))}
MOTO_VERSION=${MOTO_VERSION:-5.2.5}
REQUESTS="python3 $ROOT/perf/requests.py"
mkdir -p "$WORK"

say() { printf '== %s\n' "$*" >&2; }

# ---- tools --------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  say "installing wrk (apt-get)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "wrk is missing and this is not root: apt-get install wrk first" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
VENV=$WORK/moto-venv
if ! "$VENV/bin/python" -c "import moto, flask" 2>/dev/null \
  || [ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)')" != "$MOTO_VERSION" ]; then
  say "installing moto[server]==$MOTO_VERSION in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION"
fi
say "building the emulator (release)"
(cd "$ROOT" && cargo build --release -q -p ecs-image-emulator)
EMULATOR=$TARGET/release/ecs-image-emulator

# ---- processes this script starts, and stops ----------------------------------------------
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for() { # URL: until it answers at all (any status), at most 60 s
  for _ in $(seq 600); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1" >&2
  exit 1
}

# run NAME URL FILE [AUTHORIZATION]: one wrk run; prints its REPLAY line, keeps wrk's output.
run() {
  local name=$1 url=$2 file=$3 authorization=${4:-}
  say "$name: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  REPLAY_FILE=$file REPLAY_THREADS=$THREADS REPLAY_AUTHORIZATION=$authorization \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/perf/replay.lua" "$url" \
    >"$WORK/wrk-$name.txt" 2>&1
  local line
  line=$(grep '^REPLAY ' "$WORK/wrk-$name.txt") || { cat "$WORK/wrk-$name.txt" >&2; exit 1; }
  echo "$name $line"
}

field() { # LINE KEY
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# ---- the emulator -------------------------------------------------------------------------
say "world of $IMAGES images and $IMAGES signed DeleteImage requests"
$REQUESTS world "$IMAGES" "$WORK/world.json"
$REQUESTS emulator-deletes "$IMAGES" "$WORK/emulator-deletes.txt"
$REQUESTS emulator-absent "$WORK/emulator-absent.txt"

PORT=$(free_port)
"$EMULATOR" --listen "127.0.0.1:$PORT" --world "$WORK/world.json" >"$WORK/emulator.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$PORT/_emulator/profile"
EMU_DELETES=$(run emulator-deletes "http://127.0.0.1:$PORT" "$WORK/emulator-deletes.txt")
EMU_ABSENT=$(run emulator-absent "http://127.0.0.1:$PORT" "$WORK/emulator-absent.txt")
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
PIDS=()

# ---- moto ---------------------------------------------------------------------------------
MOTO_AUTH=$($REQUESTS moto-auth)
PORT=$(free_port)
"$VENV/bin/moto_server" -p "$PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$PORT/moto-api/"
$REQUESTS moto-absent "$WORK/moto-absent.txt"
# Absent first: moto looks an unknown AMI up in its list of deregistered ones.
MOTO_ABSENT=$(run moto-absent "http://127.0.0.1:$PORT" "$WORK/moto-absent.txt" "$MOTO_AUTH")
MOTO_RPS=$(field "$MOTO_ABSENT" rps)
AMIS=$(((MOTO_RPS * DURATION * 3) / 2 + 1000))
say "registering $AMIS AMIs in moto"
$REQUESTS moto-register "http://127.0.0.1:$PORT" "$AMIS" "$WORK/moto-deletes.txt"
MOTO_DELETES=$(run moto-deletes "http://127.0.0.1:$PORT" "$WORK/moto-deletes.txt" "$MOTO_AUTH")

# ---- report -------------------------------------------------------------------------------
echo
echo "DeleteImage over loopback: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $(nproc) cores shared by server and tool"
for line in "$EMU_DELETES" "$EMU_ABSENT" "$MOTO_ABSENT" "$MOTO_DELETES"; do
  echo "  $line"
done
echo
printf '%-9s %14s %10s %14s %10s %8s\n' scenario "emulator req/s" "p99 ms" "moto req/s" "p99 ms" ratio
for scenario in deletes absent; do
  case $scenario in
    deletes) e=$EMU_DELETES m=$MOTO_DELETES ;;
    absent) e=$EMU_ABSENT m=$MOTO_ABSENT ;;
  esac
  printf '%-9s %14s %10s %14s %10s %7.1fx\n' "$scenario" "$(field "$e" rps)" "$(field "$e" p99_ms)" \
    "$(field "$m" rps)" "$(field "$m" p99_ms)" "$(awk -v a="$(field "$e" rps)" -v b="$(field "$m" rps)" 'BEGIN { print a / b }')"
done
echo
echo "targets: >= 20000 req/s, p99 <= 5 ms, >= 20x moto's throughput"
# A deletes run that ran out of images answers Ignored: say so rather than report it as deletes.
if [[ "$(field "$EMU_DELETES" outcome)" == *Ignored* ]]; then
  echo "warning: the emulator's deletes run exhausted its $IMAGES images; raise LOAD_IMAGES" >&2
fi
if [[ "$(field "$MOTO_DELETES" status)" == *400* ]]; then
  echo "warning: moto's deletes run exhausted its $AMIS AMIs" >&2
fi
