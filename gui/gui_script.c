/* The test hook --script FILE: synthetic input pushed into SDL's event queue (SDL_PushEvent),
 * so that it goes through the same handling as a person's keys and clicks. One command a line:
 *   wait N          let N frames pass
 *   key NAME        press and release a key (SDL key names: c, p, Right, Tab, ...)
 *   click X Y       left click at a window point
 *   click-page N    left click at the centre of page N's tile
 *   resize W H      resize the window
 *   wheel X Y DY    move the mouse to a window point and turn the wheel DY notches (up > 0)
 *   drop PATH       drop the file PATH (the rest of the line) on the window
 * '#' starts a comment. The script ends the loop after its last command. */
#include "gui_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct script_line {
    char verb[16];
    char arg[512];
    long a, b, c;
} script_line;

struct gui_script {
    script_line *lines;
    size_t count, next;
    long waiting;
};

static int bad_line(const char *path, size_t line, const char *text) {
    fprintf(stderr,
            "norbench gui: %s:%zu: '%s': expected wait N, key NAME, click X Y, "
            "click-page N, resize W H, wheel X Y DY or drop PATH\n",
            path, line, text);
    return 2;
}

static bool parse_line(const char *text, script_line *l) {
    memset(l, 0, sizeof *l);
    int n = sscanf(text, "%15s %511s %ld %ld", l->verb, l->arg, &l->b, &l->c);
    if (n < 2) return false;
    if (!strcmp(l->verb, "drop")) { /* the path is the rest of the line, spaces and all */
        const char *path = text + strspn(text, " \t") + strlen(l->verb);
        path += strspn(path, " \t");
        size_t len = strlen(path);
        while (len && (path[len - 1] == ' ' || path[len - 1] == '\t')) len--;
        if (len >= sizeof l->arg) return false;
        memcpy(l->arg, path, len);
        l->arg[len] = 0;
        return true;
    }
    char *end;
    l->a = strtol(l->arg, &end, 10);
    bool number = *end == 0;
    if (!strcmp(l->verb, "key")) return n == 2 && SDL_GetKeyFromName(l->arg) != SDLK_UNKNOWN;
    if (!strcmp(l->verb, "wait") || !strcmp(l->verb, "click-page")) return n == 2 && number;
    if (!strcmp(l->verb, "click") || !strcmp(l->verb, "resize")) return n == 3 && number;
    if (!strcmp(l->verb, "wheel")) return n == 4 && number;
    return false;
}

int gui_script_open(gui_script **out, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "norbench gui: --script %s: cannot read it\n", path);
        return 2;
    }
    gui_script *s = calloc(1, sizeof *s);
    char text[600];
    size_t line = 0, cap = 0;
    int rc = s ? 0 : 1;
    while (!rc && fgets(text, sizeof text, f)) {
        line++;
        text[strcspn(text, "#\r\n")] = 0;
        if (strspn(text, " \t") == strlen(text)) continue;
        if (s->count == cap) {
            cap = cap ? cap * 2 : 16;
            script_line *grown = realloc(s->lines, cap * sizeof *grown);
            if (!grown)
                rc = 1;
            else
                s->lines = grown;
        }
        if (!rc && !parse_line(text, &s->lines[s->count++])) rc = bad_line(path, line, text);
    }
    fclose(f);
    if (rc)
        gui_script_close(s);
    else
        *out = s;
    return rc;
}

void gui_script_close(gui_script *s) {
    if (!s) return;
    free(s->lines);
    free(s);
}

static void push_motion(int x, int y) {
    SDL_Event e = {0};
    e.type = SDL_MOUSEMOTION, e.motion.x = x, e.motion.y = y;
    SDL_PushEvent(&e);
}

static void push_click(int x, int y) {
    push_motion(x, y);
    SDL_Event e = {0};
    e.type = SDL_MOUSEBUTTONDOWN, e.button.button = SDL_BUTTON_LEFT, e.button.state = SDL_PRESSED;
    e.button.x = x, e.button.y = y, e.button.clicks = 1;
    SDL_PushEvent(&e);
    e.type = SDL_MOUSEBUTTONUP, e.button.state = SDL_RELEASED;
    SDL_PushEvent(&e);
}

static void push_wheel(int x, int y, int dy) {
    push_motion(x, y);
    SDL_Event e = {0};
    e.type = SDL_MOUSEWHEEL, e.wheel.y = dy;
    SDL_PushEvent(&e);
}

static void push_key(const char *name) {
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN, e.key.state = SDL_PRESSED;
    e.key.keysym.sym = SDL_GetKeyFromName(name);
    e.key.keysym.scancode = SDL_GetScancodeFromKey(e.key.keysym.sym);
    SDL_PushEvent(&e);
    e.type = SDL_KEYUP, e.key.state = SDL_RELEASED;
    SDL_PushEvent(&e);
}

/* SDL gives a dropped file's name in memory of its own, which the handler SDL_frees. */
static void push_drop(gui_app *app, const char *path) {
    SDL_Event e = {0};
    e.type = SDL_DROPFILE, e.drop.windowID = SDL_GetWindowID(app->window);
    e.drop.file = SDL_strdup(path);
    if (e.drop.file && SDL_PushEvent(&e) != 1) SDL_free(e.drop.file);
}

bool gui_script_feed(gui_script *s, gui_app *app) {
    if (s->waiting > 0) {
        s->waiting--;
        return true;
    }
    while (s->next < s->count) {
        const script_line *l = &s->lines[s->next++];
        if (!strcmp(l->verb, "wait")) {
            s->waiting = l->a;
            return true;
        } else if (!strcmp(l->verb, "key")) {
            push_key(l->arg);
        } else if (!strcmp(l->verb, "click")) {
            push_click((int)l->a, (int)l->b);
        } else if (!strcmp(l->verb, "click-page")) {
            SDL_Rect r;
            if (gui_layout_tile(&app->lay, (uint32_t)l->a, gui_view_tiles(&app->view), &r))
                push_click(r.x + r.w / 2, r.y + r.h / 2);
        } else if (!strcmp(l->verb, "wheel")) {
            push_wheel((int)l->a, (int)l->b, (int)l->c);
        } else if (!strcmp(l->verb, "drop")) {
            push_drop(app, l->arg);
        } else if (!strcmp(l->verb, "resize")) {
            SDL_SetWindowSize(app->window, (int)l->a, (int)l->b);
        }
    }
    return s->waiting > 0 || s->next < s->count ? true : false;
}
