#!/bin/sh
# The HTML reports in a real browser (docs/reports.md): headless Chromium renders the page of a
# run, of a campaign, of `lifetime` and of `compare`. Each screenshot, taken with the page's
# script removed (as a reader with JavaScript off sees it), is decoded by png_ink.py and must not
# be blank; a probe script records the rendered size of every SVG, which must all be drawn and
# as many as the page holds; a click on a column's title sorts the table. Broken variants prove
# each check: a blank page, SVGs hidden (on a run's page and on lifetime's), the sorting script
# removed. Skipped (77) when chromium is not installed (`make
# test` installs it).
# Usage: html_browser.sh NORBENCH BROKEN_NORBENCH SOURCE_DIR
set -u
norbench=$1
broken=$2
src=$3
here=$(dirname "$0")
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "html_browser: no chromium here (make deps installs it): skipped" >&2
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "html_browser: $*" >&2; exit 1; }
runs=0
chromium_do() { # chromium_do ARGS... (a profile of its own each time, no sandbox as root)
    runs=$((runs + 1))
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --no-first-run --user-data-dir="$tmp/profile$runs" "$@" 2>>"$tmp/chromium.log"
}
# The page without its script: what a reader with JavaScript off gets.
without_script() { sed '/^<script>$/,/^<\/script>$/d' "$1"; }
# The page with a probe before </body>: the rendered size of each SVG; with a column number, a
# click on that column's title of #scenarios first, and the rows' first cells after it.
with_probe() { # FILE [COLUMN]
    probe="var b=document.body;"
    if [ $# -eq 2 ]; then
        probe="$probe document.querySelectorAll('#scenarios th')[$2].click();
b.setAttribute('data-rows',Array.prototype.map.call(document.querySelectorAll('#scenarios tbody tr'),
function(r){return r.cells[0].textContent;}).join('|'));"
    fi
    probe="$probe b.setAttribute('data-svg-sizes',Array.prototype.map.call(document.querySelectorAll('svg'),
function(s){var r=s.getBoundingClientRect();return Math.round(r.width)+'x'+Math.round(r.height);}).join(' '));"
    sed '/^<\/body>$/d; /^<\/html>$/d' "$1"
    printf '<script>%s</script>\n</body>\n</html>\n' "$probe"
}

screenshot_ink() { # HTML: prints the pixels drawn on a 1024x768 screenshot
    chromium_do --window-size=1024,768 --screenshot="$tmp/shot.png" "file://$1" >/dev/null
    [ -s "$tmp/shot.png" ] || fail "no screenshot of $1: $(tail -3 "$tmp/chromium.log")"
    set -- $(python3 "$here/png_ink.py" "$tmp/shot.png") || fail "the screenshot does not decode"
    [ "$1" -eq 1024 ] && [ "$2" -eq 768 ] || fail "the screenshot is $1x$2, not 1024x768"
    rm -f "$tmp/shot.png"
    echo "$3"
}
# A drawn page: at least 2% of the screen is ink (text, tables, charts).
MIN_INK=15729

check_page() { # NAME DIR SVGS_EXPECTED_AT_LEAST
    name=$1
    dir=$2
    without_script "$dir/index.html" >"$dir/noscript.html"
    ink=$(screenshot_ink "$dir/noscript.html")
    echo "html_browser: $name: $ink pixels drawn of 1024x768"
    [ "$ink" -ge $MIN_INK ] || fail "$name: the page renders blank ($ink pixels drawn)"
    with_probe "$dir/index.html" >"$dir/probe.html"
    chromium_do --dump-dom "file://$dir/probe.html" >"$dir/dom.html"
    svgs=$(python3 "$here/svg_sizes.py" "$dir/dom.html") || fail "$name: an SVG renders empty"
    in_source=$(grep -c '<svg ' "$dir/index.html")
    [ "$svgs" -eq "$in_source" ] || fail "$name: $svgs SVGs rendered, the page has $in_source"
    [ "$svgs" -ge "$3" ] || fail "$name: $svgs SVGs, expected at least $3"
    echo "html_browser: $name: $svgs SVGs rendered, none empty"
}

# ---- a run of two scenarios (4 charts each) and a campaign with a failure ----
"$norbench" run "$src/scenarios/suite/map-gc.json" "$src/scenarios/suite/fault-erase-sector.json" \
    --quiet --report "$tmp/run" >/dev/null 2>&1 || fail "the run failed"
check_page run "$tmp/run" 8
"$broken" powercut "$src/scenarios/powercut/queue-pops-tiny.json" --torn late --jobs 1 --quiet \
    --report "$tmp/cut" >/dev/null 2>&1
[ -s "$tmp/cut/index.html" ] || fail "the campaign wrote no page"
check_page campaign "$tmp/cut" 2

# ---- the pages of lifetime (its bars) and compare (the engines side by side, their bars) ----
"$norbench" lifetime "$src/scenarios/suite/lifetime-config-minute-8-pages.json" \
    --report "$tmp/life" >/dev/null 2>&1 || fail "lifetime failed"
check_page lifetime "$tmp/life" 1
"$norbench" compare "$src/tests/plugins/config-updates.json" --engines map,naive-map \
    --report "$tmp/cmp" >/dev/null 2>&1 || fail "compare failed"
check_page compare "$tmp/cmp" 1

# ---- sorting: a click on "flash ops" (column 6 from 0) puts the fewer first ----
with_probe "$tmp/run/index.html" 6 >"$tmp/run/sort.html"
chromium_do --dump-dom "file://$tmp/run/sort.html" >"$tmp/run/sorted.html"
first=$(python3 "$here/svg_sizes.py" "$tmp/run/sorted.html" --order | sed -n 1p)
[ "$first" = "fault-erase-sector" ] || fail "sorting by flash ops put '$first' first"

# ---- the broken variants each check must catch ----
printf '<!DOCTYPE html><html><head><title>x</title></head><body></body></html>\n' >"$tmp/blank.html"
ink=$(screenshot_ink "$tmp/blank.html")
[ "$ink" -lt $MIN_INK ] || fail "a blank page passed as drawn ($ink pixels)"
sed 's|</style>|svg{display:none}</style>|' "$tmp/run/index.html" >"$tmp/run/hidden.html"
with_probe "$tmp/run/hidden.html" >"$tmp/run/probe.html"
chromium_do --dump-dom "file://$tmp/run/probe.html" >"$tmp/run/dom.html"
python3 "$here/svg_sizes.py" "$tmp/run/dom.html" >/dev/null 2>&1 && fail "hidden SVGs passed"
sed 's|</style>|svg{display:none}</style>|' "$tmp/life/index.html" >"$tmp/life/hidden.html"
with_probe "$tmp/life/hidden.html" >"$tmp/life/probe.html"
chromium_do --dump-dom "file://$tmp/life/probe.html" >"$tmp/life/dom.html"
python3 "$here/svg_sizes.py" "$tmp/life/dom.html" >/dev/null 2>&1 && fail "hidden lifetime bars passed"
without_script "$tmp/run/index.html" >"$tmp/run/unsortable.html"
with_probe "$tmp/run/unsortable.html" 6 >"$tmp/run/sort.html"
chromium_do --dump-dom "file://$tmp/run/sort.html" >"$tmp/run/sorted.html"
first=$(python3 "$here/svg_sizes.py" "$tmp/run/sorted.html" --order | sed -n 1p)
[ "$first" = "map-gc" ] || fail "without the sorting script the rows moved ('$first' first)"
echo "html_browser: ok"
