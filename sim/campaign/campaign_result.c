/* A campaign's findings as data: default options, names of modes, failures kept sorted, and
 * merging the counts of workers and shards into one entry per scenario. */
#include "campaign_internal.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *campaign_torn_program_name(unsigned mode) {
    const char *name = nor_torn_program_name((nor_torn_program)mode);
    return name ? name : "?";
}

const char *campaign_torn_erase_name(unsigned mode) {
    const char *name = nor_torn_erase_name((nor_torn_erase)mode);
    return name ? name : "?";
}

const char *campaign_torn_name(bool is_erase, unsigned mode) {
    return is_erase ? campaign_torn_erase_name(mode) : campaign_torn_program_name(mode);
}

const char *campaign_mode_name(campaign_mode mode) {
    switch (mode) {
    case CAMPAIGN_EXHAUSTIVE: return "exhaustive";
    case CAMPAIGN_RANDOM: return "random";
    case CAMPAIGN_LINEAR: return "linear";
    case CAMPAIGN_LOG: return "log";
    case CAMPAIGN_EVERY: return "every";
    default: return "?";
    }
}

bool campaign_mode_find(const char *name, campaign_mode *out) {
    for (campaign_mode m = CAMPAIGN_EXHAUSTIVE; m <= CAMPAIGN_EVERY; m++)
        if (!strcmp(name, campaign_mode_name(m))) {
            *out = m;
            return true;
        }
    return false;
}

void campaign_options_default(campaign_options *o) {
    memset(o, 0, sizeof *o);
    o->mode = CAMPAIGN_EXHAUSTIVE;
    o->torn_program = (1u << CAMPAIGN_TORN_PROGRAM_MODES) - 1;
    o->torn_erase = (1u << CAMPAIGN_TORN_ERASE_MODES) - 1;
    o->depth = 1;
    o->jobs = 1;
    o->shard_index = 1;
    o->shard_count = 1;
}

void campaign_scenario_free(campaign_scenario *s) {
    free(s->failures);
    s->failures = NULL;
    s->failure_count = s->failure_capacity = 0;
    free(s->done);
    s->done = NULL;
    s->done_count = s->done_capacity = 0;
}

/* Orders failures by where they happened, so every split of a campaign lists them alike. */
static int failure_order(const campaign_failure *a, const campaign_failure *b) {
    uint64_t ka[5] = {a->op, a->torn, a->has_recovery_cut, a->recovery_op, a->recovery_torn};
    uint64_t kb[5] = {b->op, b->torn, b->has_recovery_cut, b->recovery_op, b->recovery_torn};
    for (int i = 0; i < 5; i++)
        if (ka[i] != kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

int campaign_add_failure(campaign_scenario *s, const campaign_failure *f) {
    if (!grow_array(&s->failures, &s->failure_capacity, s->failure_count, sizeof *s->failures, 16))
        return CAMPAIGN_E_NOMEM;
    size_t at = s->failure_count;
    while (at > 0 && failure_order(&s->failures[at - 1], f) > 0) at--;
    memmove(&s->failures[at + 1], &s->failures[at], (s->failure_count - at) * sizeof *f);
    s->failures[at] = *f;
    s->failure_count++;
    return CAMPAIGN_OK;
}

campaign_torn_counts *campaign_torn_counts_of(campaign_scenario *s, bool is_erase, unsigned mode) {
    if (is_erase) return mode < CAMPAIGN_TORN_ERASE_MODES ? &s->by_erase[mode] : NULL;
    return mode < CAMPAIGN_TORN_PROGRAM_MODES ? &s->by_program[mode] : NULL;
}

void campaign_count_try(campaign_scenario *s, bool is_erase, unsigned mode,
                        const runner_branch_info *info) {
    campaign_torn_counts *c = campaign_torn_counts_of(s, is_erase, mode);
    if (!c) return;
    c->verified++;
    bool watched = info->landed && info->torn_watched;
    if (watched && info->torn_read_valid) c->read_valid++;
    if (watched && info->torn_read_changed) c->changed++;
}

static void add_counts(campaign_torn_counts *dst, const campaign_torn_counts *src, size_t n) {
    for (size_t m = 0; m < n; m++) {
        dst[m].verified += src[m].verified;
        dst[m].read_valid += src[m].read_valid;
        dst[m].changed += src[m].changed;
    }
}

int campaign_scenario_merge(campaign_scenario *dst, const campaign_scenario *src) {
    if (src->has_error && !dst->has_error) {
        dst->has_error = true;
        memcpy(dst->error, src->error, sizeof dst->error);
    }
    dst->baseline_failed |= src->baseline_failed;
    if (src->flash_ops > dst->flash_ops) dst->flash_ops = src->flash_ops;
    if (src->mode_cut_points > dst->mode_cut_points) dst->mode_cut_points = src->mode_cut_points;
    if (src->max_tries > dst->max_tries) dst->max_tries = src->max_tries;
    dst->cut_points += src->cut_points;
    dst->verified += src->verified;
    dst->recovery_verified += src->recovery_verified;
    add_counts(dst->by_program, src->by_program, CAMPAIGN_TORN_PROGRAM_MODES);
    add_counts(dst->by_erase, src->by_erase, CAMPAIGN_TORN_ERASE_MODES);
    dst->seconds += src->seconds;
    /* Spans of done points mean something for one plan only: an entry read from a file takes
     * them; a resumed campaign makes its own (campaign_spans_of). */
    dst->incomplete |= src->incomplete;
    bool take_spans = !dst->done_count;
    for (size_t i = 0; take_spans && i < src->done_count; i++)
        if (campaign_add_span(dst, src->done[i].first, src->done[i].last)) return CAMPAIGN_E_NOMEM;
    for (size_t i = 0; i < src->failure_count; i++)
        if (campaign_add_failure(dst, &src->failures[i])) return CAMPAIGN_E_NOMEM;
    return CAMPAIGN_OK;
}

void campaign_result_free(campaign_result *r) {
    for (size_t i = 0; i < r->count; i++) campaign_scenario_free(&r->scenarios[i]);
    free(r->scenarios);
    r->scenarios = NULL;
    r->count = 0;
}

uint64_t campaign_result_failures(const campaign_result *r) {
    uint64_t n = 0;
    for (size_t i = 0; i < r->count; i++) n += r->scenarios[i].failure_count;
    return n;
}

uint32_t campaign_result_missing_shards(const campaign_result *r, char *out, size_t size) {
    uint32_t missing = 0, n = r->options.shard_count;
    size_t used = 0;
    if (size) out[0] = '\0';
    for (uint32_t i = 1; n > 1 && i <= n; i++) {
        if (i <= 64 && (r->shards_seen >> (i - 1) & 1u)) continue;
        missing++;
        if (used < size)
            used += (size_t)snprintf(out + used, size - used, "%s%u/%u", used ? ", " : "", i, n);
    }
    return missing;
}

size_t campaign_result_baseline_failures(const campaign_result *r) {
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) n += r->scenarios[i].baseline_failed;
    return n;
}
