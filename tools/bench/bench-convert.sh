#!/usr/bin/env bash
# A/B benchmark: bin/jqcow convert vs qemu-img convert, alternated in one run (medians of ROUNDS).
# Usage: tools/bench/bench-convert.sh [DIR] [SIZE_GIB] [ROUNDS]
# The source is a sparse raw image with 50% of its 64K clusters random data (fixed seed), made by a
# small python3 program from a 16 MiB random pool, so generation runs at disk speed.
# Needs GNU time for peak RSS (/usr/bin/time; Debian/Ubuntu package "time": apt-get install time).
# Prints a markdown table of wall-clock medians, the jqcow/qemu-img ratio and peak RSS, then the
# start-up time of `info` (or `io -c length` when this build has no info) on a small image.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/jqcow-bench-convert}; gib=${2:-4}; rounds=${3:-3}
jq="$root/bin/jqcow"
[ -x /usr/bin/time ] || { echo "need /usr/bin/time (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"; src="$dir/src-${gib}g.raw"
if [ ! -f "$src" ]; then
  python3 - "$src" "$gib" <<'PY'
import random, sys
path, gib = sys.argv[1], int(sys.argv[2])
C = 65536; n = gib * (1 << 30) // C
rnd = random.Random(20261122)
pool = rnd.randbytes(16 << 20)
with open(path, 'wb') as f:
    f.truncate(n * C)
    for i in range(n):
        if rnd.random() < 0.5:
            o = rnd.randrange(0, len(pool) - C, 512)
            f.seek(i * C); f.write(pool[o:o + C])
PY
fi
"$jq" --version >/dev/null   # build once (and the CDS archive), outside the timings

# run OUT_FILE CMD...: prints "seconds peak_kib" for one run, output removed first.
run() {
  local out=$1; shift
  rm -f "$out"; sync
  /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$@" >/dev/null
  cat "$dir/time.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ref_qcow2="$dir/ref.qcow2"
[ -f "$ref_qcow2" ] || qemu-img convert -f raw -O qcow2 "$src" "$ref_qcow2"
# Both sources start in the page cache, so neither tool's first round pays for reading them from disk.
cat "$src" "$ref_qcow2" >/dev/null
printf '| case | qemu-img s | jqcow s | ratio | qemu-img peak RSS MiB | jqcow peak RSS MiB |\n'
printf '|---|---|---|---|---|---|\n'
while IFS='|' read -r name flags input out; do
  q=(); j=(); qm=(); jm=()
  # One untimed run of each first: the output file's first allocation and the page cache settle.
  # shellcheck disable=SC2086
  run "$dir/$out" qemu-img convert $flags "$input" "$dir/$out" >/dev/null
  # shellcheck disable=SC2086
  run "$dir/$out" "$jq" convert $flags "$input" "$dir/$out" >/dev/null
  # The order flips every round: on a VM that hands freed pages back to the host, whoever runs
  # right after the other's output was deleted finds more still-backed pages.
  for r in $(seq "$rounds"); do
    for who in $([ $((r % 2)) = 1 ] && echo "q j" || echo "j q"); do
      if [ "$who" = q ]; then
        # shellcheck disable=SC2086
        read -r t m < <(run "$dir/$out" qemu-img convert $flags "$input" "$dir/$out"); q+=("$t"); qm+=("$m")
      else
        # shellcheck disable=SC2086
        read -r t m < <(run "$dir/$out" "$jq" convert $flags "$input" "$dir/$out"); j+=("$t"); jm+=("$m")
      fi
    done
  done
  qs=$(printf '%s\n' "${q[@]}" | median); js=$(printf '%s\n' "${j[@]}" | median)
  qr=$(printf '%s\n' "${qm[@]}" | sort -g | tail -1); jr=$(printf '%s\n' "${jm[@]}" | sort -g | tail -1)
  awk -v n="$name" -v q="$qs" -v j="$js" -v qr="$qr" -v jr="$jr" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.0f | %.0f |\n", n, q, j, j/q, qr/1024, jr/1024 }'
done <<EOF2
raw->qcow2|-f raw -O qcow2|$src|out.qcow2
qcow2->raw|-f qcow2 -O raw|$ref_qcow2|out.raw
raw->qcow2 -c|-f raw -O qcow2 -c|$src|outc.qcow2
EOF2
rm -f "$dir"/out.qcow2 "$dir"/out.raw "$dir"/outc.qcow2

small="$dir/small.qcow2"
[ -f "$small" ] || qemu-img create -q -f qcow2 "$small" 64M
if "$jq" info "$small" >/dev/null 2>&1; then cmd=(info "$small"); else cmd=(io -c length "$small"); fi
loop() { local s e; s=$(date +%s%N); for _ in 1 2 3 4 5 6 7 8 9 10; do "$@" >/dev/null; done; e=$(date +%s%N)
  awk -v d=$((e - s)) 'BEGIN { printf "%.3f", d / 10 / 1e9 }'; }
printf '\n| start-up (mean of 10) | qemu-img s | jqcow s |\n|---|---|---|\n'
printf '| %s | %s | %s |\n' "${cmd[0]}" "$(loop qemu-img info "$small")" "$(loop "$jq" "${cmd[@]}")"
printf '| --version | %s | %s |\n' "$(loop qemu-img --version)" "$(loop "$jq" --version)"
