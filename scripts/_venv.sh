# Sourced by scripts/run, scripts/test and scripts/welfare-kg: create .venv when missing and
# install the project. A stamp file keeps re-runs fast: pip runs again only when
# pyproject.toml changes. pip's output goes to .venv/install.log (shown when it fails).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
EXTRAS="${1:-}"
PY="${PYTHON:-python3}"
LOG="$VENV/install.log"
_install_failed() {
  echo "installing failed; the last lines of $LOG:" >&2
  tail -n 25 "$LOG" >&2
  exit 1
}
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV (first run: a minute or two)" >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >"$LOG" 2>&1 || _install_failed
fi
STAMP="$VENV/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  echo "installing welfare-kg${EXTRAS:+[$EXTRAS]} into $VENV (log: $LOG)" >&2
  "$VENV/bin/python" -m pip install --quiet -e "$ROOT${EXTRAS:+[$EXTRAS]}" >>"$LOG" 2>&1 \
    || _install_failed
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
