/* The pages' charts, drawn as inline SVG (each with width, height and viewBox, so a browser
 * sizes it without a style sheet): the erase-count heatmap of the sectors, the final page map,
 * the wear histogram,
 * a curve over simulated time, lifetimes as bars, and the strip that places a campaign's failures
 * along its operations. Neighbouring cells of one colour are drawn as one rectangle, which keeps a
 * page of fifty scenarios small. */
#include "report_html.h"

#include "nbs.h" /* the page states and their names */

#include <math.h>

/* Nine steps from "never erased" to "the most erased sector". */
static const char *const heat_colors[] = {"#eef1f4", "#fff3c4", "#ffe08a", "#ffc857", "#ffa94d",
                                          "#ff8a3d", "#f0603a", "#d64534", "#a8322d"};
#define HEAT_LEVELS    9u
#define HEAT_COLUMNS   32u
#define HEAT_CELLS     1024u
#define HEAT_CELL      16 /* pixels; 28 for a device of few sectors (up to HEAT_FEW cells) */
#define HEAT_CELL_FEW  28
#define HEAT_FEW       64u
#define HEAT_MIN_WIDTH 240
#define HIST_BARS      24u
#define CHART_WIDTH    380
#define CHART_HEIGHT   170
#define CHART_LEFT     62
#define CHART_BOTTOM   28
#define CHART_TOP      10
#define CHART_RIGHT    12
#define STRIP_WIDTH    300
#define STRIP_HEIGHT   12
#define STRIP_COLUMNS  150u

static unsigned heat_level(uint32_t count, uint32_t max) {
    if (!count || !max) return 0;
    return (unsigned)(((uint64_t)count * (HEAT_LEVELS - 1) + max - 1) / max);
}

/* The highest count of the sectors a cell stands for. */
static uint32_t cell_count(const uint32_t *counts, uint32_t n, uint32_t per_cell, uint32_t cell) {
    uint32_t top = 0;
    for (uint32_t s = cell * per_cell; s < n && s < (cell + 1) * per_cell; s++)
        if (counts[s] > top) top = counts[s];
    return top;
}

/* A grid of HEAT_COLUMNS cells a row, one per item (sector, page) or, beyond HEAT_CELLS items,
 * per group of neighbours; neighbouring cells of one class in a row share one rectangle. The
 * caller's functions give a cell's class (a small number), its colour and CSS class, and the
 * tooltip of a run of cells. */
typedef struct grid_source {
    const void *data;
    uint32_t items, per_cell;
    unsigned (*cell_class)(const struct grid_source *g, uint32_t cell);
    const char *(*colour)(unsigned cls);
    const char *(*css_class)(unsigned cls); /* NULL: none */
    void (*title)(FILE *out, const struct grid_source *g, uint32_t first_cell, uint32_t end_cell);
} grid_source;

typedef struct grid_shape {
    uint32_t cells, columns, rows;
    unsigned cell; /* pixels */
} grid_shape;

static grid_shape grid_shape_of(grid_source *g) {
    grid_shape s;
    g->per_cell = (g->items + HEAT_CELLS - 1) / HEAT_CELLS;
    s.cells = (g->items + g->per_cell - 1) / g->per_cell;
    s.columns = s.cells < HEAT_COLUMNS ? s.cells : HEAT_COLUMNS;
    s.rows = (s.cells + s.columns - 1) / s.columns;
    s.cell = s.cells <= HEAT_FEW ? HEAT_CELL_FEW : HEAT_CELL;
    return s;
}

static void grid_cells(FILE *out, const grid_source *g, const grid_shape *s) {
    for (uint32_t row = 0; row < s->rows; row++) {
        uint32_t first = row * s->columns;
        uint32_t end = first + s->columns < s->cells ? first + s->columns : s->cells;
        for (uint32_t c = first; c < end;) {
            unsigned cls = g->cell_class(g, c);
            uint32_t run = c + 1;
            while (run < end && g->cell_class(g, run) == cls) run++;
            fprintf(out, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\"",
                    1 + (c - first) * s->cell, row * s->cell, (run - c) * s->cell, s->cell,
                    g->colour(cls));
            if (g->css_class) fprintf(out, " class=\"%s\"", g->css_class(cls));
            fputs(" stroke=\"#fff\"><title>", out);
            g->title(out, g, c, run);
            fputs("</title></rect>\n", out);
            c = run;
        }
    }
}

