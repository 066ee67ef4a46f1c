#!/usr/bin/env bash
# Makes the bench's SQLite database once: the demo plus 200 bench children, each with a PEP the
# designated teacher may edit, and their PEP ids in work/bench_peps.txt (room r is line r).
# Needs the release server (scripts/build-site), python3, sqlite3 and oathtool.
#   server/benches/peer/epep-setup.sh            (from the project root)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${EPEP_BENCH_DIR:-$here/work}"
bin="${EPEP_SERVER_BIN:-$HOME/.cache/epep/target/release/server}"
port="${EPEP_SETUP_PORT:-3199}"
base="http://127.0.0.1:$port"
mkdir -p "$work/mail"
rm -f "$work"/epep.db* "$work/cookies.json"
DATABASE_URL="sqlite://$work/epep.db" LEPTOS_SITE_ROOT="${EPEP_SITE_ROOT:-target/site}" \
  EPEP_MAIL_DIR="$work/mail" LEPTOS_SITE_ADDR="127.0.0.1:$port" EPEP_PUBLIC_URL="$base" \
  "$bin" serve --demo >"$work/setup-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
post() { curl -fs -X POST -H 'accept: application/json' -H 'sec-fetch-site: same-origin' "$@"; }
jar="$work/setup-cookies.txt"
post -c "$jar" "$base/api/auth/sign_in" --data-urlencode 'email=helen.okafor@northdale.example' \
  --data-urlencode 'password=northdale-demo-2026' >/dev/null
post -b "$jar" "$base/api/auth/verify_second_factor" \
  --data-urlencode "code=$(oathtool --totp -b NORTHDALEDEMOSECRETFORTRYINGEPEP)" >/dev/null
cookie="epep_session=$(awk '$6 == "epep_session" { print $7 }' "$jar")"
EPEP_BASE="$base" EPEP_VS_COOKIE="$cookie" python3 "$here/epep-make-peps.py" 0 199 >/dev/null
sqlite3 "$work/epep.db" "select p.id from peps p join children c on c.id = p.child_id \
  where c.last_name like 'Child%' order by c.last_name" >"$work/bench_peps.txt"
echo "$(wc -l <"$work/bench_peps.txt") bench PEPs in $work/bench_peps.txt"
