#!/bin/sh
# The HTML reports without a browser (docs/reports.md): `norbench run --report DIR` and
# `norbench powercut --report DIR` write DIR/index.html that html_check.py finds sound (closed
# elements, no external reference, sized SVGs); every string from a scenario is escaped (a
# scenario named `<script>`, a file named `<i>&.json`, a message quoting `</table><script>`);
# each failure of a campaign links its reproducer inside DIR and shows the command that replays
# it, and that command fails again; a page for the whole suite stays under 2 MB. Each check of
# html_check.py is shown to catch its broken variant of a good page.
# Usage: html_report.sh NORBENCH BROKEN_NORBENCH SOURCE_DIR
set -u
norbench=$1
broken=$2
src=$3
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "html_report: $*" >&2; exit 1; }
check() { python3 "$here/html_check.py" "$@"; }

# ---- a run: passing, failing, invalid, and names that need escaping ----
mkdir "$tmp/in"
cat >"$tmp/in/<i>&.json" <<'JSON'
{ "name": "pass", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "a", "value": "1" } }, { "check": {} } ] }
JSON
cat >"$tmp/in/fail.json" <<'JSON'
{ "name": "fail", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "store": { "key": "a", "value": "1" } },
             { "fetch": { "key": "a" }, "expect": { "value": "</table><script>" } } ] }
JSON
cat >"$tmp/in/script.json" <<'JSON'
{ "name": "<script>", "flash": { "preset": "tiny" }, "engine": { "type": "map" },
  "steps": [ { "check": {} } ] }
JSON
"$norbench" run "$tmp/in" --report "$tmp/run" >/dev/null 2>&1
[ -s "$tmp/run/index.html" ] || fail "run --report wrote no index.html"
page=$tmp/run/index.html
check "$page" || fail "the run's page is not sound"
grep -q "invalid name &apos;&lt;script&gt;&apos;" "$page" || fail "the name <script> is not escaped"
grep -q "&lt;/table&gt;&lt;script&gt;" "$page" || fail "the failure message is not escaped"
grep -q "&lt;i&gt;&amp;.json" "$page" || fail "the file name <i>&.json is not escaped"
[ "$(grep -c '<script>' "$page")" -eq 1 ] || fail "a <script> other than the page's own"
grep -q '<svg class="heatmap"' "$page" || fail "no heatmap on the run's page"
grep -q '<svg class="histogram"' "$page" || fail "no wear histogram on the run's page"
grep -q '<svg class="line"' "$page" || fail "no curve over simulated time on the run's page"

# ---- each check of html_check.py catches its broken page ----
refuse() { # NAME FILE WHAT: the checker must refuse FILE, saying WHAT
    check "$2" >"$tmp/why" 2>&1 && fail "$1: the checker passed a broken page"
    grep -q "$3" "$tmp/why" || fail "$1: the checker did not say '$3': $(cat "$tmp/why")"
}
sed '0,/<\/table>/s///' "$page" >"$tmp/unclosed.html"
refuse "an unclosed table" "$tmp/unclosed.html" "closes <table>"
sed '0,/<\/section>/s//<p><\/section>/' "$page" >"$tmp/open-p.html"
refuse "an unclosed paragraph" "$tmp/open-p.html" "closes <p>"
sed 's|<main>|<main><img src="https://example.org/x.png">|' "$page" >"$tmp/url.html"
refuse "an external image" "$tmp/url.html" "reference outside"
sed 's|<main>|<main><a href="//example.org/">x</a>|' "$page" >"$tmp/scheme.html"
refuse "a protocol-relative link" "$tmp/scheme.html" "reference outside"
sed 's|</style>|@import "x.css";</style>|' "$page" >"$tmp/import.html"
refuse "a style sheet import" "$tmp/import.html" "could fetch"
sed '0,/<svg class="heatmap" width="[0-9]*" height="[0-9]*" viewBox="[^"]*"/s//<svg class="heatmap"/' \
    "$page" >"$tmp/unsized.html"
refuse "an SVG without a size" "$tmp/unsized.html" "<svg> without"
sed 's|&lt;script&gt;|<script>|' "$page" >"$tmp/unescaped.html"
refuse "a name written unescaped" "$tmp/unescaped.html" "closes"

# ---- a campaign with failures (a broken engine): matrix, reproducers, replay ----
"$broken" powercut "$src/scenarios/powercut/queue-pops-tiny.json" --torn late --jobs 1 --quiet \
    --report "$tmp/cut" >/dev/null 2>&1
[ $? -eq 1 ] || fail "the broken engine's campaign did not fail"
page=$tmp/cut/index.html
[ -s "$page" ] || fail "powercut --report wrote no index.html"
check "$page" || fail "the campaign's page is not sound"
grep -q '<table class="matrix">' "$page" || fail "no matrix of cut points"
grep -q '<svg class="strip"' "$page" || fail "no strip of failures"
links=$(grep -o 'href="reproducers/[^"]*"' "$page" | sed 's/^href="//; s/"$//')
[ -n "$links" ] || fail "no failure links its reproducer"
for link in $links; do
    [ -f "$tmp/cut/$link" ] || fail "the link $link leads nowhere inside the report's folder"
done
replay=$(grep -o 'replay: <code>[^<]*</code>' "$page" | head -1 |
         sed 's/^replay: <code>//; s/<\/code>$//; s/&apos;/'"'"'/g; s/&amp;/\&/g')
case $replay in "norbench run "*) ;; *) fail "no replay command: '$replay'" ;; esac
eval "set -- ${replay#norbench run }"
"$broken" run "$1" >"$tmp/replayed" 2>&1
[ $? -eq 1 ] || fail "the replay command '$replay' did not fail again: $(cat "$tmp/replayed")"

# ---- the suite's page stays small ----
"$norbench" run "$src/scenarios/suite" --quiet --report "$tmp/suite" >/dev/null 2>&1
size=$(wc -c <"$tmp/suite/index.html")
scenarios=$(grep -c '<section id=' "$tmp/suite/index.html")
echo "html_report: the suite's page: $scenarios scenarios, $size bytes"
[ "$scenarios" -ge 50 ] || fail "the suite's page shows $scenarios scenarios, fewer than 50"
[ "$size" -lt 2097152 ] || fail "the suite's page is $size bytes, not under 2 MB"
check "$tmp/suite/index.html" || fail "the suite's page is not sound"
echo "html_report: ok"
