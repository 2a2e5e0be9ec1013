#!/bin/sh
# The HTML reports without a browser (docs/reports.md): `norbench run`, `powercut`, `lifetime` and
# `compare` with `--report DIR` write DIR/index.html that html_check.py finds sound (closed
# elements, no external reference, sized SVGs); every string from a scenario is escaped (a
# scenario named `<script>`, a file named `<i>&.json`, a message quoting `</table><script>`);
# a run's page map shows the engine's page states (a popped queue's pages released) and none
# for a plugin; each failure of a campaign links its reproducer inside DIR and shows the command
# that replays it, and that command fails again; lifetime's bars stand in proportion beside the
# baseline and the bound, compare's rows hold its JSON's figures and verdicts, and both write
# their --json as DIR/results.json; a page for the whole suite stays under 2 MB. Each check of
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

# ---- the page map: the engine's own page states; none for a plugin (no inspection) ----
mkdir "$tmp/pages"
cat >"$tmp/pages/popped.json" <<'JSON'
{ "name": "popped", "flash": { "preset": "tiny" }, "engine": { "type": "queue" },
  "steps": [ { "repeat": { "times": 14, "steps": [ { "push": { "value": { "random": 24 } } } ] } },
             { "repeat": { "times": 14, "steps": [ { "pop": {} } ] } },
             { "repeat": { "times": 10, "steps": [ { "push": { "value": { "random": 24 } } } ] } } ] }
JSON
cat >"$tmp/pages/plugin.json" <<'JSON'
{ "name": "plugin", "flash": { "preset": "tiny" }, "engine": { "type": "naive-map" },
  "steps": [ { "store": { "key": "a", "value": "1" } }, { "check": {} } ] }
JSON
"$norbench" run "$tmp/pages" --quiet --report "$tmp/pages-out" >/dev/null 2>&1 ||
    fail "the page-map run failed"
check "$tmp/pages-out/index.html" || fail "the page-map run's page is not sound"
# The queue of 4 pages of 8 entries: the two pages it popped are released, then a full and the
# open one; the plugin's section (the second) has no page map.
sed -n '/<section id="s2">/,/<\/section>/p' "$tmp/pages-out/index.html" >"$tmp/popped.html"
grep -q 'class="page-released" stroke="#fff"><title>pages 0-1: released</title>' "$tmp/popped.html" ||
    fail "the popped pages are not drawn released"
grep -q '<title>page 3: open</title>' "$tmp/popped.html" || fail "no open page drawn"
sed -n '/<section id="s1">/,/<\/section>/p' "$tmp/pages-out/index.html" >"$tmp/plugin.html"
grep -q 'engine naive-map' "$tmp/plugin.html" || fail "section 1 is not the plugin's"
grep -q 'pagemap\|Page map' "$tmp/plugin.html" && fail "a page map for a plugin that has no inspection"
grep -q '<svg class="heatmap"' "$tmp/plugin.html" || fail "the plugin's section lost its heatmap"
# The broken variant: a plugin's section with a page map is caught.
sed 's|<figure><figcaption>Erases per sector|<svg class="pagemap" width="1" height="1"></svg>&|' \
    "$tmp/plugin.html" | grep -q 'pagemap' || fail "the page-map probe does not see a page map"

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
# The command names the program that ran the campaign (the broken variant: `norbench run` would
# replay on the sound engine and pass), and runs as shown with that program's folder on PATH.
case $replay in "$(basename "$broken") run "*) ;; *) fail "no replay command on the campaign's program: '$replay'" ;; esac
(PATH="$(dirname "$broken"):$PATH"; eval "$replay") >"$tmp/replayed" 2>&1
[ $? -eq 1 ] || fail "the replay command '$replay' did not fail again: $(cat "$tmp/replayed")"

# ---- lifetime: the projection as bars beside the naive baseline and the analytic bound ----
# bars PAGE: the engine's, the baseline's and the bound's bars, in that order, the bound (the
# longest here) across the plot and the engine's in proportion to it, as the JSON says.
bars() {
    python3 - "$1" "$tmp/life/results.json" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
bars = re.findall(r'<rect x="150" y="\d+" width="([\d.]+)" height="18" fill="#\w+" class="(\w+)"', page)
kinds = [k for _, k in bars]
if kinds != ["engine", "baseline", "bound"]: sys.exit(f"bars {kinds}, not engine, baseline, bound")
width = {k: float(w) for w, k in bars}
life = json.load(open(sys.argv[2]))["engines"]
want = width["bound"] * life[0]["years"] / life[0]["bound_years"]
if abs(width["engine"] - want) > 0.2: sys.exit(f"engine bar {width['engine']}, expected {want:.1f}")
if not width["baseline"] < width["engine"] < width["bound"]: sys.exit(f"bar widths {width}")
PY
}
life=$src/scenarios/suite/lifetime-config-minute-8-pages.json
"$norbench" lifetime "$life" --report "$tmp/life" >/dev/null 2>&1 || fail "lifetime --report failed"
"$norbench" lifetime "$life" --json >"$tmp/life.json" 2>/dev/null
cmp -s "$tmp/life.json" "$tmp/life/results.json" || fail "lifetime's results.json is not its --json"
check "$tmp/life/index.html" || fail "the lifetime page is not sound"
bars "$tmp/life/index.html" || fail "the lifetime bars are wrong"
grep -q '<b class="pass">steady</b>erase rate' "$tmp/life/index.html" || fail "not said steady"
# Broken variants: the baseline's bar gone, the engine's drawn at the bound's length.
sed '/class="baseline"/d' "$tmp/life/index.html" >"$tmp/no-baseline.html"
bars "$tmp/no-baseline.html" 2>/dev/null && fail "a page without the baseline's bar passed"
sed 's/width="[0-9.]*" height="18" fill="\(#[0-9a-f]*\)" class="engine"/width="314.0" height="18" fill="\1" class="engine"/' \
    "$tmp/life/index.html" >"$tmp/long-engine.html"
