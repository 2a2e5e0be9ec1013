/* The human form of a campaign's result, shared by `norbench powercut` and `norbench merge`:
 * a table row per scenario with its tries per torn mode, each failure with its reproducer, and
 * the totals with the rate per core. */
#ifndef NORBENCH_POWERCUT_PRINT_H
#define NORBENCH_POWERCUT_PRINT_H

#include "campaign.h"

#include <stdbool.h>
#include <stdio.h>

/* Rows and totals go to `out`, failures and errors to `err`; `quiet` prints only those. */
void powercut_print(FILE *out, FILE *err, const campaign_result *r, bool quiet);

#endif
