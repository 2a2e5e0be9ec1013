#!/usr/bin/env python3
"""Structural check of a norbench HTML report (tests/reports): every element closed in order, no
stray closing tag, no external reference (no http:// or https:// anywhere, no link, source or CSS
url that leaves the page's folder), and every <svg> sized (width and height, or a viewBox).
Prints FILE:LINE: what is wrong, once per problem; exits 1 if any, 0 when the page is sound."""
import re
import sys
from html.parser import HTMLParser

# Elements that never have a closing tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Attributes whose value is fetched or followed.
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "poster", "data",
                  "srcset", "background", "cite", "manifest"}
# SVG shapes written self-closed (<rect/>): they open and close at once.


def is_local_reference(value):
    value = value.strip()
    if value.startswith("#"):
        return True
    if value == "" or value.startswith("/") or value.startswith("\\"):
        return False
    # A scheme ("file:", "data:", "javascript:") before any slash leaves the folder or runs code.
    before_slash = value.split("/", 1)[0]
    if ":" in before_slash:
        return False
    return ".." not in value.split("/")


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.saw_doctype = False
        self.raw_text_of = None

    def problem(self, what):
        self.problems.append((self.getpos()[0], what))

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.saw_doctype = True

    def check_attributes(self, tag, attrs):
        names = {name for name, _ in attrs}
        for name, value in attrs:
            if name in URL_ATTRIBUTES and not is_local_reference(value or ""):
                self.problem(f"<{tag} {name}=\"{value}\">: a reference outside the page's folder")
            if name == "style" and value and ("url(" in value or "//" in value):
                self.problem(f"<{tag} style>: a url in an inline style")
        if tag == "svg" and not ({"width", "height"} <= names or "viewbox" in names):
            self.problem("<svg> without width and height or a viewBox")

    def handle_starttag(self, tag, attrs):
        self.check_attributes(tag, attrs)
        if tag in VOID:
            return
        self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self.check_attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problem(f"</{tag}>: a void element has no closing tag")
            return
        if not self.stack:
            self.problem(f"</{tag}> closes nothing")
            return
        open_tag, line = self.stack[-1]
        if open_tag != tag:
            self.problem(f"</{tag}> closes <{open_tag}> (opened on line {line})")
            # Recover: drop back to the matching element if there is one.
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    return
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("style", "script"):
            for bad in ("url(", "@import", "//", "import(", "fetch(", "XMLHttpRequest"):
                if bad in data:
                    self.problem(f"<{self.stack[-1][0]}> holds '{bad}': it could fetch")


def check(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    checker = Checker()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    if not checker.saw_doctype:
        problems.append((1, "no <!DOCTYPE html>"))
    for tag, line in checker.stack:
        problems.append((line, f"<{tag}> is never closed"))
    for number, line in enumerate(text.splitlines(), 1):
        for m in re.finditer(r"https?://", line, re.IGNORECASE):
            problems.append((number, f"an external URL: {line[m.start():m.start() + 60]}"))
    if not re.search(r"<html[\s>]", text) or "</html>" not in text:
        problems.append((1, "no <html> element"))
    for line, what in sorted(problems):
        print(f"{path}:{line}: {what}")
    return not problems


def main():
    if len(sys.argv) < 2:
        print("usage: html_check.py FILE.html...", file=sys.stderr)
        return 2
    ok = all([check(path) for path in sys.argv[1:]])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
