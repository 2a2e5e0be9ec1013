/* The visualizer's internals, shared by its files: the session (device, engine, timeline), the
 * view (what the engine's inspection and the flash model report), the layout, text, colours,
 * actions and keys, and the application that ties them together. Not API. */
#ifndef NORBENCH_GUI_APP_H
#define NORBENCH_GUI_APP_H

#include "adapter.h"
#include "gui.h"
#include "nbs.h"
#include "nor.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- timeline (gui_timeline.c): every program, erase, cut and power-on, and snapshots ---- */

/* Tick kinds beyond nor_event_kind: the state a source opened with, and a flipped bit. */
enum { GUI_TICK_START = 100, GUI_TICK_FLIP = 101 };
#define GUI_TICKS_MAX     (1u << 21) /* ticks recorded at most (then the timeline says full) */
#define GUI_SNAPSHOTS_MAX 1024u      /* beyond this, every other snapshot is let go */

typedef struct gui_tick {
    uint8_t kind; /* NOR_EV_PROGRAM, _ERASE, _CUT, _POWER_ON, or GUI_TICK_* */
    bool failed;  /* the operation returned an error (a cut, a refusal, wear) */
    uint32_t addr, len;
    uint64_t time_us;
    nor_snapshot *snap; /* the device after this tick; NULL when not kept */
} gui_tick;

typedef struct gui_timeline {
    nor *dev;
    gui_tick *ticks;
    size_t count, capacity;
    size_t snapshots;
    size_t every; /* ordinary ticks keep a snapshot every `every` ticks */
    bool full;
    /* Sectors whose bytes may have changed since the raw view last read them (one flag each),
     * or all of them after a seek or a power-on (weak bits settle anywhere). */
    uint8_t *sector_changed;
    bool all_changed;
} gui_timeline;

/* Starts recording the device's events (its event callback), with a START tick. */
int gui_timeline_start(gui_timeline *tl, nor *dev);
void gui_timeline_free(gui_timeline *tl);
/* Appends a tick of this kind (a START or FLIP) with a snapshot of the device now. */
int gui_timeline_mark(gui_timeline *tl, uint8_t kind, uint32_t addr);
/* Makes sure the last tick holds a snapshot (the end can always be shown exactly). */
int gui_timeline_seal(gui_timeline *tl);
/* Restores the device to the last kept snapshot at or before `index`; returns that tick. */
size_t gui_timeline_seek(gui_timeline *tl, size_t index);
/* Forgets every tick after `index`. */
void gui_timeline_truncate(gui_timeline *tl, size_t index);
/* Whether sector `sector` may have changed since the last call for it (which forgets it). */
bool gui_timeline_take_change(gui_timeline *tl, uint32_t sector);

/* ---- session (gui_session.c, gui_source.c, gui_workload.c): the device and the engine ---- */

typedef struct gui_session {
    nor *dev;
    adapter engine;
    bool have_engine;
    adapter_config range;
    uint32_t pages;
    gui_timeline tl;
    size_t cursor;     /* the tick shown; the device holds its state */
    bool engine_stale; /* the engine's RAM is of a later tick: mount before using it */
    int mount_result;  /* of the last mount (1: none yet) */
    /* At the end of the timeline a step runs one workload operation when this is set: a demo
     * store and an image start with it, a scenario without (it stops at its end; w sets it). */
    bool workload_on;
    uint64_t workload_rng;
    /* Why the demo workload cannot run on this source ("": it can): the engine's adapter offers
     * no map or queue operations (fs, tdb, kv), or an image's map holds another writer's keys. */
    char no_workload[200];
    uint64_t workload_ops;
    int last_result;   /* of the last engine operation */
    char last_op[200]; /* what it was, for the status line */
    char title[160];   /* the source, for the window title */
    char verdict[160]; /* a scenario's verdict */
} gui_session;

/* Opens the source the options name (a scenario, an image, or the demo store). On bad input
 * returns 2 with `why` saying what and where; 1 on other failures. */
int gui_source_open(gui_session *s, const gui_options *o, char *why, size_t why_size);
void gui_session_close(gui_session *s);
/* Mounts the engine (read-write), as after a reset. */
int gui_session_mount(gui_session *s);
/* One step: the next tick when the cursor is behind the end, else one workload operation when
 * the workload is on. False when nothing moved (the end of a scenario, the power off). */
