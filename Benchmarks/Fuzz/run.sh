#!/usr/bin/env bash
# Fuzzes parrun's readers with libFuzzer + AddressSanitizer, one target after
# another:
#
#     Benchmarks/Fuzz/run.sh [SECONDS] [TARGET...] [-libfuzzer-flag...]
#
# SECONDS (default 60) is per target; without TARGETs every one in `targets`
# below runs. A target is an executable in Sources/TARGET with seeds in
# corpus/TARGET and a dictionary TARGET.dict; one whose Sources/TARGET does not
# exist yet is skipped with a message. Everything happens in a temporary
# directory, so nothing in the repository changes: the seed corpus is copied
# there (corpus/ never grows), and libFuzzer writes crash-*, timeout-* and
# oom-* files to TARGET/artifacts/ in it. The directory is removed afterwards
# unless it holds such a file; then its path is printed and the script exits 1.
# Reproduce a finding with
#     SWIFT_BACKTRACE=enable=no "$(swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --show-bin-path)/TARGET" FILE
set -euo pipefail

targets=(JSONManifestFuzzer TextManifestFuzzer JournalFuzzer)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds=60
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
    seconds="$1"
    shift
fi
chosen=()
flags=()
for argument in "$@"; do
    if [[ "$argument" == -* ]]; then
        flags+=("$argument")
    elif [[ " ${targets[*]} " == *" $argument "* ]]; then
        chosen+=("$argument")
    else
        echo "run.sh: unknown target '$argument' (targets: ${targets[*]})" >&2
        exit 2
    fi
done
((${#chosen[@]})) || chosen=("${targets[@]}")

cd "$here"
runnable=()
for target in "${chosen[@]}"; do
    if [[ -d "Sources/$target" ]]; then
        runnable+=("$target")
    else
        echo "run.sh: skipping $target: Sources/$target does not exist yet" >&2
    fi
done
((${#runnable[@]})) || exit 0

# -Xswiftc -sanitize=fuzzer alone builds a binary that exits at once; both
# --sanitize fuzzer and -sanitize=fuzzer,address are needed (docs/platform.md).
build=(swift build -c release --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address)
for target in "${runnable[@]}"; do
    "${build[@]}" --product "$target"
done
bin="$("${build[@]}" --show-bin-path)"

work="$(mktemp -d "${TMPDIR:-/tmp}/parrun-fuzz.XXXXXX")"
finish() {
    if compgen -G "$work/*/artifacts/*" >/dev/null; then
        echo "findings kept in $work:" >&2
        ls -l "$work"/*/artifacts >&2
        rm -rf "$work"/*/corpus
    else
        rm -rf "$work"
    fi
}
trap finish EXIT

failed=()
for target in "${runnable[@]}"; do
    mkdir -p "$work/$target/artifacts" "$work/$target/corpus"
    if [[ -d "corpus/$target" ]]; then cp -R "corpus/$target/." "$work/$target/corpus/"; fi
    dictionary=()
    [[ -f "$target.dict" ]] && dictionary=(-dict="$here/$target.dict")
    echo "fuzzing $target for ${seconds}s; working corpus in $work/$target/corpus" >&2
    # Without SWIFT_BACKTRACE=enable=no Swift's crash reporter takes the crash
    # and libFuzzer writes no crash-* file.
    if ! SWIFT_BACKTRACE=enable=no "$bin/$target" \
        -max_total_time="$seconds" \
        -max_len=4096 \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -print_final_stats=1 \
        "${dictionary[@]}" \
        -artifact_prefix="$work/$target/artifacts/" \
        "${flags[@]}" \
        "$work/$target/corpus"; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "run.sh: ${failed[*]} found a crash, hang or leak (see above)" >&2
    exit 1
fi
