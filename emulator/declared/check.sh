#!/usr/bin/env bash
# Proves emulator/declared/ecs-2014-05-26.json is what extract.py makes from the pinned SDK,
# that the pin is the real-client suite's, and that every action the emulator routes is declared.
#
#   bash emulator/declared/check.sh
#
# Needs python3 (3.8+, with venv) and PyPI; the virtual environment is reused while the pins are
# unchanged (under ${TMPDIR:-/tmp}).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export PYTHONDONTWRITEBYTECODE=1

if ! cmp -s "$here/requirements.txt" "$here/../clients/requirements-tea-darabonba.txt"; then
  echo "check.sh: requirements.txt differs from emulator/clients/requirements-tea-darabonba.txt;" \
    "copy it over and re-run extract.py" >&2
  exit 1
fi

stamp="$(sha256sum "$here/requirements.txt" | cut -c1-16)"
venv="${TMPDIR:-/tmp}/ecs-declared-$stamp"
if [[ ! -x "$venv/bin/python" || ! -f "$venv/.installed" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  touch "$venv/.installed"
fi
"$venv/bin/python" "$here/extract.py" --check
