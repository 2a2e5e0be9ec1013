/* `norbench bench TARGET`: picks a benchmark and its output format. */
#include "cli.h"
#include "commands.h"

#include <string.h>

int cmd_bench(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("bench");
    bool json = false;
    const cli_flag flags[] = {
        {"json", CLI_BOOL, &json, NULL, "print one JSON object instead of a table"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos != 1)
        return cli_usage_error(
            cmd, "expected one benchmark: sim, engine, seqstore, tdb, fs, powercut or emu");
    if (strcmp(argv[1], "sim") == 0) return bench_sim(json);
    if (strcmp(argv[1], "engine") == 0) return bench_engine(json);
    if (strcmp(argv[1], "seqstore") == 0) return bench_seqstore(json);
    if (strcmp(argv[1], "tdb") == 0) return bench_tdb(json);
    if (strcmp(argv[1], "fs") == 0) return bench_fs(json);
    if (strcmp(argv[1], "powercut") == 0) return bench_powercut(json);
    if (strcmp(argv[1], "emu") == 0) return bench_emu(json);
    return cli_usage_error(
        cmd, "unknown benchmark '%s' (expected sim, engine, seqstore, tdb, fs, powercut or emu)",
        argv[1]);
}