/* The last item a run of cells [first_cell, end_cell) stands for. */
static uint32_t grid_last_item(const grid_source *g, uint32_t end_cell) {
    uint64_t last = (uint64_t)end_cell * g->per_cell - 1;
    return last < g->items - 1 ? (uint32_t)last : g->items - 1;
}

typedef struct heat_data {
    const uint32_t *counts;
    uint32_t max;
} heat_data;

static unsigned heat_cell_class(const grid_source *g, uint32_t cell) {
    const heat_data *h = g->data;
    return heat_level(cell_count(h->counts, g->items, g->per_cell, cell), h->max);
}
static const char *heat_colour(unsigned level) {
    return heat_colors[level];
}
static void heat_title(FILE *out, const grid_source *g, uint32_t first_cell, uint32_t end_cell) {
    const heat_data *h = g->data;
    uint32_t low = UINT32_MAX, high = 0;
    for (uint32_t c = first_cell; c < end_cell; c++) {
        uint32_t v = cell_count(h->counts, g->items, g->per_cell, c);
        if (v < low) low = v;
        if (v > high) high = v;
    }
    fprintf(out, "sectors %u-%u: ", first_cell * g->per_cell, grid_last_item(g, end_cell));
    if (low == high)
        fprintf(out, "%u %s", low, run_plural(low, "erase", "erases"));
    else
        fprintf(out, "%u to %u erases", low, high);
}

void html_svg_heatmap(FILE *out, const uint32_t *counts, uint32_t n) {
    if (!counts || !n) return;
    heat_data h = {counts, 0};
    for (uint32_t s = 0; s < n; s++)
        if (counts[s] > h.max) h.max = counts[s];
    grid_source g = {.data = &h,
                     .items = n,
                     .cell_class = heat_cell_class,
                     .colour = heat_colour,
                     .title = heat_title};
    grid_shape shape = grid_shape_of(&g);
    int width = (int)(shape.columns * shape.cell) + 2, grid = (int)(shape.rows * shape.cell);
    if (width < HEAT_MIN_WIDTH) width = HEAT_MIN_WIDTH; /* room for the legend */
    int height = grid + 34;
    fprintf(out,
            "<svg class=\"heatmap\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"erase count per sector\">\n",
            width, height, width, height);
    grid_cells(out, &g, &shape);
    /* The legend: the nine colours from 0 to the maximum. */
    int y = grid + 8;
    for (unsigned l = 0; l < HEAT_LEVELS; l++)
        fprintf(out, "<rect x=\"%u\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>\n",
                60 + l * 12, y, heat_colors[l]);
    fprintf(out,
            "<text x=\"2\" y=\"%d\">0</text><text x=\"%u\" y=\"%d\">%u %s</text>"
            "<text x=\"2\" y=\"%d\" class=\"muted\">%u sector%s%s</text>\n</svg>\n",
            y + 9, 60 + HEAT_LEVELS * 12 + 6, y + 9, h.max, run_plural(h.max, "erase", "erases"),
            y + 24, n, n == 1 ? "" : "s", g.per_cell > 1 ? ", a cell per group, its highest" : "");
}

/* The page states' colours, in nbs_page_state's order (a light page; the visualizer's hues). */
static const char *const page_colors[NBS_PAGE_STATES] = {
    [NBS_PAGE_ERASED] = "#eef1f4",   [NBS_PAGE_OPEN] = "#3fb950",    [NBS_PAGE_FULL] = "#388bfd",
    [NBS_PAGE_RELEASED] = "#a371f7", [NBS_PAGE_KILLED] = "#db6d28",  [NBS_PAGE_COPY] = "#d29922",
    [NBS_PAGE_UNPLACED] = "#39c5cf", [NBS_PAGE_CORRUPT] = "#f85149",
};
#define PAGE_LEGEND_COLUMNS 4u
#define PAGE_LEGEND_STEP    80

