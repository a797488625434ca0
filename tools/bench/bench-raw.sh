#!/usr/bin/env bash
# A/B benchmark: bin/jqcow bench vs qemu-img bench on one raw file, alternated in one run.
# Usage: tools/bench/bench-raw.sh [DIR] [COUNT] [ROUNDS] [AIO...]
# Prints a markdown table of median IOPS per row and the jqcow/qemu ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/jqcow-bench}; count=${2:-200000}; rounds=${3:-3}; shift $(( $# > 3 ? 3 : $# )) || true
aios=("${@:-threads}")
mkdir -p "$dir"; img="$dir/bench-1g.raw"
[ -f "$img" ] || { dd if=/dev/urandom of="$img" bs=1M count=1024 status=none; }
"$root/bin/jqcow" --version >/dev/null   # build once, outside the timings

secs() { sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| aio | cache | op | qemu-img IOPS | jqcow IOPS | ratio |\n|---|---|---|---|---|---|\n'
for aio in "${aios[@]}"; do
for cache in none writeback; do
  for op in read write; do
    w=(); [ "$op" = write ] && w=(-w)
    q=(); j=()
    for r in $(seq "$rounds"); do
      q+=("$(qemu-img bench -f raw -t "$cache" -i "$aio" -c "$count" -d 32 -s 4k "${w[@]}" "$img" | secs)")
      j+=("$("$root/bin/jqcow" bench -f raw -t "$cache" -i "$aio" -c "$count" -d 32 -s 4k "${w[@]}" "$img" | secs)")
    done
    qs=$(printf '%s\n' "${q[@]}" | median); js=$(printf '%s\n' "${j[@]}" | median)
    awk -v a="$aio" -v c="$cache" -v o="$op" -v n="$count" -v q="$qs" -v j="$js" \
      'BEGIN { printf "| %s | %s | %s | %.0f | %.0f | %.2f |\n", a, c, o, n/q, n/j, (n/j)/(n/q) }'
  done
done
done
