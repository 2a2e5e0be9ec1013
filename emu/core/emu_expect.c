/* What a boot must show (emu.h, emu_expect): it ended idle, its UART output matches the
 * user's regex, and the number the regex's first group captures never goes below one an
 * earlier boot printed. A cut boot is not checked, but what it printed before the cut counts
 * as committed. */
#include "emu.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int emu_expect_init(emu_expect *e, const char *regex, char *why, size_t why_size) {
    memset(e, 0, sizeof *e);
    e->regex = regex;
    if (!regex) return 0;
    regex_t *re = malloc(sizeof *re);
    if (!re) return snprintf(why, why_size, "out of memory"), -1;
    int rc = regcomp(re, regex, REG_EXTENDED | REG_NEWLINE); /* ^ and $ match at lines */
    if (rc) {
        char text[160];
        regerror(rc, re, text, sizeof text);
        snprintf(why, why_size, "--expect-uart '%s': %s", regex, text);
        free(re);
        return -1;
    }
    e->compiled = re;
    return 0;
}

void emu_expect_free(emu_expect *e) {
    if (e->compiled) regfree(e->compiled);
    free(e->compiled);
    e->compiled = NULL;
}

/* The number in group 1 of the first match; false when the regex has no group or it did not
 * capture digits. */
static bool captured_number(const regmatch_t *groups, const char *text, uint64_t *value) {
    if (groups[1].rm_so < 0 || groups[1].rm_eo <= groups[1].rm_so) return false;
    uint64_t v = 0;
    for (regoff_t i = groups[1].rm_so; i < groups[1].rm_eo; i++) {
        if (text[i] < '0' || text[i] > '9' || v > UINT64_MAX / 10) return false;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    *value = v;
    return true;
}

bool emu_expect_check(emu_expect *e, const emu_boot *b, char *why, size_t why_size) {
    bool cut = b->stop == EMU_STOP_POWER_CUT;
    if (!cut && b->stop != EMU_STOP_IDLE) {
        snprintf(why, why_size, "the boot ended in a %s: %s", emu_stop_name(b->stop), b->reason);
        return false;
    }
    if (!e->compiled) return true;
    regmatch_t groups[2];
    const regex_t *re = e->compiled;
    bool matched = regexec(re, b->uart, 2, groups, 0) == 0;
    if (!matched) {
        if (cut) return true;
        snprintf(why, why_size, "the UART output does not match /%s/", e->regex);
        return false;
    }
    uint64_t value;
    if (re->re_nsub < 1 || !captured_number(groups, b->uart, &value)) return true;
    if (e->has_value && value < e->highest) {
        snprintf(why, why_size,
                 "printed %llu after an earlier boot printed %llu: a committed value went "
                 "backwards",
                 (unsigned long long)value, (unsigned long long)e->highest);
        return false;
    }
    if (!e->has_value || value > e->highest) e->highest = value;
    e->has_value = true;
    return true;
}
