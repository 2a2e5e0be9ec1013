/* The one table of keys: what each does and how the help overlay lists it. Input maps a key
 * through it; the help draws it; nothing else names a key. */
#include "gui_app.h"

const gui_key gui_keys[] = {
    {SDLK_h, GUI_HELP, "h / ?", "show or hide this help"},
    {SDLK_QUESTION, GUI_HELP, NULL, NULL},
    {SDLK_SPACE, GUI_RUN, "space", "run / pause the timeline (at its end: see w)"},
    {SDLK_RIGHT, GUI_STEP, "right / .", "step one flash operation (at the end: one workload op)"},
    {SDLK_PERIOD, GUI_STEP, NULL, NULL},
    {SDLK_LEFT, GUI_BACK, "left / ,", "step back one flash operation (from snapshots)"},
    {SDLK_COMMA, GUI_BACK, NULL, NULL},
    {SDLK_EQUALS, GUI_FASTER, "+ / -", "run faster / slower (x2)"},
    {SDLK_PLUS, GUI_FASTER, NULL, NULL},
    {SDLK_KP_PLUS, GUI_FASTER, NULL, NULL},
    {SDLK_MINUS, GUI_SLOWER, NULL, NULL},
    {SDLK_KP_MINUS, GUI_SLOWER, NULL, NULL},
    {SDLK_HOME, GUI_START, "home / end", "go to the timeline's start / end"},
    {SDLK_END, GUI_END, NULL, NULL},
    {SDLK_c, GUI_CUT, "c", "cut the power now (in the torn mode shown)"},
    {SDLK_t, GUI_TORN_MODE, "t", "next torn mode: between ops, none, prefix, bits, ..."},
    {SDLK_p, GUI_POWER_ON, "p", "power on and mount (the recovery runs)"},
    {SDLK_b, GUI_FLIP, "b", "flip a bit of the byte under the mouse (or the hex cursor)"},
    {SDLK_s, GUI_SAVE_IMAGE, "s", "save the flash image (gui-image-N.bin and its .json)"},
    {SDLK_x, GUI_SCREENSHOT, "x", "save a screenshot (gui-shot-N.png)"},
    {SDLK_w, GUI_WORKLOAD, "w", "at the end: run the workload on / stop (a scenario stops)"},
    {SDLK_m, GUI_HEATMAP, "m", "page states / erase-count heatmap"},
    {SDLK_v, GUI_SECTORS, "v", "engine pages / every sector of the device (raw)"},
    {SDLK_TAB, GUI_SEL_RIGHT, "tab / backspace", "select the next / previous page"},
    {SDLK_BACKSPACE, GUI_SEL_LEFT, NULL, NULL},
    {SDLK_UP, GUI_SEL_UP, "up / down", "select the page a row above / below"},
    {SDLK_DOWN, GUI_SEL_DOWN, NULL, NULL},
    {SDLK_LEFTBRACKET, GUI_BYTE_PREV, "[ / ]", "hex cursor: previous / next byte"},
    {SDLK_RIGHTBRACKET, GUI_BYTE_NEXT, NULL, NULL},
    {SDLK_j, GUI_ROW_NEXT, "j / k", "hex cursor: next / previous row"},
    {SDLK_k, GUI_ROW_PREV, NULL, NULL},
    {SDLK_PAGEDOWN, GUI_LIST_DOWN, "pgdn / pgup", "scroll the page's item list"},
    {SDLK_PAGEUP, GUI_LIST_UP, NULL, NULL},
    {SDLK_r, GUI_RELOAD, "r", "load the source again (a scenario runs again)"},
    {SDLK_ESCAPE, GUI_CLOSE, "esc", "close the help, else clear the selection"},
    {SDLK_q, GUI_QUIT, "q", "quit"},
};
const size_t gui_key_count = sizeof gui_keys / sizeof gui_keys[0];

gui_action gui_key_action(SDL_Keycode key) {
    for (size_t i = 0; i < gui_key_count; i++)
        if (gui_keys[i].key == key) return gui_keys[i].action;
    return GUI_NONE;
}
