# Sourced by scripts/run and scripts/test: make .venv hold exactly what pyproject.toml asks.
# Needs only a Python >= 3.11 on PATH; re-installs when pyproject.toml changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "convquiz needs Python 3.11 or newer on PATH" >&2; return 1
}
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  "$(pick_python)" -m venv "$venv"
fi
stamp="$venv/.convquiz-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)-${1:-run}"
if [ ! -f "$stamp" ] || ! grep -qx "$want" "$stamp"; then
  echo "Installing convquiz and its dependencies into .venv ..." >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  if [ "${1:-run}" = "dev" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]" >&2
  else
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e . >&2
  fi
  echo "$want" > "$stamp"
  # A dev install also serves the run command.
  [ "${1:-run}" = "dev" ] && echo "$(sha256sum pyproject.toml | cut -d' ' -f1)-run" >> "$stamp"
fi
export PATH="$venv/bin:$PATH"