bool gui_session_step(gui_session *s);
void gui_session_seek(gui_session *s, size_t index);
/* Makes the cursor the end (forgetting later ticks), so that an action starts from what is shown.
 */
void gui_session_branch_here(gui_session *s);
/* Cuts the power: between operations (torn mode 0), or inside the next workload operation's
 * first program or erase, torn in that mode (gui_torn_modes). */
void gui_session_cut(gui_session *s, unsigned torn_mode);
/* Power on, then mount (the recovery runs as the engine decides). */
void gui_session_power_on(gui_session *s);
int gui_session_flip_bit(gui_session *s, uint32_t addr, unsigned bit);
/* Decides whether the demo workload can run on the engine just attached, saying why not in
 * s->no_workload: it needs an adapter with a map's store and remove or a queue's push, pop and
 * count. With `only_its_own_keys` (an image: its sidecar does not say which layer wrote it) a map
 * that holds keys the workload would not write is refused too: a file system, a TDBStore-shaped
 * store and key-value domains keep their records in such a map, and k00..k23 must not land
 * among them. Reads the store through the adapter, so the engine is mounted first. */
void gui_workload_decide(gui_session *s, bool only_its_own_keys);
/* One seeded operation of the demo workload (store/remove for a map, push/pop for a queue);
 * false, with s->last_op saying why, when the source has none (s->no_workload). */
bool gui_workload_step(gui_session *s);

typedef struct gui_torn_mode {
    const char *name;
    nor_torn_program program;
    nor_torn_erase erase;
} gui_torn_mode;
extern const gui_torn_mode gui_torn_modes[];
extern const unsigned gui_torn_mode_count;

/* ---- view (gui_view.c): the inspection and the model's figures for what is shown ---- */

#define GUI_HIST_BINS 16
#define GUI_KEY_SHOWN 24 /* key bytes kept per item for the list */

typedef struct gui_item {
    nbs_item_info info;
    uint8_t key[GUI_KEY_SHOWN];
} gui_item;

typedef struct gui_view {
    uint32_t pages;
    nbs_page_info *page;
    uint32_t *erases; /* per page: the most erased of its sectors */
    uint32_t erase_min, erase_max;
    double erase_mean;
    uint32_t hist[GUI_HIST_BINS]; /* pages per erase-count bin, min..max */
    nbs_inspect_summary summary;
    int inspect_result;
    int32_t items_page; /* the page `items` are of (-1: none) */
    gui_item *items;
    size_t item_count, item_capacity;
    /* The selected tile's stored bits and weak-bit masks: a page, or a sector in the raw view. */
    uint8_t *bytes, *weak;
    int32_t bytes_of; /* the tile they are of (-1: none) */
    uint32_t bytes_addr, bytes_len;
    /* The raw view (v): every sector of the device, from the flash model, not the engine. */
    bool raw;
    bool sectors_read; /* the sector figures below are of the device (else: read them all) */
    uint32_t sectors;
    uint32_t *sector_erases;
    uint32_t *sector_programmed; /* bytes that differ from the erased value */
    bool *sector_weak;           /* some bit of the sector is weak */
    uint32_t sector_erase_min, sector_erase_max;
    nor_stats stats;
    uint32_t endurance;
    bool powered;
} gui_view;

/* gui_figures.c: seconds for people ("12.3 ms", "4.56 s", "3.2 h", "41 days", "7.5 years"),
 * and the stats panel's lifetime: when the most erased page reaches the rated endurance if
 * erases go on at their rate so far in simulated time; a rate from fewer than
 * GUI_LIFETIME_MIN_ERASES erases of that page (which a few more erases would swing widely) is
 * no projection: "not enough wear yet". */
#define GUI_LIFETIME_MIN_ERASES 10
void gui_human_time(char *out, size_t n, double seconds);
void gui_lifetime_text(const gui_view *v, char *out, size_t n);
int gui_view_init(gui_view *v, const gui_session *s);
void gui_view_free(gui_view *v);
/* Inspects every page (and the selected one's items and bytes) as the device is now; in the raw
 * view (v->raw) also every sector, `selected` being a sector. */
