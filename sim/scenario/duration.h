/* Durations written as text, one syntax for scenario files and command-line flags: one or more
 * terms of a number and a unit ("250ms", "10min", "5m", "1h30m", "2.5h"). The units and their
 * spellings live here alone, so a scenario and a flag never disagree about what "5m" means. */
#ifndef NORBENCH_DURATION_H
#define NORBENCH_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* 100 years: a sum of a few such durations still fits the NOR model's clock (64-bit
 * nanoseconds: 584 years), which longer ones wrapped silently. */
#define DURATION_MAX_HOURS 876000
#define DURATION_MAX_US    ((uint64_t)DURATION_MAX_HOURS * UINT64_C(3600000000))
#define DURATION_UNITS     "us, ms, s, m or min, h"

typedef enum duration_status {
    DURATION_OK = 0,
    DURATION_INVALID,  /* not the syntax above */
    DURATION_TOO_LONG, /* above DURATION_MAX_US */
} duration_status;

/* Reads `length` bytes of `text` into whole microseconds (a fraction below one is dropped).
 * `bare_unit_us` is the unit of a lone number without one ("90"), 0 to refuse it. */
duration_status duration_parse(const char *text, size_t length, uint64_t bare_unit_us,
                               uint64_t *us);

#endif
