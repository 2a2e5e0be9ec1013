/* norbench: the command-line entry point. Finds the command and hands it argv. */
#include "cli.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

const cli_command cli_commands[] = {
    {"presets", "list the NOR flash presets and their figures", "[--json]",
     "Lists every built-in NOR flash preset: geometry, write rules, timing, endurance and the\n"
     "source of the figures.",
     cmd_presets},
    {"demo", "a short tour of the NOR flash model", "[--preset NAME] [--seed N]",
     "Programs, erases and tears a few operations on a preset, printing what the model does.",
     cmd_demo},
    {"bench", "measure the model, the engine, the power-cut campaigns or the emulator",
     "sim|engine|seqstore|tdb|fs|powercut|emu [--json]",
     "Runs a benchmark and prints its figures:\n"
     "  sim     program/read/erase throughput of the NOR model against memcpy, snapshot cost\n"
     "  engine  flash traffic, wear and write amplification of the storage engine, and its\n"
     "          reads per operation at 10, 50 and 95% of capacity\n"
     "  seqstore  sequential-storage's own map and queue cache workloads (4 x 256 B), our\n"
     "          flash traffic beside the crate's and issue #12's goals; exits 1 when a value\n"
     "          reads back wrong (docs/benchmarks.md)\n"
     "  tdb     a 64 KiB value set incrementally in the TDB store (chunks, descriptor,\n"
     "          journal) on 4 KiB-sector presets: bytes programmed and erases beside its raw\n"
     "          65,536 bytes, for the first set and one replacing it\n"
     "  fs      a 100 KiB file written in 4 KiB writes in the file system on nrf52840, then\n"
     "          4 KiB overwrites in its middle: bytes programmed and erases beside the raw\n"
     "          bytes\n"
     "  powercut  cut points verified per second per core by an exhaustive campaign\n"
     "  emu     the emulator on the nrf52840 (the boot counter built beside norbench):\n"
     "          instructions per CPU second with the flash hooks on, boot and reboot time,\n"
     "          campaign tries per second, beside issue #13's goals; then --target: the\n"
     "          agent's engine operations and powercut --target's cut points per second,\n"
     "          the host's beside (docs/emu.md)",
     cmd_bench},
    {"validate", "check scenario files without running them", "FILE|DIR... [--json] [--quiet]",
     "Checks JSON scenario files (a DIR: every *.json below it) against the format\n"
     "(scenarios/README.md), a file with a \"matrix\" on each of its presets, and prints one\n"
     "FILE:LINE:COLUMN message per problem. Exits 0 when every file is valid, 2 otherwise (also\n"
     "when a path names no scenario file).",
     cmd_validate},
    {"run", "run scenario files and check them",
     "FILE|DIR... [--seed N] [--json] [--report DIR] [--quiet] [--preset A,B,...]\n"
     "       [--filter GLOB] [--dump-image DIR] [--target BOARD [--firmware FILE]]\n"
     "       [--engine-lib PATH]",
     "Runs JSON scenarios (a DIR: every *.json below it) against the engine and the NOR model,\n"
     "checking every result with the reference model, and prints a table. A scenario with a\n"
     "\"matrix\" (or every scenario, with --preset) runs once per preset, each combination a\n"
     "row of its own named NAME[preset=P]; the file's flash overrides and engine range apply\n"
     "to each preset, and one that does not fit makes that combination an ERROR. With --target\n"
     "BOARD the engine runs in the agent firmware on an emulated board (`norbench emu`'s\n"
     "boards), the scenario's flash at the end of the board's (docs/emu.md). With --engine-lib\n"
     "PATH an engine plugin of your own runs instead of each scenario's engine\n"
     "(docs/plugins.md). Exits 0 when all pass, 1 when any fails, 2 on usage or file errors.",
     cmd_run},
    {"powercut", "cut the power at every flash operation and check nothing is lost",
     "FILE|DIR... [--mode exhaustive|linear|log|random:N|every:K] [--torn MODES|all]\n"
     "       [--depth 1|2] [--steps N] [--jobs N] [--shard I/N] [--seed N] [--max-tries N]\n"
     "       [--time-budget TIME] [--dry-run] [--resume DIR] [--json] [--report DIR] [--quiet]\n"
     "       [--filter GLOB] [--target BOARD [--firmware FILE]] [--engine-lib PATH]",
     "Runs each scenario once, then again with the power cut inside each of its flash\n"
     "operations in every torn mode: power on, mount, read everything twice, reboot, read\n"
     "again, then power-cycle and read it several times more (the operation in flight must be\n"
     "old or new, and stay so however the weak cells read); the scenario then goes on and\n"
     "must pass, and at its end the store must read the same over several power cycles.\n"
     "Torn modes: program none, full, prefix, bits, metastable; erase none, full, partial,\n"
     "weak; both early, middle, late, spread (a cut at that point of the operation).\n"
     "Branches resume from snapshots. With --target BOARD the engine runs in the agent firmware\n"
     "on an emulated board and the cuts land inside its flash operations (docs/emu.md); with\n"
     "--engine-lib PATH they land under an engine plugin of your own (docs/plugins.md).\n"
     "Every failure is written as a reproducer scenario that\n"
     "`norbench run` replays.\n"
     "Before it starts, it prints the plan on stderr: cut points and tries per scenario and\n"
     "the time estimated from a timed sample (--dry-run prints only that). --mode log tries\n"
     "the cut points at positions 1, 2, 3, 4, 6, 8, 11, 16, 23, ... (round(2^(k/2))),\n"
     "every:K every K-th; --max-tries and --time-budget sample them evenly (seeded) and the\n"
     "table says the share covered. Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the results\n"
     "so far are written, marked incomplete, and --resume DIR (same files and flags) goes on\n"
     "to the totals of one uninterrupted run.\n"
     "Exits 0 when every cut point verified, 1 when one failed, 2 on usage or file errors or\n"
     "a --resume that does not match, 130 when interrupted. See docs/powercut.md.",
     cmd_powercut},
    {"merge", "add up the JSON results of a sharded power-cut campaign", "FILE... [--json]",
     "Reads powercut.json files of the shards of one campaign (--shard I/N) and prints the\n"
     "combined result: the same totals and failures as one unsharded run. Exits 0 when no cut\n"
     "point failed, 1 when one did, 2 when a file is unreadable or not of the same campaign,\n"
     "or when a shard is missing (every I of I/N must be given).",
     cmd_merge},
    {"image", "show what a flash image holds", "info|dump FILE [--json] [--sector N]",
     "Reads a flash image (FILE, the raw bytes, and FILE.json, its sidecar: what\n"
     "`norbench run --dump-image` and nor_image_save write) and prints:\n"
     "  info  its preset, geometry, erase counts (min, max, mean, total) and how many bytes\n"
     "        and sectors are programmed; --json: the sidecar's fields and these figures\n"
     "  dump  its bytes in hex, sector by sector, runs of erased lines folded to '*';\n"
     "        --sector N: that sector only\n"
     "A scenario starts from an image with \"flash\": {\"image\": \"FILE\"}. Exits 0, or 2 when "
     "the\n"
     "image is unreadable, malformed or truncated (one message says which file and what).",
     cmd_image},
    {"emu", "boot a firmware on an emulated board, cut its power, reboot it",
     "FIRMWARE.elf --board BOARD [--image FILE] [--cut-after N | --cuts N1,N2,... |\n"
     "       --cut-every-flash-op] [--torn MODES] [--boots N] [--after-boots N]\n"
     "       [--expect-uart REGEX] [--max-instructions N] [--seed N] [--json] [--save-image FILE]",
     "Boots a bare-metal Cortex-M firmware (an ELF linked for the board) on an emulated\n"
     "microcontroller whose flash controller is backed by the NOR model, boot after boot with\n"
     "the flash kept, and prints per boot how it ended (idle at a WFI, crash with PC and\n"
     "registers, runaway past --max-instructions, power cut), its UART output, its flash\n"
     "operations and the peripheral registers it used that nothing models.\n"
     "Boards: nrf52840 (1 MiB flash in 4 KiB pages at 0, 256 KiB RAM at 0x20000000, NVMC,\n"
     "UART0); stm32f4 (1 MiB flash in 12 sectors of 16, 64 and 128 KiB at 0x08000000, 128\n"
     "KiB RAM at 0x20000000, FLASH interface, USART1 and USART2); stm32l4 (1 MiB flash in\n"
     "2 KiB pages with ECC double words at 0x08000000, 128 KiB RAM at 0x20000000, FLASH\n"
     "interface, USART1 and USART2). Cuts count the flash operations (programs, erases) from\n"
     "the first boot: --cut-after N tears operation N+1, then the board reboots. --torn\n"
     "picks how (one program and one erase mode; default spread).\n"
     "--cut-every-flash-op is a campaign: --boots N boots run uncut (default 1), then for\n"
     "each flash operation of boot N and each torn mode (--torn, default all) the flash goes\n"
     "back to before boot N, boot N runs cut inside that operation, and --after-boots\n"
     "reboots (default 2) must each meet the expectation.\n"
     "Expectation: a completed boot ends idle and its output matches --expect-uart; when the\n"
     "regex has a group holding a number, the number never goes below one an earlier boot\n"
     "printed. Exits 0 when every checked boot held, 1 when one did not, 2 on usage or file\n"
     "errors (a bad ELF, board or image). See docs/emu.md.",
     cmd_emu},
    {"gui", "watch the page map, wear and power cuts in a window",
     "[FILE.json | IMAGE] [--headless --steps N --screenshot PNG] [--bench-frames N]\n"
     "       [--font TTF] [--preset NAME --pages N] [--engine map|queue] [--seed N] [--at OP]\n"
     "       [--heatmap] [--sectors] [--select PAGE] [--width PX --height PX] [--engine-lib PATH]\n"
     "       [--script FILE --state-out FILE]",
     "Opens a window (SDL2) on a scenario (run first, every flash operation on the timeline),\n"
     "a flash image (IMAGE and IMAGE.json, a map or, with --engine queue, a queue over the\n"
     "device's sectors), or without FILE a demo store (--preset, --pages, --engine) that a\n"
     "seeded workload fills. The page map shows each engine page's state and fill, the tail and\n"
     "the newest page; m toggles the erase-count heatmap; a selected page lists its items from\n"
     "the engine's inspection and its bytes. Step, run and scrub the timeline, cut the power,\n"
     "power on and remount, flip a bit, save the image or a screenshot: h lists every key.\n"
     "A scenario runs on its own preset (with a matrix: --preset NAME picks one). The demo\n"
     "workload (w) runs on a map or a queue only: fs, tdb and kv stores refuse it.\n"
     "--headless renders with SDL's offscreen driver (for tests and reports). Exits 0, 1 on a\n"
     "run-time failure, 2 on bad input (a message names it). See docs/gui.md.",
     cmd_gui},
    {"lifetime", "how long the flash lasts under a scenario's workload",
     "FILE [--engine NAME|plugin:PATH] [--max-hours N] [--json] [--report DIR]",
     "Runs the scenario's workload on the engine (the scenario's own, or --engine: a built-in\n"
     "engine named below, or plugin:PATH for an engine plugin) and, for a map scenario, on the\n"
     "naive baseline beside it (a line says why when the baseline cannot run its steps). The\n"
     "workload: generated workloads, sleeps, and repeats of these and of the engine's own\n"
     "operations without \"expect\" (store, push, map_set, kv_write, tdb_set, fs_write, ...).\n"
     "The run's simulated time is cut into 10 windows; the erase rate is steady when each of\n"
     "the last 4 is within 10% of their mean and the busiest sector was erased at least 20\n"
     "times in them. Until it is, the scenario's workload steps run again,\n"
     "pass after pass on the same flash and clock, up to --max-hours of simulated time (a year\n"
     "unless given) or 1000 passes; --json says how long it ran and why it stopped. From the\n"
     "steady windows: erases per sector per simulated hour (the mean sector and the busiest),\n"
     "the wear spread (busiest / mean), and the years until the busiest sector reaches the\n"
     "flash's rated endurance; from the whole run: bytes programmed per byte stored (keys and\n"
     "values; an fs_write's data). Beside them the analytic bound: the range's bytes x the rated\n"
     "cycles / the bytes the workload asks to store a year. --report DIR writes the JSON and an\n"
     "HTML page of it. Exits 0 when the engine's rate is steady, 1 when it is not, 2 on usage or\n"
     "file errors. See docs/lifetime.md.",
     cmd_lifetime},
    {"compare", "engines side by side: flash traffic, wear, lifetime, power cuts",
     "FILE --engines A,B,... [--campaign FILE] [--max-hours N] [--json] [--report DIR]",
     "Runs the scenario on each engine (built-in engines named below, or plugin:PATH for an\n"
     "engine plugin) and prints one row each: flash reads, bytes read, programs, bytes programmed\n"
     "and erases of the run, write amplification (bytes programmed per byte stored),\n"
     "wear spread and lifetime as `norbench lifetime` measures them (the run extended until\n"
     "steady, up to --max-hours of simulated time), the run's verdict, and\n"
     "the verdict of a bounded power-cut campaign (every cut point and torn mode, 20 scenario\n"
     "operations after each recovery, at most 300 tries sampled evenly) on the same file or on\n"
     "--campaign FILE. --report DIR writes the JSON and an HTML page of it. Exits 0 when every\n"
     "row was measured, 1 when a row could not be (its engine cannot run the scenario, or its\n"
     "power cuts are an ERROR: a line says why), 2 on usage or file errors. See\n"
     "docs/lifetime.md.",
     cmd_compare},
    {NULL, NULL, NULL, NULL, NULL},
};

const cli_command *cli_find_command(const char *name) {
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static void print_usage(FILE *out) {
    fprintf(out, "usage: norbench COMMAND [ARGS]\n\n"
                 "A simulator and test workbench for storage engines on NOR flash.\n\n"
                 "commands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nRun 'norbench COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv) {
    cli_set_program(argv[0]);
    if (argc < 2) {
        fprintf(stderr, "norbench: missing command\nTry 'norbench --help'.\n");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("norbench %s\n", NORBENCH_VERSION);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = cli_find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "norbench: unknown command '%s'\nTry 'norbench --help'.\n", argv[1]);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
