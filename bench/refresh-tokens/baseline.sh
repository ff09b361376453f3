#!/usr/bin/env bash
# The shell baseline's refresh loop on its "token valid" path (behavior.md 6.5): one jq per file, a date
# per line. Used only as the yardstick of bench/refresh-tokens/run.
#   baseline.sh --once | --daemon      (CREDENTIALS_DIR, CHECK_INTERVAL, REFRESH_BEFORE as in the baseline)
set -euo pipefail
dir=${CREDENTIALS_DIR:?}
interval=${CHECK_INTERVAL:-300}
threshold=${REFRESH_BEFORE:-3600}

log() { printf 'at=%s ts=%s msg="%s"%s\n' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$2" "${3:-}"; }

run() {
  local found=0 f expires now remaining
  for f in "$dir"/.credentials*.json; do
    [ -f "$f" ] || continue
    found=1
    expires=$(jq -r '[to_entries[] | select(.key | test("oauth"; "i"))][0].value.expiresAt // empty' "$f")
    [ -n "$expires" ] || continue
    now=$(date +%s)
    remaining=$(( expires / 1000 - now ))
    if [ "$remaining" -gt "$threshold" ]; then
      log info "token valid" " file=$(basename "$f") remaining_secs=$remaining expires=\"$(date -u -d "@$((expires / 1000))" '+%Y-%m-%d %H:%M:%S UTC')\""
    else
      log info "refreshing" " file=$(basename "$f")"
    fi
  done
  [ "$found" = 1 ] || log info "no credential files found" " dir=$dir"
}

case "${1:-}" in
  --once) run ;;
  --daemon) log info starting " dir=$dir interval=${interval}s threshold=${threshold}s"; while :; do run; sleep "$interval"; done ;;
  *) echo "usage: $0 --once|--daemon" >&2; exit 2 ;;
esac
