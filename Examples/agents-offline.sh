#!/bin/sh
# Runs Examples/agents.json through the real claude CLI, offline: the CLI talks
# to a small mock of the Messages API on 127.0.0.1 (a free port), which answers
# each ticket's prompt with the files in agents-offline-answers.json, written
# by the CLI's own Write tool. No account and no network are needed.
#
#   Examples/agents-offline.sh [PARRUN OPTIONS]
#
# The claude binary: $CLAUDE, else $PARRUN_TEST_CLAUDE (what .ci/run installs),
# else `claude` on PATH. parrun: $PARRUN, else the debug build (built if needed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
claude=${CLAUDE:-${PARRUN_TEST_CLAUDE:-$(command -v claude || true)}}
if [ -z "$claude" ]; then
    echo "agents-offline: no claude CLI; install it, or set CLAUDE=/path/to/claude" >&2
    exit 2
fi
parrun=${PARRUN:-$root/.build/debug/parrun}
[ -x "$parrun" ] || (cd "$root" && swift build --product parrun >/dev/null)

work=$(mktemp -d)
python3 "$root/Tests/ParrunCoreTests/Fixtures/mock_anthropic.py" --port-file "$work/port" \
    --answers "$here/agents-offline-answers.json" --root "$here" >/dev/null 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null; rm -rf "$work"' EXIT INT TERM
tries=0
until [ -s "$work/port" ]; do
    tries=$((tries + 1))
    [ $tries -lt 200 ] || { echo "agents-offline: the mock did not start" >&2; exit 1; }
    sleep 0.05
done
mkdir -p "$work/home"

# The CLI's own home and settings stay in the temporary directory.
HOME="$work/home" \
ANTHROPIC_BASE_URL="http://127.0.0.1:$(cat "$work/port")" \
ANTHROPIC_API_KEY=offline-demo \
CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
PARRUN_CLAUDE="$claude -p --output-format stream-json --verbose" \
    "$parrun" "$@" "$here/agents.json"
