# Sourced by the perf scripts that run the emulator (compaction.sh, persist.sh, startup.sh),
# after they set ROOT: the target dir, `say`, the release binary (EMULATOR names another), and
# a trap that stops the emulator whose pid is in PID when the script exits.
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

say() { printf '== %s\n' "$*" >&2; }

if [ -z "${EMULATOR:-}" ]; then
  say "building the emulator (release)"
  (cd "$ROOT" && cargo build --release -q -p ecs-image-emulator)
  EMULATOR=$TARGET/release/ecs-image-emulator
fi

PID=
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
