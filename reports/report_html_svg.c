/* The pages' charts, drawn as inline SVG (each with width, height and viewBox, so a browser
 * sizes it without a style sheet): the erase-count heatmap of the sectors, the wear histogram,
 * a curve over simulated time, and the strip that places a campaign's failures along its
 * operations. Neighbouring cells of one colour are drawn as one rectangle, which keeps a page
 * of fifty scenarios small. */
#include "report_html.h"

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

void html_svg_heatmap(FILE *out, const uint32_t *counts, uint32_t n) {
    if (!counts || !n) return;
    uint32_t per_cell = (n + HEAT_CELLS - 1) / HEAT_CELLS;
    uint32_t cells = (n + per_cell - 1) / per_cell;
    uint32_t columns = cells < HEAT_COLUMNS ? cells : HEAT_COLUMNS;
    uint32_t rows = (cells + columns - 1) / columns;
    uint32_t max = 0;
    for (uint32_t s = 0; s < n; s++)
        if (counts[s] > max) max = counts[s];
    const unsigned cell = cells <= HEAT_FEW ? HEAT_CELL_FEW : HEAT_CELL;
    int width = (int)(columns * cell) + 2, grid = (int)(rows * cell);
    if (width < HEAT_MIN_WIDTH) width = HEAT_MIN_WIDTH; /* room for the legend */
    int height = grid + 34;
    fprintf(out,
            "<svg class=\"heatmap\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"erase count per sector\">\n",
            width, height, width, height);
    for (uint32_t row = 0; row < rows; row++) {
        uint32_t first = row * columns, end = first + columns < cells ? first + columns : cells;
        for (uint32_t c = first; c < end;) {
            uint32_t low = cell_count(counts, n, per_cell, c), high = low;
            unsigned level = heat_level(low, max);
            uint32_t run = c + 1;
            for (; run < end; run++) {
                uint32_t v = cell_count(counts, n, per_cell, run);
                if (heat_level(v, max) != level) break;
                if (v < low) low = v;
                if (v > high) high = v;
            }
            uint32_t last_sector = run * per_cell - 1 < n - 1 ? run * per_cell - 1 : n - 1;
            fprintf(out,
                    "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\" "
                    "stroke=\"#fff\"><title>sectors %u-%u: ",
                    1 + (c - first) * cell, row * cell, (run - c) * cell, cell, heat_colors[level],
                    c * per_cell, last_sector);
            if (low == high)
                fprintf(out, "%u %s</title></rect>\n", low, run_plural(low, "erase", "erases"));
            else
                fprintf(out, "%u to %u erases</title></rect>\n", low, high);
            c = run;
        }
    }
    /* The legend: the nine colours from 0 to the maximum. */
    int y = grid + 8;
    for (unsigned l = 0; l < HEAT_LEVELS; l++)
        fprintf(out, "<rect x=\"%u\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>\n",
                60 + l * 12, y, heat_colors[l]);
    fprintf(out,
            "<text x=\"2\" y=\"%d\">0</text><text x=\"%u\" y=\"%d\">%u %s</text>"
            "<text x=\"2\" y=\"%d\" class=\"muted\">%u sector%s%s</text>\n</svg>\n",
            y + 9, 60 + HEAT_LEVELS * 12 + 6, y + 9, max, run_plural(max, "erase", "erases"),
            y + 24, n, n == 1 ? "" : "s", per_cell > 1 ? ", a cell per group, its highest" : "");
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