void gui_view_refresh(gui_view *v, gui_session *s, int32_t selected);
/* Where sector `sector` of the device starts and its size; false past the last one. */
bool gui_sector_span(const nor *dev, uint32_t sector, uint32_t *start, uint32_t *size);
/* The tiles of the map: engine pages, or the device's sectors in the raw view. */
uint32_t gui_view_tiles(const gui_view *v);
/* The engine page that holds byte `addr` of the device, or -1 outside the engine's range. */
int32_t gui_session_page_of(const gui_session *s, uint32_t addr);

/* ---- colours (gui_colors.c) ---- */

extern const SDL_Color gui_bg, gui_panel, gui_text_colour, gui_dim, gui_accent, gui_warn, gui_weak;
/* A colour's unfilled shade: the same hue, a third as bright, over the background. */
SDL_Color gui_faded(SDL_Color c);
SDL_Color gui_page_colour(nbs_page_state state, bool filled);
SDL_Color gui_item_colour(nbs_item_state state);
/* The heat scale, t in 0..1 (cold to hot). */
SDL_Color gui_heat_colour(double t);
SDL_Color gui_tick_colour(uint8_t kind);
void gui_set_colour(SDL_Renderer *r, SDL_Color c);
void gui_fill(SDL_Renderer *r, const SDL_Rect *rect, SDL_Color c);
void gui_outline(SDL_Renderer *r, const SDL_Rect *rect, SDL_Color c);

/* ---- text (gui_text.c): a monospace font, glyphs rendered once ---- */

typedef struct gui_text {
    TTF_Font *font;
    SDL_Texture *glyph[95]; /* ' '..'~' */
    int advance, line;
} gui_text;

/* Opens `path`, or the font fc-match names for monospace when NULL. 2 with `why` on failure. */
int gui_text_open(gui_text *t, SDL_Renderer *r, const char *path, int px, char *why, size_t n);
void gui_text_close(gui_text *t);
/* Draws up to `max_chars` characters (0: all); returns the x after the text. */
int gui_text_draw(gui_text *t, SDL_Renderer *r, int x, int y, SDL_Color c, const char *s,
                  int max_chars);
