#!/usr/bin/env bash
# fault-injection.sh — try Carina as a hostile user would, on small synthetic dumps (`carina synth`), and print one
# table row per case: case, expected, observed. Ends with `N passed, M failed` and the totals of crashes (killed by a
# signal), hangs (over the time limit) and silent losses (a case that must be refused or counted exited 0 without it).
#
# Usage: Scripts/fault-injection.sh [WORK_DIR]
#   CARINA=path/to/carina to test a given binary (default: a debug build of this checkout, brought up to date first).
# Needs bash, coreutils (timeout), gzip and python3 (only to write a hand-made index.json for the verify case).
set -uo pipefail
cd "$(dirname "$0")/.."
source Scripts/env.sh

if [[ -n "${CARINA:-}" ]]; then
    carina="$CARINA"
else
    log=$(swift build --product carina 2>&1) || { echo "$log" >&2; exit 1; }
    carina="$PWD/.build/debug/carina"
fi
work="${1:-$(mktemp -d /tmp/carina-faults.XXXXXX)}"
mkdir -p "$work"
limit=180          # seconds any one command may take before it counts as a hang

passed=0 failed=0 crashes=0 hangs=0 silent=0
rows=()

# row CASE EXPECTED OBSERVED VERDICT(pass|fail)
row() {
    rows+=("$(printf '%-34s | %-44s | %s' "$1" "$2" "$3")")
    if [[ "$4" == pass ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); rows[-1]+="   <-- FAILED"; fi
}

# run CMD...: runs carina with a time limit; sets rc, out, err.
run() {
    local o e
    o=$(mktemp) e=$(mktemp)
    timeout -s KILL "$limit" "$carina" "$@" >"$o" 2>"$e"
    rc=$?
    out=$(<"$o") err=$(<"$e")
    rm -f "$o" "$e"
}

# classify: counts a crash or a hang from the last rc and sets `bad` to its word (empty when neither).
classify() {
    bad=""
    if (( rc == 137 )); then hangs=$((hangs + 1)); bad="HANG (killed after ${limit}s)"; return; fi
    if (( rc >= 128 )); then crashes=$((crashes + 1)); bad="CRASH (signal $((rc - 128)))"; fi
}

first_line() { head -n 1 <<<"$1" | cut -c1-110; }
lines() { [[ -z "$1" ]] && echo 0 || wc -l <<<"$1"; }

# refused CASE EXPECTED PATTERN [STATUS] -- ARGS: the command must fail (with STATUS when given) with one stderr line
# matching PATTERN; exit 0 is a silent loss.
refused() {
    local name=$1 expected=$2 pattern=$3 status=$4
    shift 5
    run "$@"
    classify
    if [[ -n "$bad" ]]; then row "$name" "$expected" "$bad" fail; return; fi
    if (( rc == 0 )); then silent=$((silent + 1)); row "$name" "$expected" "exit 0 (silent): $(first_line "$out")" fail; return; fi
    local observed="exit $rc: $(first_line "$err")"
    if [[ "$status" != any && "$rc" != "$status" ]]; then row "$name" "$expected" "$observed (want exit $status)" fail; return; fi
    if [[ "$(lines "$err")" != 1 ]]; then row "$name" "$expected" "$observed (+$(( $(lines "$err") - 1 )) more lines)" fail; return; fi
    if grep -q "Error Domain" <<<"$err"; then row "$name" "$expected" "$observed (raw Foundation error)" fail; return; fi
    if grep -qE -- "$pattern" <<<"$err"; then row "$name" "$expected" "$observed" pass; else row "$name" "$expected" "$observed" fail; fi
}

# accepted CASE EXPECTED PATTERN -- ARGS: the command must succeed with PATTERN in its stdout (what it counted).
accepted() {
    local name=$1 expected=$2 pattern=$3
    shift 4
    run "$@"
    classify
    if [[ -n "$bad" ]]; then row "$name" "$expected" "$bad" fail; return; fi
    if (( rc != 0 )); then row "$name" "$expected" "exit $rc: $(first_line "$err")" fail; return; fi
    local hit
    hit=$(grep -E -m1 -- "$pattern" <<<"$out" | cut -c1-110)
    if [[ -n "$hit" ]]; then row "$name" "$expected" "exit 0: $hit" pass
    else silent=$((silent + 1)); row "$name" "$expected" "exit 0 without \"$pattern\" (silent)" fail; fi
}

# --- Dumps ---------------------------------------------------------------------------------------------------------
echo "fault-injection: carina $carina, work in $work" >&2
run synth "$work/base" --studies 12 --rows 64 --cols 64 --syntax explicitLittle,rle --seed 1
[[ $rc == 0 ]] || { echo "synth failed: $err" >&2; exit 1; }
run synth "$work/slow" --studies 40 --rows 512 --cols 512 --syntax jpeg2000Lossless --seed 2
[[ $rc == 0 ]] || { echo "synth failed: $err" >&2; exit 1; }
# cp -a keeps the files' times: a copy is the same dump to a fingerprint.
fresh() { rm -rf "$work/$1"; cp -a "$work/base" "$work/$1"; echo "$work/$1"; }
ingest_args=(--size 48 --shard-size 20000 --threads 2)
first_dicom() { find "$1/files" -name '*.dcm' | sort | head -n 1; }
last_dicom() { find "$1/files" -name '*.dcm' | sort | tail -n 1; }
nth_report() { find "$1/files" -name '*.txt' | sort | sed -n "${2}p"; }

# Starts a slow ingest into $1 in the background and waits until its first shard is durable (or it ends).
start_slow() {
    "$carina" ingest "$work/slow" --out "$1" --size 256 --shard-size 200000 --threads 1 >/dev/null 2>&1 &
    slow_pid=$!
    for _ in $(seq 1 600); do
        [[ -e "$1/shard.00000.mds" ]] && return 0
        kill -0 "$slow_pid" 2>/dev/null || return 0
        sleep 0.05
    done
}

# --- 1. Resume after the dump or the options changed -----------------------------------------------------------------
d=$(fresh added); o="$work/out-added"
start_slow "$o"; kill -9 "$slow_pid" 2>/dev/null; wait "$slow_pid" 2>/dev/null
cp -a "$work/slow" "$work/slow-added"
mkdir -p "$work/slow-added/files/p10/p10000000/s10000000"
cp "$(first_dicom "$work/slow")" "$work/slow-added/files/p10/p10000000/s10000000/00000000-first.dcm"
refused "resume: study added that sorts first" "refused, names the added file" "00000000-first.dcm was added" 1 -- \
    ingest "$work/slow-added" --out "$o" --size 256 --shard-size 200000 --threads 1
rm -rf "$work/slow-added"

d=$(fresh removed); o="$work/out-removed"
run ingest "$d" --out "$o" "${ingest_args[@]}"
victim=$(last_dicom "$d"); rm "$victim"
refused "resume: DICOM removed (finished out)" "refused, names the removed file" "was removed" 1 -- ingest "$d" --out "$o" "${ingest_args[@]}"

d=$(fresh options); o="$work/out-options"
run ingest "$d" --out "$o" --size 96
refused "resume: --image png8 --size 256" "refused, names --image" "--image was png16, now png8" 1 -- ingest "$d" --out "$o" --image png8 --size 256
for change in "--transform window:--transform was raw" "--views PA:--views was all" "--mode mimic:--mode was clean" "--sections mimic:--mode was clean" "--pad:--pad was no"; do
    refused "resume: ${change%%:*}" "refused, names the option" "${change#*:}" 1 -- ingest "$d" --out "$o" --size 96 ${change%%:*}
done
gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | gzip -n >"$d/split.tmp" && touch -d "2001-01-01" "$d/split.tmp" && mv "$d/split.tmp" "$d/mimic-cxr-2.0.0-split.csv.gz"
refused "resume: split CSV replaced" "refused, names the split table" "split table changed" 1 -- ingest "$d" --out "$o" --size 96

# Kill -9 at several moments, then the same command: byte-identical to an uninterrupted run.
ref="$work/out-reference"
"$carina" ingest "$work/slow" --out "$ref" --size 256 --shard-size 200000 --threads 1 >/dev/null 2>&1
for delay in 0.2 0.6 1.2 2.0; do
    o="$work/out-kill-$delay"
    "$carina" ingest "$work/slow" --out "$o" --size 256 --shard-size 200000 --threads 1 >/dev/null 2>&1 &
    pid=$!; sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    run ingest "$work/slow" --out "$o" --size 256 --shard-size 200000 --threads 1
    classify
    if [[ -n "$bad" ]]; then row "kill -9 at ${delay}s, same command" "byte-identical, report too" "$bad" fail
    elif [[ $rc != 0 ]]; then row "kill -9 at ${delay}s, same command" "byte-identical, report too" "exit $rc: $(first_line "$err")" fail
    elif diff -r "$ref" "$o" >/dev/null; then row "kill -9 at ${delay}s, same command" "byte-identical, report too" "identical ($(ls "$o" | grep -c '\.mds$') shards)" pass
    else silent=$((silent + 1)); row "kill -9 at ${delay}s, same command" "byte-identical, report too" "differs: $(diff -rq "$ref" "$o" | head -n1)" fail; fi
done

# A full disk (a small tmpfs, where this user may mount one), then the same command with room: byte-identical.
tiny="$work/tinyfs"; mkdir -p "$tiny"
if mount -t tmpfs -o size=120k tmpfs "$tiny" 2>/dev/null; then
    "$carina" ingest "$work/base" --out "$work/out-roomy" "${ingest_args[@]}" >/dev/null 2>&1
    refused "full disk during ingest" "one line: no space, what to do" "No space left on device; free disk space" 1 -- \
        ingest "$work/base" --out "$tiny/o" "${ingest_args[@]}"
    mount -o remount,size=8m tmpfs "$tiny"
    run ingest "$work/base" --out "$tiny/o" "${ingest_args[@]}"
    classify
    if [[ -n "$bad" ]]; then row "full disk, then room: same command" "byte-identical, report too" "$bad" fail
    elif [[ $rc == 0 ]] && diff -r "$work/out-roomy" "$tiny/o" >/dev/null; then row "full disk, then room: same command" "byte-identical, report too" "identical" pass
    else silent=$((silent + 1)); row "full disk, then room: same command" "byte-identical, report too" "exit $rc, $(diff -rq "$work/out-roomy" "$tiny/o" | head -n1)" fail; fi
    umount "$tiny"
else
    echo "fault-injection: cannot mount a tmpfs here (not root): the full-disk cases are not tried" >&2
fi

# --- 3. Two ingests into one --out ---------------------------------------------------------------------------------
o="$work/out-locked"
start_slow "$o"
refused "second ingest while one runs" "refused: folder locked" "being written by another carina ingest" 1 -- \
    ingest "$work/slow" --out "$o" --size 256 --shard-size 200000 --threads 1
wait "$slow_pid"
o="$work/out-concurrent"
"$carina" ingest "$work/base" --out "$o" "${ingest_args[@]}" >/dev/null 2>&1 & a=$!
"$carina" ingest "$work/base" --out "$o" "${ingest_args[@]}" >/dev/null 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
rows_in_report=$(( $(wc -l <"$o/ingest-report.tsv") - 1 ))
strays=$(ls "$o" | grep -c '\.tmp$')
run shards verify "$o"
if (( ra >= 128 || rb >= 128 )); then crashes=$((crashes + 1)); row "two ingests started together" "one runs, nothing lost" "CRASH" fail
elif [[ $rc == 0 && $rows_in_report == 12 && $strays == 0 ]] && (( ra == 0 || rb == 0 )); then
    row "two ingests started together" "one runs, nothing lost" "exits $ra/$rb, 12 report rows, verify OK" pass
else silent=$((silent + 1)); row "two ingests started together" "one runs, nothing lost" "exits $ra/$rb, $rows_in_report rows, $strays .tmp, verify $rc" fail; fi

# --- 2 and 5. CSVs --------------------------------------------------------------------------------------------------
d=$(fresh cut-gzip); bytes=$(stat -c %s "$d/mimic-cxr-2.0.0-split.csv.gz")
head -c $((bytes - 8)) "$d/mimic-cxr-2.0.0-split.csv.gz" >"$d/t" && mv "$d/t" "$d/mimic-cxr-2.0.0-split.csv.gz"
refused "split .csv.gz without its trailer" "refused: cut short" "cut short" 1 -- ingest "$d" --out "$work/out-cut" "${ingest_args[@]}"
d=$(fresh cut-gzip2)
head -c $((bytes / 2)) "$work/base/mimic-cxr-2.0.0-split.csv.gz" >"$d/mimic-cxr-2.0.0-split.csv.gz"
refused "split .csv.gz cut in half" "refused: cut short" "cut short|corrupt" 1 -- ingest "$d" --out "$work/out-cut2" "${ingest_args[@]}"
d=$(fresh header-only); gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | head -n 1 >"$d/mimic-cxr-2.0.0-split.csv"; rm "$d/mimic-cxr-2.0.0-split.csv.gz"
accepted "split CSV with only its header" "12 images counted as without a split row" "note: 12 images have no row in the split CSV" -- \
    ingest "$d" --out "$work/out-header-only" "${ingest_args[@]}"
d=$(fresh missing-rows); gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | sed '3d;5d' >"$d/mimic-cxr-2.0.0-split.csv"; rm "$d/mimic-cxr-2.0.0-split.csv.gz"
accepted "split CSV missing 2 rows" "2 images counted and named" "note: 2 images have no row in the split CSV" -- \
    ingest "$d" --out "$work/out-missing-rows" "${ingest_args[@]}"
# a patient with two studies put in two splits
d=$(fresh two-splits)
gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | awk -F, 'NR==1{print;next} {n[$3]++; if (n[$3]==2) {$4=($4=="train"?"validate":"train")} print}' OFS=, >"$d/mimic-cxr-2.0.0-split.csv"
rm "$d/mimic-cxr-2.0.0-split.csv.gz"
refused "split CSV: a patient in two splits" "refused: names the patient" "must stay in one split" 1 -- ingest "$d" --out "$work/out-two" "${ingest_args[@]}"
for value in holdout TEST ""; do
    d=$(fresh "split-$value")
    gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | awk -F, -v v="$value" 'NR==3{$4=v} {print}' OFS=, >"$d/mimic-cxr-2.0.0-split.csv"
    rm "$d/mimic-cxr-2.0.0-split.csv.gz"
    refused "split value \"$value\"" "refused: names line and value" ":3: split \"$value\" is not train" 1 -- ingest "$d" --out "$work/out-split-$value" "${ingest_args[@]}"
done
d=$(fresh dup-rows)
gzip -dc "$d/mimic-cxr-2.0.0-metadata.csv.gz" | awk -F, 'NR==2{print; $5=($5=="PA"?"AP":"PA")} {print}' OFS=, >"$d/mimic-cxr-2.0.0-metadata.csv"
rm "$d/mimic-cxr-2.0.0-metadata.csv.gz"
refused "metadata: dicom_id twice, other view" "refused: names both lines" "is also on line 2 with other values" 1 -- ingest "$d" --out "$work/out-dup" "${ingest_args[@]}"
d=$(fresh disagree)
gzip -dc "$d/mimic-cxr-2.0.0-metadata.csv.gz" | awk -F, 'NR==2{$3="59999999"} {print}' OFS=, >"$d/mimic-cxr-2.0.0-metadata.csv"
echo "0000dead-beef,10000001,50000001,CHEST,PA,64,64,21500101,120000,CHEST,postero-anterior,Erect" >>"$d/mimic-cxr-2.0.0-metadata.csv"
rm "$d/mimic-cxr-2.0.0-metadata.csv.gz"
accepted "metadata row disagrees with path" "counted and named" "note: 1 metadata CSV rows name another subject" -- ingest "$d" --out "$work/out-disagree" "${ingest_args[@]}"
grep -q "metadata-row-without-image" "$work/out-disagree/ingest-notices.tsv" \
    && row "metadata row names an absent image" "counted and named" "listed in ingest-notices.tsv" pass \
    || { silent=$((silent + 1)); row "metadata row names an absent image" "counted and named" "not listed (silent)" fail; }
d=$(fresh bad-label)
gzip -dc "$d/mimic-cxr-2.0.0-chexpert.csv.gz" | awk -F, 'NR==3{$6="maybe"} {print}' OFS=, >"$d/mimic-cxr-2.0.0-chexpert.csv"
rm "$d/mimic-cxr-2.0.0-chexpert.csv.gz"
refused "chexpert label \"maybe\"" "refused: names line and column" ":3: Edema is \"maybe\"" 1 -- ingest "$d" --out "$work/out-label" "${ingest_args[@]}"
d=$(fresh ragged); gzip -dc "$d/mimic-cxr-2.0.0-split.csv.gz" | sed '4s/$/,extra/' >"$d/mimic-cxr-2.0.0-split.csv"; rm "$d/mimic-cxr-2.0.0-split.csv.gz"
refused "ragged split CSV row" "refused: names the line" ":4: 5 fields" 1 -- ingest "$d" --out "$work/out-ragged" "${ingest_args[@]}"

# --- 6. Inputs that must not vanish from the tally ------------------------------------------------------------------
d=$(fresh reports)
r1=$(nth_report "$d" 1) r2=$(nth_report "$d" 2) r3=$(nth_report "$d" 3) r4=$(nth_report "$d" 4)
: >"$r1"; printf '\xff\xfeF\x00I\x00N\x00' >"$r2"; rm "$r3"; head -c 4000 /dev/urandom >"$r4"
mkdir -p "$d/files/p10/stray" "$d/files/p10/p10001337/notastudy"
cp "$(first_dicom "$d")" "$d/files/p10/stray/x.dcm"; cp "$(first_dicom "$d")" "$d/files/p10/p10001337/notastudy/y.dcm"
run ingest "$d" --out "$work/out-reports" "${ingest_args[@]}"
classify
for kind in "report-missing:1" "report-empty:1" "report-not-text:2" "dicom-outside-layout:2"; do
    got=$(grep -c "^${kind%%:*}	" "$work/out-reports/ingest-notices.tsv" 2>/dev/null)
    if [[ -n "$bad" ]]; then row "counted: ${kind%%:*}" "${kind#*:} counted and named" "$bad" fail
    elif [[ "$got" == "${kind#*:}" ]]; then row "counted: ${kind%%:*}" "${kind#*:} counted and named" "$got in ingest-notices.tsv" pass
    else silent=$((silent + 1)); row "counted: ${kind%%:*}" "${kind#*:} counted and named" "${got:-0} counted (silent)" fail; fi
done
# report rows after a kill before the first shard and a line cut short: byte-identical
o="$work/out-report-cut"; run ingest "$d" --out "$o" --size 48 --shard-size 10000000
cp "$o/ingest-report.tsv" "$work/report.expected"
rm -f "$o"/shard.* "$o/index.json" "$o/ingest-summary.json"; printf 'abc\twrit' >>"$o/ingest-report.tsv"
run ingest "$d" --out "$o" --size 48 --shard-size 10000000
if cmp -s "$o/ingest-report.tsv" "$work/report.expected"; then row "report after kill + cut line" "ingest-report.tsv byte-identical" "identical" pass
else silent=$((silent + 1)); row "report after kill + cut line" "ingest-report.tsv byte-identical" "differs (silent)" fail; fi

# --- 8. Sizes of what a record may hold -----------------------------------------------------------------------------
d=$(fresh huge-report); head -c 52428800 /dev/zero | tr '\0' 'a' >"$(nth_report "$d" 2)"
accepted "50 MB report" "its images fail with the report's size" "written, 0 skipped, [1-9][0-9]* failed" -- ingest "$d" --out "$work/out-huge" "${ingest_args[@]}"
grep -q "is 52428800 bytes" "$work/out-huge/ingest-report.tsv" \
    && row "50 MB report: reason" "size named in ingest-report.tsv" "named" pass \
    || row "50 MB report: reason" "size named in ingest-report.tsv" "not named" fail
accepted "record over --shard-size 2000" "every image fails, limit kept" "0 written, 0 skipped, 12 failed" -- \
    ingest "$work/base" --out "$work/out-shard-limit" --size 48 --shard-size 2000
big=$(find "$work/out-shard-limit" -name '*.mds' -size +2000c | wc -l)
[[ $big == 0 ]] && row "shard limit kept" "no shard over 2000 bytes" "none over" pass || row "shard limit kept" "no shard over 2000 bytes" "$big over" fail

# --- 7. Absurd sizes ------------------------------------------------------------------------------------------------
good="$work/out-good"; run ingest "$work/base" --out "$good" "${ingest_args[@]}"
refused "ingest --size 100000" "usage error, nothing allocated" "larger than 8192" 64 -- ingest "$work/base" --out "$work/out-big" --size 100000
refused "stream --size 100000" "usage error, nothing allocated" "larger than 4096" 64 -- stream "$good" --size 100000
refused "stream --batch 100000 --size 4096" "usage error: memory named" "of batch tensors" 64 -- stream "$good" --batch 100000 --size 4096

# --- 9. Training ----------------------------------------------------------------------------------------------------
refused "train --lr 1e30" "usage error" "--lr must be a number" 64 -- train "$good" --lr 1e30 --steps 1
refused "train --lr nan" "usage error" "--lr must be a number" 64 -- train "$good" --lr nan --steps 1
refused "train --loss-weights 1,inf,1" "usage error" "--loss-weights" 64 -- train "$good" --loss-weights 1,inf,1 --steps 1
ck="$work/ckpt"; run train "$good" --steps 1 --checkpoint "$ck" --threads 2
ckpt=$(ls "$ck"/*.ckpt | head -n 1)
python3 - "$ckpt" <<'EOF'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
for k in range(10):                       # ten flipped exponents in the parameters
    data[len(data) // 2 + 4 * 97 * k + 3] ^= 0x40
open(path, "wb").write(bytes(data))
EOF
refused "eval: ten flipped exponents" "refused: CRC-32C" "CRC-32C" 1 -- eval "$ck" "$good"
refused "train --resume, empty folder" "refused, not a fresh start" "holds no checkpoint" 1 -- train "$good" --steps 1 --checkpoint "$work/empty-ckpt" --resume

# --- 4. Merge and verify --------------------------------------------------------------------------------------------
m="$work/merged"; mkdir -p "$m"
run ingest "$work/base" --out "$m/part0" --size 48 --partition 0/2
run ingest "$work/base" --out "$m/part1" --size 48 --partition 0/2 --threads 1
refused "merge overlapping parts" "refused: names the id" "dicom_id .* is in .*part0" 1 -- shards merge "$m/part0" "$m/part1" --out "$m"
rm -rf "$m/part1"; run ingest "$work/base" --out "$m/part1" --size 48 --partition 1/2 --image png8
refused "merge png16 + png8 parts" "refused: names the option" "--image png8" 1 -- shards merge "$m/part0" "$m/part1" --out "$m"
rm -rf "$m/part1"; run ingest "$work/base" --out "$m/part1" --size 48 --partition 1/2
accepted "merge disjoint parts" "merged" "." -- shards merge "$m/part0" "$m/part1" --out "$m"
dup="$work/dup"; mkdir -p "$dup"; cp -a "$good" "$dup/a"; cp -a "$good" "$dup/b"
python3 - "$dup" <<'EOF'
import json, sys
root = sys.argv[1]
shards = []
for part in ("a", "b"):
    for entry in json.load(open(f"{root}/{part}/index.json"))["shards"]:
        for key in ("raw_data", "zip_data"):
            if entry.get(key):
                entry[key]["basename"] = f"{part}/" + entry[key]["basename"]
        shards.append(entry)
json.dump({"shards": shards, "version": 2}, open(f"{root}/index.json", "w"), sort_keys=True)
EOF
run shards verify "$dup"
classify
if [[ -n "$bad" ]]; then row "verify: every id twice" "problem: duplicate dicom_id" "$bad" fail
elif [[ $rc != 0 ]] && grep -q "holds a record twice" <<<"$out$err"; then row "verify: every id twice" "problem: duplicate dicom_id" "exit $rc: duplicate named" pass
else silent=$((silent + 1)); row "verify: every id twice" "problem: duplicate dicom_id" "exit $rc (silent)" fail; fi

# --- 10. Command lines ----------------------------------------------------------------------------------------------
refused "stream --key-column nope" "usage error naming the columns" "has no such column" 64 -- stream "$good" --key-column nope
refused "ingest --views FOO" "usage error naming the views" "matches none of the dump's images" 64 -- ingest "$work/base" --out "$work/out-views" --views FOO
refused "train --steps -5" "usage error, not \"Missing value\"" "at least 1" 64 -- train "$good" --steps -5
refused "ingest --threads -1" "usage error, not \"Missing value\"" "--threads must be at least 1" 64 -- ingest "$work/base" --out "$work/x" --threads -1
refused "ingest --out /proc/x/y" "one line: path and reason" "/proc/x/y: no such file" 1 -- ingest "$work/base" --out /proc/x/y
refused "stream --resume missing file" "one line: path and reason" "no such file or folder" 1 -- stream "$good" --resume "$work/none.json"
run stream "$good" --batch 2 --batches 1 --save-state "$work/state.json"
other="$work/out-other"; run ingest "$work/base" --out "$other" --size 40
refused "loader state on another dataset" "refused" "saved while streaming another dataset" 1 -- stream "$other" --resume "$work/state.json"
flip="$work/out-flip"; cp -a "$good" "$flip"
shard=$(ls "$flip"/shard.00001.mds); size=$(stat -c %s "$shard")
printf '\x5a' | dd of="$shard" bs=1 seek=$((size - 20)) conv=notrunc status=none
accepted "stream --skip-corrupt, 1 flipped bit" "count printed" "1 corrupt sample\(s\) skipped" -- stream "$flip" --batch 1 --skip-corrupt
run stream "$flip" --batch 2 --skip-corrupt
twice=$(grep -o "ids: .*" <<<"$out" | tr ' ' '\n' | grep -v "ids:" | sort | uniq -d | wc -l)
classify
if [[ -n "$bad" ]]; then row "--skip-corrupt: no sample twice" "11 distinct samples" "$bad" fail
elif [[ $rc == 0 && $twice == 0 ]] && grep -q "stream: 11 samples" <<<"$out"; then row "--skip-corrupt: no sample twice" "11 distinct samples" "11 samples, none twice" pass
else silent=$((silent + 1)); row "--skip-corrupt: no sample twice" "11 distinct samples" "exit $rc, $twice repeated" fail; fi
run shards verify "$flip"
classify
if [[ -n "$bad" ]]; then row "verify: flipped bit" "refused: names the sample" "$bad" fail
elif [[ $rc == 1 ]] && grep -q "sample 1 (global 3)" <<<"$out"; then row "verify: flipped bit" "refused: names the sample" "exit 1: $(first_line "$out")" pass
else silent=$((silent + 1)); row "verify: flipped bit" "refused: names the sample" "exit $rc: $(first_line "$out$err")" fail; fi
refused "stream: flipped bit" "refused: names the sample" "CRC32C" 1 -- stream "$flip" --batch 1

# --- Already survived: damaged DICOMs, special files ----------------------------------------------------------------
d=$(fresh damaged)
v=$(first_dicom "$d"); head -c 300 "$v" >"$v.t" && mv "$v.t" "$v"
v=$(last_dicom "$d"); rm "$v"; mkfifo "$v"
study=$(dirname "$(first_dicom "$d")"); ln -s loop.dcm "$study/loop.dcm"
accepted "truncated DICOM, FIFO, symlink loop" "3 failed, the rest written" "10 written, 0 skipped, 3 failed" -- ingest "$d" --out "$work/out-damaged" "${ingest_args[@]}"

# --- Table ----------------------------------------------------------------------------------------------------------
printf '%-34s | %-44s | %s\n' "case" "expected" "observed"
printf '%s\n' "$(printf '%.0s-' {1..130})"
printf '%s\n' "${rows[@]}"
echo "cases tried $((passed + failed)), crashes $crashes, hangs $hangs, silent losses $silent"
echo "$passed passed, $failed failed"
(( failed == 0 ))