/* A group of pages shows the state latest in nbs_page_state's order among them (the states
 * that need a look come last). */
static unsigned page_cell_class(const grid_source *g, uint32_t cell) {
    const uint8_t *states = g->data;
    unsigned top = 0;
    for (uint32_t p = cell * g->per_cell; p < g->items && p < (cell + 1) * g->per_cell; p++) {
        unsigned s = states[p] < NBS_PAGE_STATES ? states[p] : NBS_PAGE_CORRUPT;
        if (s > top) top = s;
    }
    return top;
}
static const char *page_colour(unsigned state) {
    return page_colors[state];
}
/* "page-released": the state's class, named as the engine names the state. */
static const char *page_css_class(unsigned state) {
    static char names[NBS_PAGE_STATES][32];
    snprintf(names[state], sizeof names[state], "page-%s",
             nbs_page_state_name((nbs_page_state)state));
    return names[state];
}
static void page_title(FILE *out, const grid_source *g, uint32_t first_cell, uint32_t end_cell) {
    uint32_t first = first_cell * g->per_cell, last = grid_last_item(g, end_cell);
    if (first == last)
        fprintf(out, "page %u: ", first);
    else
        fprintf(out, "pages %u-%u: ", first, last);
    fputs(nbs_page_state_name((nbs_page_state)page_cell_class(g, first_cell)), out);
}

void html_svg_page_map(FILE *out, const uint8_t *states, uint32_t n) {
    if (!states || !n) return;
    uint32_t in_state[NBS_PAGE_STATES] = {0};
    for (uint32_t p = 0; p < n; p++)
        in_state[states[p] < NBS_PAGE_STATES ? states[p] : NBS_PAGE_CORRUPT]++;
    grid_source g = {.data = states,
                     .items = n,
                     .cell_class = page_cell_class,
                     .colour = page_colour,
                     .css_class = page_css_class,
                     .title = page_title};
    grid_shape shape = grid_shape_of(&g);
    int legend_w = (int)(PAGE_LEGEND_COLUMNS * PAGE_LEGEND_STEP) + 22;
    int width = (int)(shape.columns * shape.cell) + 2, grid = (int)(shape.rows * shape.cell);
    if (width < legend_w) width = legend_w;
    unsigned legend_rows = (NBS_PAGE_STATES + PAGE_LEGEND_COLUMNS - 1) / PAGE_LEGEND_COLUMNS;
    int height = grid + 8 + (int)legend_rows * 16 + 16;
    fprintf(out,
            "<svg class=\"pagemap\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"state of each page\">\n",
            width, height, width, height);
    grid_cells(out, &g, &shape);
    /* The legend: every state, its colour and how many pages are in it. */
    for (unsigned s = 0; s < NBS_PAGE_STATES; s++) {
        int x = 2 + (int)(s % PAGE_LEGEND_COLUMNS) * PAGE_LEGEND_STEP;
        int y = grid + 8 + (int)(s / PAGE_LEGEND_COLUMNS) * 16;
        fprintf(out,
                "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\" "
                "stroke=\"#d1d9e0\"/><text x=\"%d\" y=\"%d\">%s %u</text>\n",
                x, y, page_colors[s], x + 13, y + 9, nbs_page_state_name((nbs_page_state)s),
                in_state[s]);
    }
    fprintf(out, "<text x=\"2\" y=\"%d\" class=\"muted\">%u page%s%s</text>\n</svg>\n", height - 4,
            n, n == 1 ? "" : "s",
            g.per_cell > 1 ? ", a cell per group, its last state in the legend's order" : "");
}

