#!/usr/bin/env bash
# bench/ward_stats.sh — statistics speed on a province-sized register.
#
# Generates 200 wards × 5 years (≈ 500,000 incidents, fixed seed) into a
# fresh catalog with `wardwatch demo-data`, then times `incident stats` for
# one quarter with its year-before comparison — the whole province and one
# ward — best of 10 runs each, warm cache.  Target: < 100 ms.
#
# Usage: bench/ward_stats.sh            (uses $WARDWATCH_BIN or build/wardwatch)
# Env:   WARDS=200 YEARS=5 PER=500 KEEP=1 (keep the data folder)
set -euo pipefail
cd "$(dirname "$0")/.."
WW="${WARDWATCH_BIN:-$PWD/build/wardwatch}"
WARDS="${WARDS:-200}" YEARS="${YEARS:-5}" PER="${PER:-500}"
[ -x "$WW" ] || { echo "ward_stats: no wardwatch binary at $WW (make build)"; exit 1; }
DATA="$(mktemp -d /tmp/ww-bench-ward-XXXXXX)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$DATA"' EXIT
rmdir "$DATA"
"$WW" --data "$DATA" init >/dev/null
t0=$(date +%s.%N)
"$WW" --data "$DATA" --log-level warn demo-data --wards "$WARDS" --years "$YEARS" --per-ward-year "$PER" \
      --no-assessments --seed 7
t1=$(date +%s.%N)
n=$("$WW" --data "$DATA" incident list --limit 1 | sed -n 's/.*(1 of \([0-9]*\)).*/\1/p')
printf 'ward_stats: %s incidents in %s wards generated in %.1f s; catalog %s\n' "$n" "$WARDS" \
       "$(echo "$t1 - $t0" | bc)" "$(du -h "$DATA/wardwatch.db" | cut -f1)"
# The last full quarter before now, and one ward in the middle of the list.
q=$(date -u +%Y-%m | awk -F- '{q=int(($2-1)/3); y=$1; if (q==0){q=4;y--} printf "%d-Q%d", y, q}')
prov=$("$WW" --data "$DATA" incident stats --period "$q" --time --repeat 10 | sed -n 's/^stats_ms //p')
ward=$("$WW" --data "$DATA" incident stats --period "$q" --ward 100 --time --repeat 10 | sed -n 's/^stats_ms //p')
year=$("$WW" --data "$DATA" incident stats --period "${q%-Q*}" --time --repeat 5 | sed -n 's/^stats_ms //p')
echo "ward_stats: quarter $q with year-before comparison, whole province: ${prov} ms (best of 10; target < 100 ms)"
echo "ward_stats: quarter $q with year-before comparison, one ward:       ${ward} ms (best of 10)"
echo "ward_stats: year ${q%-Q*} with year-before comparison, whole province: ${year} ms (best of 5)"
awk -v p="$prov" 'BEGIN { exit !(p < 100) }' && echo "ward_stats: OK (< 100 ms)" || echo "ward_stats: SLOWER than the 100 ms target"
