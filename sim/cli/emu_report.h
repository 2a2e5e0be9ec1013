/* How `norbench emu` shows its results: per boot (stop, UART output, flash operations,
 * unmodelled registers, crash registers, expectation) and a campaign's totals and failures,
 * as text or as JSON. */
#ifndef NORBENCH_EMU_REPORT_H
#define NORBENCH_EMU_REPORT_H

#include "emu.h"

#include <stdbool.h>

/* Both return the command's exit code: 0 when everything held, 1 otherwise (or when the JSON
 * could not be printed). */
int emu_report_run(const emu_run_result *r, bool json);
int emu_report_campaign(const emu_campaign_result *r, const emu_campaign_options *o, bool json);

#endif
