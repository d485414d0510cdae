# Shared environment of Carina's scripts (sourced, not run).
# Debian's OpenBLAS mis-detects this machine's processor and can compute wrong results or crash unless the core type
# is pinned; keep whatever the machine already sets, and pin Haswell where nothing is set.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
# DCMTK's data dictionary must come from Debian's default path: DCMDICTPATH would replace it.
unset DCMDICTPATH

# Builds `carina` in release mode and prints its path; on a failed build prints the compiler's output and fails, so
# that no script goes on with an older binary.
build_release_carina() {
    local log
    log=$(swift build -c release --product carina 2>&1) || { echo "$log" >&2; return 1; }
    echo .build/release/carina
}