void html_svg_histogram(FILE *out, const uint32_t *counts, uint32_t n) {
    if (!counts || !n) return;
    uint32_t low = counts[0], high = counts[0];
    for (uint32_t s = 1; s < n; s++) {
        if (counts[s] < low) low = counts[s];
        if (counts[s] > high) high = counts[s];
    }
    uint64_t span = (uint64_t)high - low + 1;
    uint64_t per_bar = (span + HIST_BARS - 1) / HIST_BARS;
    uint32_t bars = (uint32_t)((span + per_bar - 1) / per_bar);
    uint32_t sectors[HIST_BARS] = {0}, tallest = 0;
    for (uint32_t s = 0; s < n; s++) sectors[(counts[s] - low) / per_bar]++;
    for (uint32_t b = 0; b < bars; b++)
        if (sectors[b] > tallest) tallest = sectors[b];
    int plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    int plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    double bar_w = (double)plot_w / bars;
    fprintf(out,
            "<svg class=\"histogram\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"sectors by erase count\">\n",
            CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT);
    for (uint32_t b = 0; b < bars; b++) {
        double h = tallest ? (double)sectors[b] * plot_h / tallest : 0;
        uint64_t from = low + b * per_bar, to = from + per_bar - 1;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4f7fbf\">"
                "<title>",
                CHART_LEFT + b * bar_w + 1, CHART_TOP + plot_h - h, bar_w - 2, h);
        if (from == to)
            fprintf(out, "%llu erases", (unsigned long long)from);
        else
            fprintf(out, "%llu to %llu erases", (unsigned long long)from, (unsigned long long)to);
        fprintf(out, ": %u sector%s</title></rect>\n", sectors[b], sectors[b] == 1 ? "" : "s");
    }
    int base = CHART_TOP + plot_h;
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#59636e\"/>\n"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%u</text>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>"
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-90 %d %d)\">"
            "sectors</text>\n"
            "<text x=\"%d\" y=\"%d\">%u</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu"
            "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">erases per sector</text>\n"
            "</svg>\n",
            CHART_LEFT, base, CHART_WIDTH - CHART_RIGHT, base, CHART_LEFT - 4, CHART_TOP + 10,
            tallest, CHART_LEFT - 4, base, 14, CHART_TOP + plot_h / 2, 14, CHART_TOP + plot_h / 2,
            CHART_LEFT, base + 14, low, CHART_WIDTH - CHART_RIGHT, base + 14,
            (unsigned long long)high, CHART_LEFT + plot_w / 2, base + 26);
}

static void axis_value(FILE *out, uint64_t v, bool is_bytes) {
    if (is_bytes)
        html_bytes(out, v);
    else
        html_count(out, v);
}

void html_svg_line(FILE *out, const char *what, const run_sample *samples, uint32_t count,
                   html_series_value y, bool y_is_bytes) {
    if (count < 2) return;
    uint64_t t_end = samples[count - 1].time_us, y_top = 0;
    for (uint32_t i = 0; i < count; i++)
        if (y(&samples[i]) > y_top) y_top = y(&samples[i]);
    int plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    int plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    int base = CHART_TOP + plot_h;
    fprintf(out,
            "<svg class=\"line\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"",
            CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT);
    report_write_escaped(out, what);
    fprintf(out,
            " over simulated time\">\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
            "fill=\"#f6f8fa\"/>\n<polyline fill=\"none\" stroke=\"#cf5a1f\" stroke-width=\"2\" "
            "points=\"",
            CHART_LEFT, CHART_TOP, plot_w, plot_h);
    for (uint32_t i = 0; i < count; i++) {
        double x = t_end ? (double)samples[i].time_us * plot_w / (double)t_end : 0;
        double h = y_top ? (double)y(&samples[i]) * plot_h / (double)y_top : 0;
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", CHART_LEFT + x, base - h);
    }
    char end_time[32];
    report_format_duration(end_time, sizeof end_time, t_end);
    fprintf(out, "\"/>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CHART_LEFT - 4,
            CHART_TOP + 10);
    axis_value(out, y_top, y_is_bytes);
    fprintf(out,
            "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n"
            "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s"
            "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">simulated time</text>\n"
            "</svg>\n",
            CHART_LEFT - 4, base, CHART_LEFT, base + 14, CHART_WIDTH - CHART_RIGHT, base + 14,
            end_time, CHART_LEFT + plot_w / 2, base + 26);
}

