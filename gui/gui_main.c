/* gui_run: the window's loop (events, running the timeline at its speed, one frame about every
 * 16 ms), or headless: one frame to a PNG, or --bench-frames N frames timed. A --script feeds
 * synthetic events through the same loop, and --state-out writes what the tests check. */
#include "gui_app.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void gui_app_run_for(gui_app *app, double seconds) {
    if (!app->running) return;
    app->run_credit += app->speed * seconds;
    int steps = 0;
    while (app->running && app->run_credit >= 1 && steps < 4096) {
        app->run_credit -= 1, steps++;
        /* Paused at the end of a scenario, or when the power went off. */
        if (!gui_session_step(&app->ses) || !nor_is_powered(app->ses.dev)) app->running = false;
    }
    if (app->run_credit > 1) app->run_credit = 0;
    if (steps) app->dirty = true;
}

static int window_loop(gui_app *app) {
    Uint64 last = SDL_GetTicks64();
    while (!app->quit) {
        if (app->script && !gui_script_feed(app->script, app)) app->quit = true;
        SDL_Event e;
        while (SDL_PollEvent(&e)) gui_input_handle(app, &e);
        Uint64 now = SDL_GetTicks64();
        gui_app_run_for(app, (now - last) / 1000.0);
        last = now;
        gui_app_draw(app);
        SDL_RenderPresent(app->ren);
        Uint64 spent = SDL_GetTicks64() - now;
        if (!app->opt.headless && spent < 16) SDL_Delay((Uint32)(16 - spent));
    }
    return 0;
}

/* One bench pass: `frames` frames drawn and presented, the view refreshed before each when
 * `refresh`; the wall time and the process's CPU time they took. */
static void bench_pass(gui_app *app, uint64_t frames, bool refresh, double *wall, double *cpu) {
    clock_t cpu_start = clock();
    Uint64 start = SDL_GetPerformanceCounter();
    for (uint64_t i = 0; i < frames; i++) {
        app->dirty = refresh;
        app->ses.tl.all_changed =
            refresh; /* the raw view reads every sector again, as after a seek */
        gui_app_draw(app);
        SDL_RenderPresent(app->ren);
    }
    *wall = (SDL_GetPerformanceCounter() - start) / (double)SDL_GetPerformanceFrequency();
    *cpu = (double)(clock() - cpu_start) / CLOCKS_PER_SEC;
}

/* Frames per second: drawing alone (nothing changed: the view is not refreshed), and with
 * every page inspected again before each frame (as while running; in the raw view every sector
 * read again too, as after a seek, the worst case). Per second of CPU time
 * (what one core gives the window; the machine's other load left out) and of wall time. */
static int bench(gui_app *app) {
    uint64_t n = app->opt.bench_frames;
    double wall, cpu, busy_wall, busy_cpu;
    gui_app_draw(app);
    bench_pass(app, n, false, &wall, &cpu);
    bench_pass(app, n, true, &busy_wall, &busy_cpu);
    printf("%s %u  window %dx%d  frames %llu\n", app->view.raw ? "sectors" : "pages",
           gui_view_tiles(&app->view), app->lay.w, app->lay.h, (unsigned long long)n);
    printf("drawing only:                 %.1f frames per CPU second (%.1f per wall second)\n",
           n / cpu, n / wall);
    printf("every page inspected each frame: %.1f frames per CPU second (%.1f per wall second)\n",
           n / busy_cpu, n / busy_wall);
    return 0;
}

/* An output file of the command line that could not be written: one message, exit 1. */
static int cannot_write(const char *flag, const char *path) {
    fprintf(stderr, "norbench gui: %s %s: cannot write it: %s\n", flag, path, strerror(errno));
    return 1;
}

int gui_run(const gui_options *o) {
    gui_app *app = NULL;
    int rc = gui_app_open(&app, o);
    if (rc) return rc;
    if (o->script && (rc = gui_script_open(&app->script, o->script))) {
        gui_app_close(app);
        return rc;
    }
    if (o->bench_frames) {
        rc = bench(app);
    } else if (o->headless && !o->script) {
        gui_app_draw(app);
    } else {
        rc = window_loop(app);
    }
    if (!o->bench_frames && o->screenshot && gui_app_screenshot(app, o->screenshot))
        rc = cannot_write("--screenshot", o->screenshot);
    if (o->state_out && gui_app_write_state(app, o->state_out))
        rc = cannot_write("--state-out", o->state_out);
    gui_script_close(app->script);
    gui_app_close(app);
    return rc;
}
