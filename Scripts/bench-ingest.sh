#!/usr/bin/env bash
# Ingest benchmark, side by side in one run: `carina ingest` against the Python pipeline users write
# (Scripts/bench-ingest-baseline.py: pydicom + NumPy + PIL + streaming.MDSWriter) on the same synthetic dump of
# real-size DICOMs, on 1 and 2 cores; and Carina's peak memory for a small and a 10x larger dump.
#
#   CARINA_VENV=/path/to/bench-venv bash Scripts/bench-ingest.sh [STUDIES=1000] [WORK=/tmp/carina-bench-ingest]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
studies="${1:-1000}"
python=$(venv_python "a venv with pydicom, pylibjpeg, pillow and mosaicml-streaming")
start_work "${2:-}" carina-bench-ingest
dump="$work/dump-$studies"
if [ ! -f "$dump/mimic-cxr-2.0.0-split.csv.gz" ]; then
    $carina synth "$dump" --studies "$studies" --rows 3056 --cols 2544 --syntax explicitLittle --seed 1
fi
echo "input: $(find "$dump" -name '*.dcm' | wc -l) DICOMs, 3056x2544, 12-bit, explicit VR little endian; $(du -sh "$dump" | cut -f1)"
# CPU seconds (user + sys, the workers included) next to wall time: on a shared machine the CPU time per image is
# the figure other jobs disturb least.
timing="%e s wall, %U s user + %S s sys, max RSS %M KB"
# Both sides read the dump from a warm page cache (it fits in memory), so neither pays for the other's evictions.
warm() { find "$dump" -name '*.dcm' -print0 | xargs -0 cat > /dev/null; }
for n in 1 2; do
    rm -rf "$work/carina-$n"
    warm
    echo "before carina, threads $n: $(load_average)"
    /usr/bin/time -f "$timing" -o "$work/time-$n" \
        $carina ingest "$dump" --out "$work/carina-$n" --threads $n --size 512 --image png16 > "$work/carina-$n.log"
    echo "carina  threads $n: $(grep 'images in' "$work/carina-$n.log"); $(cat "$work/time-$n")"
    warm
    echo "before python, workers $n: $(load_average)"
    /usr/bin/time -f "$timing" -o "$work/time-python-$n" \
        $python Scripts/bench-ingest-baseline.py "$dump" "$work/python-$n" --workers $n
    echo "python  workers $n: $(cat "$work/time-python-$n")"
done
if diff -r -q "$work/carina-1" "$work/carina-2" > /dev/null; then
    echo "carina: 1 and 2 threads wrote the same bytes ($(ls "$work/carina-1" | wc -l) files: shards, index, report)"
else
    echo "carina: 1 and 2 threads wrote DIFFERENT bytes:"; diff -r -q "$work/carina-1" "$work/carina-2" || true
fi

# Peak memory against dump size: small images so that larger dumps stay cheap. The open shard's samples wait in a
# spool file, not in memory, so the peak does not depend on --shard-size (shown at 64 and 8 MiB); what remains
# proportional to the dump is its index (the listing and the CSV join), a fraction of a kilobyte per image.
for count in 1000 10000 30000; do
    small="$work/small-$count"
    [ -f "$small/mimic-cxr-2.0.0-split.csv.gz" ] || $carina synth "$small" --studies $count --rows 256 --cols 256 --seed 2 > /dev/null
    for shard in 67108864 8388608; do
        rm -rf "$work/small-out-$count"
        /usr/bin/time -f "%e s, max RSS %M KB" -o "$work/time-small-$count" \
            $carina ingest "$small" --out "$work/small-out-$count" --size 128 --shard-size $shard > /dev/null
        echo "carina memory, $count images of 256x256, --shard-size $shard: $(cat "$work/time-small-$count"), $(ls "$work/small-out-$count"/*.mds | wc -l) shards"
    done
done
