/* Which cut points a campaign tries, once the plain run has listed them all: the sweeps of
 * `--mode log` (exponentially spaced positions) and `--mode every:K`, and the even, seeded
 * sample that keeps a campaign within `--max-tries` / `--time-budget` (docs/powercut.md). */
#include "campaign_internal.h"
#include "nor_prng.h"

#include <string.h>

/* Kept apart from the scenario's own random streams and from random:N's draw. */
#define BUDGET_SEED_PURPOSE 0x62756467u
/* --mode log stops at position round(2^(LOG_MAX_K/2)), past any campaign's length. */
#define LOG_MAX_K 62u

/* floor(sqrt(x)). */
static uint64_t isqrt(uint64_t x) {
    uint64_t lo = 0, hi = UINT64_C(1) << 32;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (mid * mid <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

uint64_t campaign_log_position(unsigned k) {
    uint64_t x = UINT64_C(1) << k, root = isqrt(x);
    /* round(sqrt(x)): x is an integer and sqrt(x) never ends in .5, so round up exactly when
     * (root + 1/2)^2 < x, that is root^2 + root < x. */
    return root * root + root < x ? root + 1 : root;
}

/* Keeps the points at the 0-based positions where keep() says so, in order. */
static size_t keep_positions(campaign_point *points, size_t count, bool (*keep)(size_t, uint64_t),
                             uint64_t param) {
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (keep(i, param)) points[kept++] = points[i];
    return kept;
}

static bool every_kth(size_t i, uint64_t k) {
    return i % k == 0;
}

size_t campaign_select_log(campaign_point *points, size_t count) {
    size_t kept = 0;
    uint64_t last = 0;
    for (unsigned k = 0; k <= LOG_MAX_K; k++) {
        uint64_t position = campaign_log_position(k); /* 1-based */
        if (position > count) break;
        if (position == last) continue;
        points[kept++] = points[position - 1];
        last = position;
    }
    return kept;
}

size_t campaign_select_every(campaign_point *points, size_t count, uint64_t k) {
    return keep_positions(points, count, every_kth, k ? k : 1);
}

uint64_t campaign_points_tries(const campaign_options *o, const campaign_point *points,
                               size_t count) {
    uint64_t tries = 0;
    for (size_t i = 0; i < count; i++)
        tries += campaign_mode_count(campaign_modes_for(o, points[i].is_erase));
    return tries;
}

/* One point from each of `m` equal strata of points[0..count), at a seeded offset in it. */
static void stratified(const campaign_point *points, size_t count, size_t m, uint64_t seed,
                       campaign_point *out) {
    nor_prng prng;
    nor_prng_seed(&prng, seed ^ BUDGET_SEED_PURPOSE);
    for (size_t i = 0; i < m; i++) {
        size_t first = (size_t)((uint64_t)i * count / m),
               end = (size_t)((uint64_t)(i + 1) * count / m);
        out[i] = points[first + (size_t)nor_prng_below(&prng, end - first)];
    }
}

/* The draw of a budget: how many points it keeps (all `count`, scratch untouched, when they
 * fit; else the drawn ones, at most scratch_size, in scratch). */
static size_t budget_draw(const campaign_options *o, const campaign_point *points, size_t count,
                          uint64_t max_tries, uint64_t seed, campaign_point *scratch,
                          size_t scratch_size) {
    uint64_t tries = campaign_points_tries(o, points, count);
    if (tries <= max_tries) return count;
    /* As many strata as fit on average, fewer while the draw's own tries exceed the budget
     * (program and erase points may have different numbers of torn modes). */
    size_t m = (size_t)((double)max_tries / (double)tries * (double)count);
    if (m > scratch_size) m = scratch_size;
    for (; m > 0; m--) {
        stratified(points, count, m, seed, scratch);
        if (campaign_points_tries(o, scratch, m) <= max_tries) break;
    }
    return m;
}

size_t campaign_select_budget(const campaign_options *o, campaign_point *points, size_t count,
                              uint64_t max_tries, uint64_t seed, campaign_point *scratch) {
    size_t m = budget_draw(o, points, count, max_tries, seed, scratch, count);
    if (m < count) memcpy(points, scratch, m * sizeof *points);
    return m;
}

uint64_t campaign_smallest_budget(const campaign_options *o, const campaign_point *points,
                                  size_t count, uint64_t seed) {
    /* A budget of the most tries a point takes keeps one at least; a smaller one keeps at most
     * as many points as it has tries (each point takes one or more). */
    enum { MOST_MODES = NOR_TORN_PROG_MODES + NOR_TORN_ERASE_MODES };
    campaign_point scratch[MOST_MODES];
    uint64_t most = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t tries = campaign_points_tries(o, &points[i], 1);
        if (tries > most) most = tries;
    }
    for (uint64_t budget = 1; budget < most; budget++)
        if (budget_draw(o, points, count, budget, seed, scratch, MOST_MODES)) return budget;
    return most;
}
