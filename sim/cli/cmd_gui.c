/* `norbench gui [FILE.json | IMAGE]`: the command line of the visualizer (gui/). Parses the
 * flags into gui_options and hands them over, with the crash guard of an engine plugin
 * (cli_crash.c) following the source shown; the window, the drawing and the headless
 * rendering live in gui/, built only when SDL2 and SDL2_ttf are there. */
#include "cli.h"
#include "commands.h"
#include "gui.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The crash guard follows the source the window opens: on when it drives an engine plugin. */
static void guard_engine(void *ctx, const char *what, const char *source,
                         const struct adapter_kind *engine) {
    (void)ctx;
    cli_crash_guard_engine("gui", what, source, engine, NULL);
}

/* A flag's number that must fit `max`: -1 to go on, else the usage error's exit code. */
static int check_range(const cli_command *cmd, const char *flag, uint64_t value, uint64_t min,
                       uint64_t max) {
    if (value >= min && value <= max) return -1;
    return cli_usage_error(cmd, "--%s %llu: expected %llu to %llu", flag, (unsigned long long)value,
                           (unsigned long long)min, (unsigned long long)max);
}

int cmd_gui(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("gui");
    const char *preset = "samd21", *font = NULL, *screenshot = NULL, *script = NULL,
               *state_out = NULL, *engine = "map", *engine_lib = NULL;
    uint64_t pages = 64, seed = 1, steps = 0, at = UINT64_MAX, bench = 0, width = 1280,
             height = 800, select = UINT64_MAX;
    bool headless = false, heatmap = false, sectors = false;
    const cli_flag flags[] = {
        {"headless", CLI_BOOL, &headless, NULL, "render with SDL's offscreen driver, no window"},
        {"steps", CLI_U64, &steps, "N", "take N steps first (the timeline's, then the workload's)"},
        {"at", CLI_U64, &at, "OP", "show the timeline at flash operation OP first"},
        {"screenshot", CLI_STRING, &screenshot, "PNG", "headless: write the frame as a PNG"},
        {"bench-frames", CLI_U64, &bench, "N", "headless: render N frames, print frames/second"},
        {"font", CLI_STRING, &font, "TTF", "font file (default: fc-match monospace)"},
        {"preset", CLI_STRING, &preset, "NAME",
         "without FILE: the demo store's device (samd21); a FILE.json with a matrix: the "
         "matrix's preset to run it on"},
        {"pages", CLI_U64, &pages, "N", "without FILE: the demo store's pages (default 64)"},
        {"engine", CLI_STRING, &engine, "map|queue", "the demo store's or the image's kind"},
        {"engine-lib", CLI_STRING, &engine_lib, "PATH",
         "drive the engine plugin PATH (docs/plugins.md) instead of the source's engine"},
        {"seed", CLI_U64, &seed, "N", "seed of the workload and the device (a scenario: its own)"},
        {"width", CLI_U64, &width, "PX", "window width (default 1280)"},
        {"height", CLI_U64, &height, "PX", "window height (default 800)"},
        {"heatmap", CLI_BOOL, &heatmap, NULL, "start in the erase-count heatmap"},
        {"sectors", CLI_BOOL, &sectors, NULL, "start in the raw view: every sector of the device"},
        {"select", CLI_U64, &select, "PAGE", "select this page at start"},
        {"script", CLI_STRING, &script, "FILE", "tests: synthetic input events (docs/gui.md)"},
        {"state-out", CLI_STRING, &state_out, "FILE", "tests: write the final state there"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos > 1) return cli_usage_error(cmd, "one FILE at most, got '%s' too", argv[2]);
    bool queue = false;
    if (strcmp(engine, "queue") == 0)
        queue = true;
    else if (strcmp(engine, "map") != 0)
        return cli_usage_error(cmd, "--engine '%s': expected map or queue", engine);
    const struct adapter_kind *plugin = NULL;
    if (engine_lib && (rc = cli_engine_lib_load(cmd, "--engine-lib", engine_lib, &plugin)))
        return rc;
    if ((rc = check_range(cmd, "width", width, 320, 8192)) >= 0) return rc;
    if ((rc = check_range(cmd, "height", height, 240, 8192)) >= 0) return rc;
    if (pages < 2 || pages > 32767)
        return cli_usage_error(cmd,
                               "--pages %llu: expected 2 to 32767 (a store needs 2 pages; more "
                               "than the device's first region has: all of them)",
                               (unsigned long long)pages);
    if ((screenshot || bench) && !headless)
        return cli_usage_error(cmd, "--screenshot and --bench-frames need --headless");
    /* Output files proved writable before the window opens and runs. */
    if (screenshot && (rc = cli_output_file_ready(cmd, "--screenshot", screenshot))) return rc;
    if (state_out && (rc = cli_output_file_ready(cmd, "--state-out", state_out))) return rc;
    gui_options o = {.source = npos ? argv[1] : NULL,
                     .preset = preset,
                     .matrix_preset = cli_flag_present(argc, argv, "preset") ? preset : NULL,
                     .pages = (uint32_t)pages,
                     .queue = queue,
                     .seed = seed,
                     .seed_given = cli_flag_present(argc, argv, "seed"),
                     .font = font,
                     .headless = headless,
                     .steps = steps,
                     .at = at == UINT64_MAX ? -1 : (int64_t)(at & INT64_MAX),
                     .screenshot = screenshot,
                     .bench_frames = bench,
                     .width = (uint32_t)width,
                     .height = (uint32_t)height,
                     .heatmap = heatmap,
                     .sectors = sectors,
                     .select = select == UINT64_MAX ? -1 : (int64_t)(select & INT64_MAX),
                     .script = script,
                     .state_out = state_out,
                     .engine = plugin,
                     .on_engine = guard_engine};
    return gui_run(&o);
}
