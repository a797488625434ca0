#!/usr/bin/env bash
# A/B benchmark of `check` on a qcow2 image with >= 1M allocated clusters (cluster_size=4K, 4 GiB of
# data, two internal snapshots so refcounts above 1 occur): jqcow vs qemu-img alternated in one run.
# Usage: tools/bench/bench-check.sh [DIR] [ROUNDS] [DATA_GIB]
# DATA_GIB (default 4) sets the data written: 4 GiB = 1,048,576 clusters; the image is twice that.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/jqcow-bench}; rounds=${2:-3}; gib=${3:-4}
mkdir -p "$dir"
if [ "$gib" = 4 ]; then img="$dir/check-1m.qcow2"; else img="$dir/check-${gib}g.qcow2"; fi
command -v /usr/bin/time >/dev/null || { apt-get install -y -q time >/dev/null; }
if [ ! -f "$img" ]; then
  qemu-img create -q -f qcow2 -o cluster_size=4096 "$img" "$((gib * 2))G"
  for i in $(seq 0 $((gib * 4 - 1))); do   # 256 MiB pieces of non-zero data (4 GiB = 1,048,576 clusters of 4 KiB)
    qemu-io -f qcow2 -c "write -P $((i % 255 + 1)) $((i * 256))M 256M" "$img" >/dev/null
  done
  qemu-img snapshot -c s1 "$img"
  qemu-io -f qcow2 -c "write -P 0x77 0 64M" "$img" >/dev/null   # COW some clusters after the snapshot
  qemu-img snapshot -c s2 "$img"
fi
"$root/bin/jqcow" --version >/dev/null
measure() { /usr/bin/time -f "%e %M" "$@" >/dev/null 2>"$dir/time.txt" || true; tail -1 "$dir/time.txt"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
qt=(); qm=(); jt=(); jm=()
for r in $(seq "$rounds"); do
  read -r t m < <(measure qemu-img check "$img"); qt+=("$t"); qm+=("$m")
  read -r t m < <(measure "$root/bin/jqcow" check "$img"); jt+=("$t"); jm+=("$m")
done
q=$(printf '%s\n' "${qt[@]}" | median); j=$(printf '%s\n' "${jt[@]}" | median)
qr=$(printf '%s\n' "${qm[@]}" | sort -g | tail -1); jr=$(printf '%s\n' "${jm[@]}" | sort -g | tail -1)
alloc=$(qemu-img check --output=json "$img" | sed -n 's/.*"allocated-clusters": \([0-9]*\).*/\1/p')
printf '| image | allocated clusters | qemu-img s | jqcow s | time ratio | qemu-img peak RSS | jqcow peak RSS |\n'
printf '|---|---|---|---|---|---|---|\n'
awk -v s="$((gib * 2))" -v a="$alloc" -v q="$q" -v j="$j" -v qr="$qr" -v jr="$jr" \
  'BEGIN { printf "| %sG, 4K clusters, 2 snapshots | %s | %.2f | %.2f | %.2f | %.0f MiB | %.0f MiB |\n", s, a, q, j, j/q, qr/1024, jr/1024 }'
