/* The visualizer's entry point (`norbench gui`): its options, filled by the command line
 * (sim/cli/cmd_gui.c), and the call that opens the window or renders headless. Built with SDL2
 * and SDL2_ttf when pkg-config finds them; otherwise gui_run says so and fails. */
#ifndef NORBENCH_GUI_H
#define NORBENCH_GUI_H

#include <stdbool.h>
#include <stdint.h>

typedef struct gui_options {
    const char *source; /* a scenario FILE.json, a flash IMAGE, or NULL: a demo store */
    const char *preset; /* the demo store's device */
    /* A scenario with a "matrix" runs on this preset when it is one of the matrix's (--preset);
     * NULL or another: on its own flash.preset. */
    const char *matrix_preset;
    uint32_t pages;         /* the demo store's pages, 2 or more (0: every sector of its first
                               region; more than it has: all of them) */
    bool queue;             /* the demo store, or an image, holds a queue (else a map) */
    uint64_t seed;          /* the demo workload's and the device's seed */
    bool seed_given;        /* a scenario runs with this seed instead of its own */
    const char *font;       /* a TrueType font file; NULL: fc-match monospace */
    bool headless;          /* render with SDL's offscreen driver, no window */
    uint64_t steps;         /* steps to take before the first frame (headless: before the shot) */
    int64_t at;             /* timeline position to show first (-1: the end) */
    const char *screenshot; /* headless: the PNG to write */
    uint64_t bench_frames;  /* headless: render this many frames and print frames per second */
    uint32_t width, height; /* window size */
    bool heatmap;           /* start in the erase-count heatmap */
    bool sectors;           /* start in the raw view: every sector of the device */
    int64_t select;         /* the page selected at start (-1: none) */
    const char *script;     /* test hook: a file of synthetic input events (gui_script.c) */
    const char *state_out;  /* test hook: where to write the final state as text */
    /* An engine plugin (--engine-lib, docs/plugins.md) driven instead of the scenario's, the
     * image's or the demo's engine; NULL: theirs. */
    const struct adapter_kind *engine;
    /* Called as a source opens (at start, or dropped on the window), before its engine runs:
     * what it is ("scenario", "image", "the demo store"), its path (NULL: the demo) and the
     * engine it drives (`engine`, the plugin a scenario's engine type "plugin" names, or a
     * built-in kind; NULL: the scenario's built-in engine). norbench gui guards a plugin's
     * crashes with it. May be NULL. */
    void (*on_engine)(void *ctx, const char *what, const char *source,
                      const struct adapter_kind *engine);
    void *engine_ctx;
} gui_options;

/* Returns the process exit code: 0, 1 (a run-time failure), 2 (bad input: a message on stderr
 * names the file or option and what is wrong), GUI_EXIT_INTERRUPTED (SIGINT or SIGTERM during
 * the --steps taken before the first frame). */
enum { GUI_EXIT_INTERRUPTED = 130 };
int gui_run(const gui_options *options);

#endif