bars "$tmp/long-engine.html" 2>/dev/null && fail "an engine's bar out of proportion passed"

# ---- compare: the engines side by side ----
# engines PAGE: a row per engine in the order given, the map passing its power cuts and the
# naive baseline failing them, the figures the JSON has.
engines() {
    python3 - "$1" "$tmp/cmp/results.json" <<'PY'
import json, re, sys
page = open(sys.argv[1]).read()
table = page[page.index('<table class="sortable" id="engines">'):]
table = table[:table.index("</table>")]
rows = re.findall(r"<tr><td class=\"t\">([^<]*)</td>(.*?)</tr>", table)
names = [n for n, _ in rows]
if names != ["map", "naive-map"]: sys.exit(f"rows {names}")
data = {e["engine"]: e for e in json.load(open(sys.argv[2]))["engines"]}
for name, cells in rows:
    keys = re.findall(r'data-v="([^"]*)"', cells)
    e = data[name]
    if [int(k) for k in keys[:3]] != [e["reads"], e["read_bytes"], e["programs"]]:
        sys.exit(f"{name}: reads, bytes read, programs {keys[:3]}")
    verdict = re.search(r'<td class="t (pass|fail|error)">(\w+)', cells[cells.rindex('<td class="t '):])
    if verdict.group(2) != e["power_cuts"]["verdict"]: sys.exit(f"{name}: power cuts {verdict.group(2)}")
if data["map"]["power_cuts"]["verdict"] != "pass" or data["naive-map"]["power_cuts"]["verdict"] != "FAIL":
    sys.exit("the power-cut verdicts are not map pass, naive-map FAIL")
if page.count('<svg class="years"') != 1 or 'class="bound"' not in page: sys.exit("no lifetime bars")
PY
}
config=$src/tests/plugins/config-updates.json
"$norbench" compare "$config" --engines map,naive-map --report "$tmp/cmp" >/dev/null 2>&1 ||
    fail "compare --report failed"
"$norbench" compare "$config" --engines map,naive-map --json >"$tmp/cmp.json" 2>/dev/null
cmp -s "$tmp/cmp.json" "$tmp/cmp/results.json" || fail "compare's results.json is not its --json"
check "$tmp/cmp/index.html" || fail "the compare page is not sound"
engines "$tmp/cmp/index.html" || fail "the engines side by side are wrong"
# Broken variants: a row lost, and the naive baseline's failed campaign shown as a pass.
awk '/<tr><td class="t">naive-map</{next} {print}' "$tmp/cmp/index.html" >"$tmp/one-row.html"
engines "$tmp/one-row.html" 2>/dev/null && fail "a page without the baseline's row passed"
sed '/<tr><td class="t">naive-map</s/<td class="t fail">FAIL/<td class="t pass">pass/' \
    "$tmp/cmp/index.html" >"$tmp/hidden-fail.html"
engines "$tmp/hidden-fail.html" 2>/dev/null && fail "a failed campaign shown as a pass passed"

# A --report folder that cannot be made: one message naming it, exit 2, nothing run.
: >"$tmp/a-file"
for cmd in "lifetime $config" "compare $config --engines map"; do
    "$norbench" $cmd --report "$tmp/a-file/out" >/dev/null 2>"$tmp/why"
    [ $? -eq 2 ] && grep -q "a-file/out: cannot make the folder" "$tmp/why" ||
        fail "${cmd%% *} --report into a file: $(cat "$tmp/why")"
done

# ---- the suite's page stays small ----
"$norbench" run "$src/scenarios/suite" --quiet --report "$tmp/suite" >/dev/null 2>&1
size=$(wc -c <"$tmp/suite/index.html")
scenarios=$(grep -c '<section id=' "$tmp/suite/index.html")
echo "html_report: the suite's page: $scenarios scenarios, $size bytes"
[ "$scenarios" -ge 50 ] || fail "the suite's page shows $scenarios scenarios, fewer than 50"
[ "$size" -lt 2097152 ] || fail "the suite's page is $size bytes, not under 2 MB"
check "$tmp/suite/index.html" || fail "the suite's page is not sound"
echo "html_report: ok"
