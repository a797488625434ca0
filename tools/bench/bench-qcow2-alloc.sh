#!/usr/bin/env bash
# A/B benchmark of allocating qcow2 writes: bench -w -c COUNT -d 32 -s 4k -S 64k on a fresh image,
# jqcow vs qemu-img alternated in one run, plus jqcow with alloc-zero-writes (handle_alloc_space) off.
# Usage: tools/bench/bench-qcow2-alloc.sh [DIR] [COUNT] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/jqcow-bench}; count=${2:-32768}; rounds=${3:-3}
mkdir -p "$dir"; img="$dir/alloc.qcow2"
"$root/bin/jqcow" --version >/dev/null
secs() { sed -n 's/^Run completed in \([0-9.]*\) seconds\./\1/p'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fresh() { rm -f "$img"; qemu-img create -q -f qcow2 "$img" 4G; }
run_q() { fresh; qemu-img bench -w -f qcow2 -t "$1" -i "$2" -c "$count" -d 32 -s 4k -S 64k "$img" | secs; }
run_j() { fresh; JQCOW_FS_POLICY="$3" "$root/bin/jqcow" bench -w -f qcow2 -t "$1" -i "$2" -c "$count" -d 32 -s 4k -S 64k "$img" | secs; }
printf '| cache | aio | qemu-img IOPS | jqcow IOPS (alloc-zero on) | ratio | jqcow IOPS (alloc-zero off) | ratio |\n'
printf '|---|---|---|---|---|---|---|\n'
for mode in "none threads" "none native" "writeback threads"; do
  set -- $mode
  q=(); on=(); off=()
  for r in $(seq "$rounds"); do
    q+=("$(run_q "$1" "$2")")
    on+=("$(run_j "$1" "$2" "")")
    off+=("$(run_j "$1" "$2" "ext4.alloc-zero-writes=off,xfs.alloc-zero-writes=off,tmpfs.alloc-zero-writes=off")")
  done
  qs=$(printf '%s\n' "${q[@]}" | median); ons=$(printf '%s\n' "${on[@]}" | median); offs=$(printf '%s\n' "${off[@]}" | median)
  awk -v c="$1" -v a="$2" -v n="$count" -v q="$qs" -v j="$ons" -v k="$offs" \
    'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2f | %.0f | %.2f |\n", c, a, n/q, n/j, q/j, n/k, q/k }'
done
rm -f "$img"
