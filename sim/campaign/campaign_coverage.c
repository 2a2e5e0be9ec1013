/* What part of its campaign a result covers: the budget (`--max-tries`, `--time-budget`) and
 * the fraction of the mode's cut points it tried, and, for a campaign that was stopped, the
 * cut points done so far (spans of operations), from which `--resume` goes on. Their JSON
 * fields (docs/powercut.md), and the check that a resumed campaign is the same campaign. */
#include "campaign_internal.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int campaign_add_span(campaign_scenario *s, uint64_t first, uint64_t last) {
    if (s->done_count && s->done[s->done_count - 1].last >= first) {
        /* Spans arrive in operation order; one that touches the previous joins it. */
        if (last > s->done[s->done_count - 1].last) s->done[s->done_count - 1].last = last;
        return CAMPAIGN_OK;
    }
    if (!grow_array(&s->done, &s->done_capacity, s->done_count, sizeof *s->done, 16))
        return CAMPAIGN_E_NOMEM;
    s->done[s->done_count++] = (campaign_span){.first = first, .last = last};
    return CAMPAIGN_OK;
}

bool campaign_span_holds(const campaign_scenario *s, uint64_t op) {
    size_t lo = 0, hi = s->done_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->done[mid].last < op)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->done_count && s->done[lo].first <= op;
}

int campaign_spans_of(const campaign_plan *plan, const uint8_t *done, campaign_scenario *out) {
    for (size_t i = 0; i < plan->count;) {
        if (!done[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < plan->count && done[j + 1]) j++;
        if (campaign_add_span(out, plan->points[i].op, plan->points[j].op)) return CAMPAIGN_E_NOMEM;
        i = j + 1;
    }
    return CAMPAIGN_OK;
}

bool campaign_result_incomplete(const campaign_result *r) {
    for (size_t i = 0; i < r->count; i++)
        if (r->scenarios[i].incomplete) return true;
    return false;
}

double campaign_coverage(const campaign_scenario *s) {
    return s->mode_cut_points ? (double)s->cut_points / (double)s->mode_cut_points : 1.0;
}

/* ---- JSON ---- */

static void add_u64_or_null(cJSON *to, const char *key, uint64_t value) {
    if (value)
        cJSON_AddNumberToObject(to, key, (double)value);
    else
        cJSON_AddNullToObject(to, key);
}

static uint64_t u64_or_zero(const cJSON *from, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);
    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble : 0;
}

void campaign_budget_options_json(cJSON *to, const campaign_options *o) {
    add_u64_or_null(to, "every", o->mode == CAMPAIGN_EVERY ? o->every : 0);
    add_u64_or_null(to, "max_tries", o->max_tries);
    if (o->time_budget > 0)
        cJSON_AddNumberToObject(to, "time_budget", o->time_budget);
    else
        cJSON_AddNullToObject(to, "time_budget");
}

void campaign_budget_options_from_json(const cJSON *from, campaign_options *o) {
    o->every = u64_or_zero(from, "every");
    o->max_tries = u64_or_zero(from, "max_tries");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, "time_budget");
    o->time_budget = cJSON_IsNumber(v) && v->valuedouble > 0 ? v->valuedouble : 0;
}

void campaign_coverage_json(cJSON *to, const campaign_scenario *s) {
    cJSON_AddNumberToObject(to, "mode_cut_points", (double)s->mode_cut_points);
    add_u64_or_null(to, "max_tries", s->max_tries);
    cJSON_AddNumberToObject(to, "coverage", campaign_coverage(s));
    cJSON_AddBoolToObject(to, "complete", !s->incomplete);
    if (!s->incomplete) return;
    cJSON *done = cJSON_AddArrayToObject(to, "done");
    for (size_t i = 0; i < s->done_count; i++) {
        cJSON *span = cJSON_CreateArray();
        cJSON_AddItemToArray(span, cJSON_CreateNumber((double)s->done[i].first));
        cJSON_AddItemToArray(span, cJSON_CreateNumber((double)s->done[i].last));
        cJSON_AddItemToArray(done, span);
    }
}

int campaign_coverage_from_json(const cJSON *from, campaign_scenario *s, char *why,
                                size_t why_size) {
    s->mode_cut_points = u64_or_zero(from, "mode_cut_points");
    s->max_tries = u64_or_zero(from, "max_tries");
    s->incomplete = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(from, "complete"));
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(from, "done"), *span;
    cJSON_ArrayForEach(span, done) {
        const cJSON *first = cJSON_GetArrayItem(span, 0), *last = cJSON_GetArrayItem(span, 1);
        if (cJSON_GetArraySize(span) != 2 || !cJSON_IsNumber(first) || !cJSON_IsNumber(last) ||
            first->valuedouble < 0 || last->valuedouble < first->valuedouble ||
            (s->done_count && (uint64_t)first->valuedouble <= s->done[s->done_count - 1].last)) {
            snprintf(why, why_size, "'done' holds a span that is not [first, last] in order");
            return CAMPAIGN_E_INVALID;
        }
        if (campaign_add_span(s, (uint64_t)first->valuedouble, (uint64_t)last->valuedouble))
            return CAMPAIGN_E_NOMEM;
    }
    return CAMPAIGN_OK;
}

void campaign_totals_coverage_json(cJSON *totals, const campaign_result *r) {
    uint64_t tried = 0, planned = 0;
    for (size_t i = 0; i < r->count; i++) {
        tried += r->scenarios[i].cut_points;
        planned += r->scenarios[i].mode_cut_points;
    }
    cJSON_AddNumberToObject(totals, "coverage", planned ? (double)tried / (double)planned : 1.0);
    cJSON_AddBoolToObject(totals, "complete", !campaign_result_incomplete(r));
}

const char *campaign_options_differ(const campaign_options *a, const campaign_options *b) {
    if (a->mode != b->mode || a->random_count != b->random_count || a->every != b->every)
        return "--mode";
    if (a->torn_program != b->torn_program || a->torn_erase != b->torn_erase) return "--torn";
    if (a->depth != b->depth) return "--depth";
    if (a->limit_steps != b->limit_steps || a->steps != b->steps) return "--steps";
    if (a->override_seed != b->override_seed || a->seed != b->seed) return "--seed";
    if (a->shard_index != b->shard_index || a->shard_count != b->shard_count) return "--shard";
    if (a->max_tries != b->max_tries) return "--max-tries";
    if (a->time_budget != b->time_budget) return "--time-budget";
    return NULL;
}
