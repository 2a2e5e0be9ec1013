/* The HTML pages' skeleton: the document head with its inline style sheet (screen and print),
 * the tiny script that sorts tables when JavaScript is on (the page reads the same without it),
 * and the small text helpers every section uses: counts, bytes, relative links, shell words. */
#include "report_html.h"

#include <string.h>

/* No font, image or script is fetched: system fonts, inline SVG, this style and one script. */
static const char page_style[] =
    ":root{--pass:#1a7f37;--fail:#cf222e;--error:#bc4c00;--ink:#1f2328;--muted:#59636e;"
    "--line:#d1d9e0;--band:#f6f8fa}\n"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink);"
    "margin:0 auto;max-width:1180px;padding:16px 24px}\n"
    "h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:28px 0 8px;"
    "border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}\n"
    "code,pre{font:12px/1.4 ui-monospace,'DejaVu Sans Mono',monospace}\n"
    "pre{background:var(--band);padding:6px 8px;white-space:pre-wrap;overflow-wrap:anywhere;"
    "margin:2px 0}\n"
    ".cmd{color:var(--muted)}.muted{color:var(--muted)}.wide{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid "
    "var(--line);white-space:nowrap;"
    "padding:3px 7px;text-align:right;vertical-align:top}th{background:var(--band);"
    "white-space:normal;vertical-align:bottom}\n"
    "td.t,th.t{text-align:left}table.sortable th{cursor:pointer}\n"
    ".pass{color:var(--pass);font-weight:600}.fail{color:var(--fail);font-weight:600}"
    ".error{color:var(--error);font-weight:600}\n"
    "tr.bad td{background:#ffebe9}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}.card{border:1px solid var(--line);"
    "border-radius:6px;padding:6px 12px;min-width:110px}.card b{display:block;font-size:20px}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}"
    "figure{margin:0}figcaption{font-weight:600;margin:4px 0}\n"
    "svg text{font:11px system-ui,sans-serif;fill:var(--ink)}\n"
    "section{break-inside:avoid-page}\n"
    "@media print{body{max-width:none;padding:0;font-size:11px}"
    "table.sortable th{cursor:auto}a{color:inherit;text-decoration:none}"
    "h2{break-after:avoid}section{break-before:auto}}\n";

/* Sorts the rows of a .sortable table by the clicked header's column, numerically by data-v
 * where cells carry it, else by text; a second click reverses. Written without comments or
 * URLs (the page holds no "//" at all). */
static const char sort_script[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th){"
    "th.addEventListener('click',function(){"
    "var body=th.closest('table').tBodies[0],col=th.cellIndex,"
    "dir=th.getAttribute('data-dir')==='up'?'down':'up';th.setAttribute('data-dir',dir);"
    "var rows=Array.prototype.slice.call(body.rows);rows.sort(function(a,b){"
    "var x=a.cells[col],y=b.cells[col],u=x.getAttribute('data-v'),v=y.getAttribute('data-v');"
    "var c=(u!==null&&v!==null)?u-v:x.textContent.localeCompare(y.textContent);"
    "return dir==='up'?c:-c;});"
    "rows.forEach(function(r){body.appendChild(r);});});});\n";

void html_page_begin(FILE *out, const char *title, const report_html_context *ctx) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>",
          out);
    report_write_escaped(out, title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", page_style);
    report_write_escaped(out, title);
    fputs("</h1>\n", out);
    if (ctx && ctx->command) {
        fputs("<p class=\"cmd\"><code>", out);
        report_write_escaped(out, ctx->command);
        fputs("</code></p>\n", out);
    }
}

void html_page_end(FILE *out) {
    fprintf(out, "</main>\n<script>\n%s</script>\n</body>\n</html>\n", sort_script);
}

void html_card(FILE *out, const char *label, uint64_t value, const char *cls) {
    fprintf(out, "<div class=\"card\"><b class=\"%s\">", cls);
    html_count(out, value);
    fprintf(out, "</b>%s</div>\n", label);
}

void html_summary_begin(FILE *out, const char *id, const char *const *columns) {
    fprintf(out, "<div class=\"wide\">\n<table class=\"sortable\" id=\"%s\">\n<thead><tr>", id);
    for (const char *const *c = columns; *c; c++)
        if (!strncmp(*c, "t:", 2))
            fprintf(out, "<th class=\"t\">%s</th>", *c + 2);
        else
            fprintf(out, "<th>%s</th>", *c);
    fputs("</tr></thead>\n<tbody>\n", out);
}

void html_summary_end(FILE *out) {
    fputs("</tbody>\n</table>\n</div>\n", out);
}

void html_summary_row(FILE *out, bool bad, size_t index, const char *name) {
    fprintf(out, "<tr%s><td class=\"t\"><a href=\"#s%zu\">", bad ? " class=\"bad\"" : "",
            index + 1);
    report_write_escaped(out, name);
    fputs("</a></td>", out);
}

void html_count(FILE *out, uint64_t n) {
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) fputs("&#8201;", out); /* a thin space */
        fputc(digits[i], out);
    }
}

void html_bytes(FILE *out, uint64_t n) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) {
        fprintf(out, "%llu B", (unsigned long long)n);
        return;
    }
    double v = (double)n / 1024;
    unsigned u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof *units) v /= 1024, u++;
    fprintf(out, v < 100 ? "%.2f %s" : "%.1f %s", v, units[u]);
}

void html_count_cell(FILE *out, uint64_t n) {
    fprintf(out, "<td data-v=\"%llu\">", (unsigned long long)n);
    html_count(out, n);
    fputs("</td>", out);
}

/* Unreserved characters and '/' stay; every other byte becomes %XX. */
static void write_url_path(FILE *out, const char *path) {
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
}

const char *html_path_under(const char *dir, const char *path) {
    if (!dir || !dir[0]) return NULL;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (strncmp(path, dir, n) != 0 || path[n] != '/') return NULL;
    const char *rest = path + n + 1;
    while (rest[0] == '/' || (rest[0] == '.' && rest[1] == '/')) rest += rest[0] == '/' ? 1 : 2;
    /* Nothing that climbs out of the folder or could read as an absolute path. */
    if (!rest[0] || rest[0] == '/' || strstr(rest, "..")) return NULL;
    return rest;
}

void html_link_open(FILE *out, const char *relative) {
    fputs("<a href=\"", out);
    write_url_path(out, relative);
    fputs("\">", out);
}

void html_shell_word(FILE *out, const char *text) {
    bool plain = text[0] != '\0';
    for (const char *p = text; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("-_./+=:,@%", *p);
    if (plain) {
        report_write_escaped(out, text);
        return;
    }
    fputs("&apos;", out);
    for (const char *p = text; *p; p++) {
        char one[2] = {*p, '\0'};
        if (*p == '\'')
            fputs("&apos;\\&apos;&apos;", out);
        else
            report_write_escaped(out, one);
    }
    fputs("&apos;", out);
}
