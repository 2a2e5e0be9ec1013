/* The visualizer's tests open it headless (SDL's offscreen driver) the same way: a source (a
 * scenario, an image, or NULL for a demo store on `preset`), steps taken first, a 1024 x 700
 * frame, seed 7. */
#ifndef NORBENCH_GUI_TEST_OPEN_H
#define NORBENCH_GUI_TEST_OPEN_H

#include "gui_app.h"

#include <criterion/criterion.h>

static inline gui_app *gui_test_open(const char *source, const char *preset, bool queue,
                                     uint64_t steps) {
    gui_options o = {.source = source,
                     .preset = preset,
                     .queue = queue,
                     .seed = 7,
                     .headless = true,
                     .steps = steps,
                     .at = -1,
                     .width = 1024,
                     .height = 700,
                     .select = -1};
    gui_app *app = NULL;
    cr_assert_eq(gui_app_open(&app, &o), 0, "the headless window did not open");
    return app;
}

#endif
