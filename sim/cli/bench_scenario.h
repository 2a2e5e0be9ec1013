/* The map scenario the power-cut benchmarks run (`bench powercut` on the host, `bench emu`'s
 * --target figures on the nrf52840 board): a map on nrf52840, 8 pages of 4 KiB, 120 random
 * operations, a reboot and a check. Written to a temporary file, since the runner and the
 * campaign read scenarios from files. */
#ifndef NORBENCH_BENCH_SCENARIO_H
#define NORBENCH_BENCH_SCENARIO_H

#include <stddef.h>

/* Writes the scenario to a new file in TMPDIR (or /tmp) and puts its name in `path`; the
 * caller unlinks it. 0, or -1 when the file cannot be written. */
int bench_scenario_write(char *path, size_t size);

#endif
