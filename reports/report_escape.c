/* Escaping for the markup reports (junit.xml, index.html): the one rule for text that comes from
 * a scenario (names, files, messages) on its way into a tag or an attribute. */
#include "reports.h"

void report_write_escaped(FILE *out, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(*p < 0x20 && *p != '\t' && *p != '\n' ? '?' : *p, out); break;
        }
    }
}
