# Sourced by the shell tests of tests/powercut (as `. "$(dirname "$0")/common.sh"`): a scratch
# folder removed on exit, fail, expect_exit (runs a command with its output in $tmp/out and
# $tmp/err and checks its exit status) and check_json (campaign_json.py's checks).
test_name=$(basename "$0" .sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
campaign_json="$(dirname "$0")/campaign_json.py"

fail() {
    echo "$test_name: FAIL: $*" >&2
    exit 1
}

# expect_exit CODE COMMAND ARGS...
expect_exit() {
    want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    [ "$got" -eq "$want" ] ||
        fail "'$*' exited $got, expected $want; stderr: $(head -c 2000 "$tmp/err")"
}

# check_json COMMAND ARGS...: one of campaign_json.py's checks, its verdict on stdout.
check_json() {
    python3 "$campaign_json" "$@" || fail "campaign_json.py $1 (above)"
}