int gui_text_printf(gui_text *t, SDL_Renderer *r, int x, int y, SDL_Color c, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- layout (gui_layout.c) ---- */

typedef struct gui_layout {
    int w, h;
    SDL_Rect map, legend, stats, page, list, hex, timeline, status;
    int cols, rows, tile, gap; /* the page map's grid */
    int list_rows, hex_rows, hex_per_row;
} gui_layout;

void gui_layout_compute(gui_layout *l, int w, int h, const gui_text *t, uint32_t pages);
/* The tile of a page; false when it is not shown. */
bool gui_layout_tile(const gui_layout *l, uint32_t page, uint32_t pages, SDL_Rect *r);
/* The page under a point of the map, or -1. */
int32_t gui_layout_page_at(const gui_layout *l, int x, int y, uint32_t pages);

/* ---- actions and keys (gui_actions.c, gui_keys.c) ---- */

typedef enum gui_action {
    GUI_NONE,
    GUI_QUIT,
    GUI_HELP,
    GUI_CLOSE, /* close the help, else clear the selection */
    GUI_HEATMAP,
    GUI_RUN,
    GUI_STEP,
    GUI_BACK,
    GUI_FASTER,
    GUI_SLOWER,
    GUI_START,
    GUI_END,
    GUI_CUT,
    GUI_TORN_MODE,
    GUI_POWER_ON,
    GUI_FLIP,
    GUI_SAVE_IMAGE,
    GUI_SCREENSHOT,
    GUI_SEL_LEFT,
    GUI_SEL_RIGHT,
    GUI_SEL_UP,
    GUI_SEL_DOWN,
    GUI_BYTE_PREV,
    GUI_BYTE_NEXT,
    GUI_ROW_PREV,
    GUI_ROW_NEXT,
    GUI_LIST_UP,
    GUI_LIST_DOWN,
    GUI_RELOAD,
    GUI_WORKLOAD,
    GUI_SECTORS,
} gui_action;

typedef struct gui_key {
    SDL_Keycode key;
    gui_action action;
    const char *label; /* as the help shows it */
    const char *help;
} gui_key;
extern const gui_key gui_keys[];
extern const size_t gui_key_count;
/* The action of a key, or GUI_NONE. */
gui_action gui_key_action(SDL_Keycode key);

/* ---- the application (gui_main.c, gui_actions.c, gui_input.c, gui_draw_*.c, ...) ---- */

typedef struct gui_app {
    gui_options opt;
    gui_session ses;
    gui_view view;
    gui_layout lay;
    gui_text text;
    SDL_Window *window;
    SDL_Renderer *ren;
    bool quit, help, heatmap, running, dirty;
    double speed; /* steps per second while running */
    double run_credit;
    int32_t selected;     /* page (-1: none) */
    int32_t hover_page;   /* under the mouse (-1: none) */
    int mouse_x, mouse_y; /* where the last motion event left the mouse (the wheel acts there) */
    int32_t hex_cursor;   /* byte of the selected page (-1: none) */
    uint32_t hex_top;     /* first row shown */
    uint32_t list_top;    /* first item shown */
    int32_t picked_item;  /* the item clicked in the list (-1: none) */
    bool dragging;        /* the timeline is being scrubbed */
    unsigned torn_mode;   /* index into gui_torn_modes */
    uint64_t frames;
    char status[200];
    char source[4096]; /* the source open now (opt.source points here) */
    struct gui_script *script;
} gui_app;

/* Opens the source and the renderer (hidden or offscreen when headless), checks the start
 * options against the source and takes the --steps. 0; 1 or 2 (bad input) with a message on
 * stderr; GUI_EXIT_INTERRUPTED when a signal stopped the --steps. */
int gui_app_open(gui_app **out, const gui_options *o);
void gui_app_close(gui_app *app);
/* Opens another source (NULL: the demo store) in place of the current one; on failure the
 * current one stays and the status line says why. */
void gui_app_load(gui_app *app, const char *source);
/* Refreshes the view when something changed and draws one frame (not presented). */
void gui_app_draw(gui_app *app);
/* A pixel of the frame last drawn. */
int gui_app_pixel(gui_app *app, int x, int y, SDL_Color *out);
void gui_app_do(gui_app *app, gui_action action);
/* While running: the steps due in `seconds` at the speed shown (at most 4096 at a time); pauses
 * at the end of a scenario (the workload off) and when the power goes off. */
void gui_app_run_for(gui_app *app, double seconds);
void gui_app_status(gui_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Selects a tile of the map (a page, or a sector in the raw view); -1: none. */
void gui_app_select(gui_app *app, int32_t tile);
/* The raw view of every sector (true) or the engine's pages; the layout follows. */
void gui_app_show_sectors(gui_app *app, bool raw);
void gui_app_seek(gui_app *app, size_t tick);
/* Writes the frame last drawn as a PNG; 0 or -1 (status says why). */
int gui_app_screenshot(gui_app *app, const char *path);
/* One SDL event (keys, mouse, resize, dropped files). */
void gui_input_handle(gui_app *app, const SDL_Event *e);
/* The test hook's state dump (--state-out). */
int gui_app_write_state(gui_app *app, const char *path);

void gui_draw_map(gui_app *app);
void gui_draw_legend(gui_app *app);
void gui_panel_stats(gui_app *app);
void gui_panel_page(gui_app *app);
/* A key as text when its first `shown` bytes are printable, else in hex, ".." after them when it
 * is longer; "-" for an empty key. */
void gui_key_text(const uint8_t *key, size_t len, size_t shown, char *out, size_t n);
void gui_panel_timeline(gui_app *app);
void gui_draw_help(gui_app *app);
/* The tick under x of the timeline bar. */
size_t gui_timeline_tick_at(const gui_app *app, int x);

/* ---- PNG (gui_png.c) and scripts (gui_script.c) ---- */

/* Writes 8-bit RGB pixels (rows of w*3 bytes) as a PNG: stored deflate blocks, own CRC and
 * Adler-32. 0 or -1 (errno says why). */
int gui_png_write(const char *path, int w, int h, const uint8_t *rgb);

typedef struct gui_script gui_script;
/* Reads a script; 2 with a message naming the file and line on stderr when it is bad. */
int gui_script_open(gui_script **out, const char *path);
void gui_script_close(gui_script *s);
/* Pushes the events due this frame (SDL_PushEvent); false once the script has ended. */
bool gui_script_feed(gui_script *s, gui_app *app);

#endif
