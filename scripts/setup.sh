#!/usr/bin/env bash
# Set phieu up on a fresh Debian machine with Python 3.11+, then run the demo.
#   bash scripts/setup.sh            # everything, then `phieu demo`
#   bash scripts/setup.sh --no-demo  # everything but the demo
# System packages (Tesseract OCR with Vietnamese; the report's serif font; PostgreSQL for
# shared campaigns; for the
# tests, Chromium and LibreOffice Calc and Writer) come from apt-get when missing;
# Python packages go into .venv beside this repo, nothing into the system Python.
set -euo pipefail
cd "$(dirname "$0")/.."

run_demo=1
[ "${1:-}" = "--no-demo" ] && run_demo=0
PY=${PYTHON:-python3}

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: phieu needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)" >&2
  exit 1
}

missing=()
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-vie)
"$PY" -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
[ -x /usr/bin/chromium ] || missing+=(chromium)  # the review page's browser tests
# the report tests open the Excel and Word reports in LibreOffice
ls /usr/lib/libreoffice/program/libsclo.so >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
ls /usr/lib/libreoffice/program/libswlo.so >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# the report is set in Liberation Serif (Times-metric, with Vietnamese), as Nghị định 30 asks
ls /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf >/dev/null 2>&1 || missing+=(fonts-liberation2)
# a campaign shared by several stations lives in PostgreSQL; the tests start their own server
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: making .venv"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
echo "setup: phieu $(.venv/bin/phieu --version | awk '{print $NF}') is in .venv/bin/phieu"

if [ "$run_demo" = 1 ]; then
  .venv/bin/phieu demo phieu-demo
fi
