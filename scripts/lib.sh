# Shared by the scripts: timed phases and logfmt messages.
_phase_name=
_phase_start=
phase() {
  local now; now=$(date +%s.%N)
  if [ -n "$_phase_name" ]; then
    printf 'at=info msg="phase done" phase=%s seconds=%.1f\n' "$_phase_name" "$(echo "$now - $_phase_start" | bc)"
  fi
  _phase_name=$1; _phase_start=$now
}
log() { local level=$1 msg=$2; shift 2; echo "at=$level msg=\"$msg\"${*:+ $*}"; }
die() { log fatal "$@" >&2; exit 1; }