void html_svg_strip(FILE *out, uint64_t ops, bool tried, const uint64_t *fail_ops, size_t count) {
    if (!ops) return;
    uint64_t per_column = (ops + STRIP_COLUMNS - 1) / STRIP_COLUMNS;
    uint64_t columns = (ops + per_column - 1) / per_column;
    double column_w = (double)STRIP_WIDTH / (double)columns;
    fprintf(out,
            "<svg class=\"strip\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"failures along the operations\"><rect width=\"%d\" height=\"%d\" "
            "fill=\"%s\"/>",
            STRIP_WIDTH, STRIP_HEIGHT, STRIP_WIDTH, STRIP_HEIGHT, STRIP_WIDTH, STRIP_HEIGHT,
            tried ? "#dafbe1" : "#eef1f4");
    /* One mark per column that holds any failure. */
    for (size_t i = 0; i < count;) {
        uint64_t column = (fail_ops[i] ? fail_ops[i] - 1 : 0) / per_column;
        size_t j = i;
        while (j < count && (fail_ops[j] ? fail_ops[j] - 1 : 0) / per_column == column) j++;
        fprintf(out,
                "<rect x=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#cf222e\"><title>%zu "
                "failure%s at operations %llu-%llu</title></rect>",
                (double)column * column_w, column_w < 2 ? 2.0 : column_w, STRIP_HEIGHT, j - i,
                j - i == 1 ? "" : "s", (unsigned long long)(column * per_column + 1),
                (unsigned long long)((column + 1) * per_column));
        i = j;
    }
    fputs("</svg>", out);
}

#define BARS_LABEL 150 /* pixels left of the bars for their labels */
#define BARS_WIDTH 560
#define BARS_ROW   26
#define BARS_RIGHT 96 /* room for the value after the longest bar */

void html_svg_years(FILE *out, const html_year_bar *bars, size_t count) {
    if (!count) return;
    double top = 0;
    for (size_t i = 0; i < count; i++)
        if (!isinf(bars[i].years) && bars[i].years > top) top = bars[i].years;
    int plot_w = BARS_WIDTH - BARS_LABEL - BARS_RIGHT;
    int height = (int)count * BARS_ROW + 36;
    fprintf(out,
            "<svg class=\"years\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"lifetime in years\">\n",
            BARS_WIDTH, height, BARS_WIDTH, height);
    for (size_t i = 0; i < count; i++) {
        const html_year_bar *b = &bars[i];
        /* "never" (no erase at all) reaches across; the rest in proportion to the longest. */
        double w = isinf(b->years) ? plot_w : top > 0 ? b->years * plot_w / top : 0;
        if (w < 1) w = 1;
        int y = (int)i * BARS_ROW + 4;
        char years[32];
        lifetime_format_years(years, sizeof years, b->years);
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", BARS_LABEL - 6, y + 13);
        report_write_escaped(out, b->label);
        fprintf(out,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\" "
                "class=\"%s\"><title>",
                BARS_LABEL, y, w, b->colour, b->kind);
        report_write_escaped(out, b->label);
        fprintf(out, ": %s</title></rect><text x=\"%.1f\" y=\"%d\">%s</text>\n", years,
                BARS_LABEL + w + 5, y + 13, years);
    }
    int base = (int)count * BARS_ROW + 4;
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#59636e\"/>"
            "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
            "years until the busiest sector reaches the rated erase cycles</text>\n</svg>\n",
            BARS_LABEL, base, BARS_LABEL + plot_w, base, BARS_LABEL, base + 14,
            BARS_LABEL + plot_w / 2, base + 28);
}
