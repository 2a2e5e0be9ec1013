/* Reports a fuzz finding on stderr and aborts (see fuzz_finding.h). */
#include "fuzz_finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_finding(const char *target, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "norbench fuzz %s: FINDING: ", target);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}
