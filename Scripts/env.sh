# Shared environment of Carina's scripts (sourced, not run).
# Debian's OpenBLAS mis-detects this machine's processor and can compute wrong results or crash unless the core type
# is pinned; keep whatever the machine already sets, and pin Haswell where nothing is set.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
# DCMTK's data dictionary must come from Debian's default path: DCMDICTPATH would replace it.
unset DCMDICTPATH
