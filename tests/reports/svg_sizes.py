#!/usr/bin/env python3
"""Reads what the browser test's probe left in a page's DOM as Chromium dumped it
(tests/reports/html_browser.sh): the rendered size of every <svg>, and the order of a table's
rows after a click on one of its headers. `svg_sizes.py DOM` prints the SVG count and exits 1 when
one of them rendered empty; `svg_sizes.py DOM --order` prints the first cells of the sorted table's
rows, one a line."""
import re
import sys


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: svg_sizes.py DOM.html [--order]", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        dom = f.read()
    if len(sys.argv) == 3:
        m = re.search(r'data-rows="([^"]*)"', dom)
        if not m:
            print("svg_sizes: no rows recorded by the probe", file=sys.stderr)
            return 1
        for name in m.group(1).split("|"):
            print(name)
        return 0
    m = re.search(r'data-svg-sizes="([^"]*)"', dom)
    if not m:
        print("svg_sizes: no sizes recorded by the probe", file=sys.stderr)
        return 1
    sizes = m.group(1).split()
    empty = [s for s in sizes if any(int(v) == 0 for v in s.split("x"))]
    print(len(sizes))
    if empty:
        print(f"svg_sizes: {len(empty)} of {len(sizes)} SVGs rendered empty: {' '.join(empty)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
