#!/usr/bin/env bash
# Fuzzes parrun's manifest pipeline (read -> graph -> plan -> every printer,
# or diagnostics -> renderer) with libFuzzer + AddressSanitizer.
#
#     Benchmarks/Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# SECONDS defaults to 60. Everything happens in a temporary directory, so
# nothing in the repository changes: the seed corpus is copied there (corpus/
# never grows), and libFuzzer writes crash-*, timeout-* and oom-* files to its
# artifacts/ folder. The directory is removed afterwards unless it holds such a
# file; then its path is printed. Reproduce one with
#     SWIFT_BACKTRACE=enable=no .build/release/ManifestFuzzer FILE
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${1:-60}"
shift || true

cd "$here"
# -Xswiftc -sanitize=fuzzer alone builds a binary that exits at once; both
# --sanitize fuzzer and -sanitize=fuzzer,address are needed (docs/platform.md).
swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --product ManifestFuzzer
binary="$(swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --show-bin-path)/ManifestFuzzer"

work="$(mktemp -d "${TMPDIR:-/tmp}/parrun-fuzz.XXXXXX")"
finish() {
    if compgen -G "$work/artifacts/*" >/dev/null; then
        echo "findings kept in $work/artifacts:" >&2
        ls -l "$work/artifacts" >&2
        rm -rf "$work/corpus"
    else
        rm -rf "$work"
    fi
}
trap finish EXIT
cp -R "$here/corpus" "$work/corpus"
mkdir -p "$work/artifacts"

echo "fuzzing for ${seconds}s; working corpus in $work/corpus" >&2
# Without SWIFT_BACKTRACE=enable=no Swift's crash reporter takes the crash and
# libFuzzer writes no crash-* file.
SWIFT_BACKTRACE=enable=no "$binary" \
    -max_total_time="$seconds" \
    -max_len=4096 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -dict="$here/manifest.dict" \
    -artifact_prefix="$work/artifacts/" \
    "$@" \
    "$work/corpus"
