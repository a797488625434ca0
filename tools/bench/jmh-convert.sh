#!/usr/bin/env bash
# JMH: jqcow's convert copy in a warm JVM beside qemu-img convert, same images, one run.
# Usage: tools/bench/jmh-convert.sh [DIR] [extra JMH options, e.g. -p sizeMiB=1024 -i 5]
# jqcow runs in-process (no JVM start-up: the engine alone); qemu-img runs as a process per
# convert (its ~5 ms start included). bench-convert.sh measures the wall clock with start-up.
# Prints JMH's table and then the jqcow/qemu-img ratio of the mean times per direction.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/jqcow-jmh}; shift || true
cd "$root"
mvn -q -B -DskipTests install -pl tools -am >&2
(cd tools && mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.cp >&2)
result="$dir/jmh-result.csv"
mkdir -p "$dir"
java -cp "tools/target/test-classes:tools/target/classes:$(cat tools/target/jmh.cp)" org.openjdk.jmh.Main \
  -jvmArgsAppend "-Djqcow.bench.dir=$dir" -rf csv -rff "$result" "$@" \
  'io.jqcow.tools.jmh.ConvertBenchmark'
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: direction",...
python3 - "$result" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
score = {(r["Param: direction"], r["Param: tool"]): float(r["Score"]) for r in rows}
print("\n| direction | qemu-img ms | jqcow ms (warm) | ratio |\n|---|---|---|---|")
for d in sorted({k[0] for k in score}):
    q, j = score.get((d, "qemu-img")), score.get((d, "jqcow"))
    if q and j:
        print(f"| {d} | {q:.0f} | {j:.0f} | {j / q:.2f} |")
PY
