/* Entry points of the norbench commands, one source file each (cmd_*.c). */
#ifndef NORBENCH_COMMANDS_H
#define NORBENCH_COMMANDS_H

#include <stdbool.h>

int cmd_presets(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_powercut(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_emu(int argc, char **argv);
int cmd_gui(int argc, char **argv);
int cmd_lifetime(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* Benchmarks run by `norbench bench TARGET` (bench_*.c); `json` selects --json output. */
int bench_sim(bool json);
int bench_engine(bool json);
int bench_seqstore(bool json);
int bench_tdb(bool json);
int bench_fs(bool json);
int bench_powercut(bool json);
int bench_emu(bool json);

#endif
