#!/usr/bin/env bash
# Debian's Chromium for tests/cli/test_report_html.py (the HTML report rendered headless); in CI a
# missing browser fails that test instead of skipping it. Idempotent: does nothing when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# DejaVu Sans: the report's font stack ends with it, and it has Cyrillic ("Жизнь").
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
