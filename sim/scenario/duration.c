/* Durations as text (duration.h): a sum of terms, each digits with an optional fraction and a
 * unit, read with integer arithmetic so that "87600h" is exact. */
#include "duration.h"

#include <stdbool.h>
#include <string.h>

#define FRACTION_DIGITS_MAX 9 /* finer digits are below a microsecond for every unit */

typedef struct duration_unit {
    const char *name;
    uint64_t us;
} duration_unit;

static const duration_unit units[] = {
    {"us", 1},       {"ms", 1000},      {"s", 1000000},
    {"m", 60000000}, {"min", 60000000}, {"h", UINT64_C(3600000000)},
};

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
static bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint64_t unit_us(const char *word, size_t length) {
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strlen(units[i].name) == length && memcmp(units[i].name, word, length) == 0)
            return units[i].us;
    return 0;
}

duration_status duration_parse(const char *text, size_t length, uint64_t bare_unit_us,
                               uint64_t *us) {
    const char *p = text, *end = text + length;
    uint64_t total = 0;
    bool too_long = false;
    if (p == end) return DURATION_INVALID;
    while (p < end) {
        uint64_t whole = 0, fraction = 0, fraction_scale = 1;
        const char *digits = p;
        for (; p < end && is_digit(*p); p++)
            if (whole <= DURATION_MAX_US) whole = whole * 10 + (uint64_t)(*p - '0');
        size_t whole_digits = (size_t)(p - digits);
        size_t fraction_digits = 0;
        if (p < end && *p == '.') {
            for (p++; p < end && is_digit(*p); p++, fraction_digits++)
                if (fraction_digits < FRACTION_DIGITS_MAX) {
                    fraction = fraction * 10 + (uint64_t)(*p - '0');
                    fraction_scale *= 10;
                }
            if (!fraction_digits) return DURATION_INVALID; /* "5.s" */
        }
        if (!whole_digits && !fraction_digits) return DURATION_INVALID;
        const char *word = p;
        while (p < end && is_letter(*p)) p++;
        uint64_t scale = unit_us(word, (size_t)(p - word));
        if (p == word && digits == text && p == end) scale = bare_unit_us; /* a lone number */
        if (!scale) return DURATION_INVALID;
        if (too_long || whole > DURATION_MAX_US / scale) {
            too_long = true;
            continue;
        }
        total += whole * scale + fraction * scale / fraction_scale;
        if (total > DURATION_MAX_US) too_long = true;
    }
    if (too_long) return DURATION_TOO_LONG;
    *us = total;
    return DURATION_OK;
}
