/* The JSON form of a campaign's result (docs/powercut.md): written by `norbench powercut`,
 * passed from workers to their parent, and read back by `norbench merge`, which adds up the
 * shards of one campaign. */
#include "campaign_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NORBENCH_VERSION
#define NORBENCH_VERSION "0.1.0"
#endif

/* ---- writing ---- */

static void add_torn_list(cJSON *to, const char *key, unsigned mask, unsigned modes,
                          const char *(*name)(unsigned)) {
    cJSON *list = cJSON_AddArrayToObject(to, key);
    for (unsigned m = 0; m < modes; m++)
        if (mask >> m & 1u) cJSON_AddItemToArray(list, cJSON_CreateString(name(m)));
}

static void add_u64_or_null(cJSON *to, const char *key, bool present, uint64_t value) {
    if (present)
        cJSON_AddNumberToObject(to, key, (double)value);
    else
        cJSON_AddNullToObject(to, key);
}

/* A seed as results.json writes it (run_seed_format: exact above 2^53), or null. */
static void add_seed(cJSON *to, const char *key, bool present, uint64_t seed) {
    char text[RUN_SEED_TEXT_MAX];
    run_seed_format(text, seed);
    if (present)
        cJSON_AddStringToObject(to, key, text);
    else
        cJSON_AddNullToObject(to, key);
}

static cJSON *failure_json(const campaign_failure *f) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "op", (double)f->op);
    cJSON_AddStringToObject(o, "kind", f->is_erase ? "erase" : "program");
    cJSON_AddStringToObject(o, "torn", campaign_torn_name(f->is_erase, f->torn));
    add_u64_or_null(o, "recovery_op", f->has_recovery_cut, f->recovery_op);
    if (f->has_recovery_cut) {
        cJSON_AddStringToObject(o, "recovery_kind", f->recovery_is_erase ? "erase" : "program");
        cJSON_AddStringToObject(o, "recovery_torn",
                                campaign_torn_name(f->recovery_is_erase, f->recovery_torn));
    } else {
        cJSON_AddNullToObject(o, "recovery_kind");
        cJSON_AddNullToObject(o, "recovery_torn");
    }
    cJSON_AddStringToObject(o, "message", f->message);
    if (f->reproducer[0])
        cJSON_AddStringToObject(o, "reproducer", f->reproducer);
    else
        cJSON_AddNullToObject(o, "reproducer");
    return o;
}

static void add_torn_counts(cJSON *to, const char *key, const campaign_torn_counts *c) {
    cJSON *o = cJSON_AddObjectToObject(to, key);
    cJSON_AddNumberToObject(o, "verified", (double)c->verified);
    cJSON_AddNumberToObject(o, "read_valid", (double)c->read_valid);
    cJSON_AddNumberToObject(o, "changed", (double)c->changed);
}

cJSON *campaign_scenario_json(const campaign_scenario *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "file", s->file);
    cJSON_AddStringToObject(o, "name", s->name);
    add_seed(o, "seed", true, s->seed);
    cJSON_AddNumberToObject(o, "flash_ops", (double)s->flash_ops);
    cJSON_AddNumberToObject(o, "cut_points", (double)s->cut_points);
    cJSON_AddNumberToObject(o, "verified", (double)s->verified);
    cJSON *by = cJSON_AddObjectToObject(o, "by_torn");
    char key[32];
    for (unsigned m = 0; m < CAMPAIGN_TORN_PROGRAM_MODES; m++) {
        snprintf(key, sizeof key, "program/%s", campaign_torn_program_name(m));
        add_torn_counts(by, key, &s->by_program[m]);
    }
    for (unsigned m = 0; m < CAMPAIGN_TORN_ERASE_MODES; m++) {
        snprintf(key, sizeof key, "erase/%s", campaign_torn_erase_name(m));
        add_torn_counts(by, key, &s->by_erase[m]);
    }
    cJSON_AddNumberToObject(o, "recovery_verified", (double)s->recovery_verified);
    cJSON *failures = cJSON_AddArrayToObject(o, "failures");
    for (size_t i = 0; i < s->failure_count; i++)
        cJSON_AddItemToArray(failures, failure_json(&s->failures[i]));
    cJSON_AddNumberToObject(o, "seconds", s->seconds);
    /* A scenario that fails on its own has no cut point to try: its zero failures are no pass. */
    cJSON_AddStringToObject(o, "baseline", s->baseline_failed ? "failed" : "passed");
    campaign_coverage_json(o, s);
    if (s->has_error)
        cJSON_AddStringToObject(o, "error", s->error);
    else
        cJSON_AddNullToObject(o, "error");
    return o;
}

cJSON *campaign_options_json(const campaign_options *o) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "mode", campaign_mode_name(o->mode));
    cJSON_AddNumberToObject(j, "random_count", (double)o->random_count);
    add_torn_list(j, "torn_program", o->torn_program, CAMPAIGN_TORN_PROGRAM_MODES,
                  campaign_torn_program_name);
    add_torn_list(j, "torn_erase", o->torn_erase, CAMPAIGN_TORN_ERASE_MODES,
                  campaign_torn_erase_name);
    cJSON_AddNumberToObject(j, "depth", o->depth);
    add_u64_or_null(j, "steps", o->limit_steps, o->steps);
    add_seed(j, "seed", o->override_seed, o->seed);
    cJSON *shard = cJSON_AddObjectToObject(j, "shard");
    cJSON_AddNumberToObject(shard, "index", o->shard_index);
    cJSON_AddNumberToObject(shard, "count", o->shard_count);
    campaign_budget_options_json(j, o);
    return j;
}

char *campaign_result_to_json(const campaign_result *r) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "norbench", NORBENCH_VERSION);
    cJSON_AddStringToObject(root, "kind", "powercut");
    cJSON_AddItemToObject(root, "options", campaign_options_json(&r->options));
    cJSON *list = cJSON_AddArrayToObject(root, "scenarios");
    uint64_t cut_points = 0, verified = 0, failures = 0, read_valid = 0, changed = 0;
    double seconds = 0;
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *s = &r->scenarios[i];
        cJSON_AddItemToArray(list, campaign_scenario_json(s));
        cut_points += s->cut_points;
        verified += s->verified + s->recovery_verified;
        failures += s->failure_count;
        seconds += s->seconds;
        for (unsigned m = 0; m < CAMPAIGN_TORN_PROGRAM_MODES; m++) {
            read_valid += s->by_program[m].read_valid;
            changed += s->by_program[m].changed;
        }
        for (unsigned m = 0; m < CAMPAIGN_TORN_ERASE_MODES; m++) {
            read_valid += s->by_erase[m].read_valid;
            changed += s->by_erase[m].changed;
        }
    }
    cJSON *totals = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(totals, "cut_points", (double)cut_points);
    cJSON_AddNumberToObject(totals, "verified", (double)verified);
    cJSON_AddNumberToObject(totals, "failures", (double)failures);
    cJSON_AddNumberToObject(totals, "baseline_failed",
                            (double)campaign_result_baseline_failures(r));
    cJSON_AddNumberToObject(totals, "read_valid", (double)read_valid);
    cJSON_AddNumberToObject(totals, "changed", (double)changed);
    cJSON_AddNumberToObject(totals, "seconds", seconds);
    double rate = seconds > 0 ? (double)verified / seconds : 0;
    cJSON_AddNumberToObject(totals, "per_second", rate);
    cJSON_AddNumberToObject(totals, "per_second_per_core",
                            rate / (r->jobs_used ? r->jobs_used : 1));
    campaign_totals_coverage_json(totals, r);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* ---- reading ---- */

typedef struct reader {
    char *why;
    size_t why_size;
    bool failed;
} reader;

static const cJSON *member(reader *rd, const cJSON *obj, const char *key, bool (*is)(const cJSON *),
                           const char *what) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!rd->failed && (!v || !is(v))) {
        snprintf(rd->why, rd->why_size, "'%s' is missing or not %s", key, what);
        rd->failed = true;
    }
    return rd->failed ? NULL : v;
}

static bool is_number(const cJSON *v) {
    return cJSON_IsNumber(v) && v->valuedouble >= 0;
}
static bool is_string(const cJSON *v) {
    return cJSON_IsString(v);
}
static bool is_array(const cJSON *v) {
    return cJSON_IsArray(v);
}
static bool is_object(const cJSON *v) {
    return cJSON_IsObject(v);
}

static uint64_t number(reader *rd, const cJSON *obj, const char *key) {
    const cJSON *v = member(rd, obj, key, is_number, "a number >= 0");
    return v ? (uint64_t)v->valuedouble : 0;
}

/* A seed: a decimal string (exact), or a number as files before seeds were strings had it. */
static bool read_seed(reader *rd, const cJSON *v, const char *key, uint64_t *out) {
    if (is_number(v)) {
        *out = (uint64_t)v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v) && run_seed_parse(v->valuestring, out)) return true;
    if (!rd->failed) {
        snprintf(rd->why, rd->why_size, "'%s' is not a seed (a decimal string up to 2^64-1)", key);
        rd->failed = true;
    }
    return false;
}

static void string(reader *rd, const cJSON *obj, const char *key, char *out, size_t size) {
    const cJSON *v = member(rd, obj, key, is_string, "a string");
    snprintf(out, size, "%s", v ? v->valuestring : "");
}

/* One by_torn entry: {"verified", "read_valid", "changed"}, or a bare number (verified) as
 * results written before the tear watch had them. */
static void torn_counts(reader *rd, const cJSON *by, const char *key, campaign_torn_counts *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(by, key);
    if (is_number(v)) {
        *out = (campaign_torn_counts){.verified = (uint64_t)v->valuedouble};
        return;
    }
    bool failed_before = rd->failed;
    if (member(rd, by, key, is_object, "an object or a number")) {
        out->verified = number(rd, v, "verified");
        out->read_valid = number(rd, v, "read_valid");
        out->changed = number(rd, v, "changed");
    }
    if (rd->failed && !failed_before) {
        char detail[200];
        snprintf(detail, sizeof detail, "by_torn.%s: %s", key, rd->why);
        snprintf(rd->why, rd->why_size, "%s", detail);
    }
}

/* A torn-mode name of a kind; false when unknown. */
static bool torn_value(const char *name, bool is_erase, unsigned *out) {
    unsigned modes = is_erase ? CAMPAIGN_TORN_ERASE_MODES : CAMPAIGN_TORN_PROGRAM_MODES;
    for (unsigned m = 0; m < modes; m++)
        if (!strcmp(name, campaign_torn_name(is_erase, m))) {
            *out = m;
            return true;
        }
    return false;
}

static void read_cut(reader *rd, const cJSON *f, const char *kind_key, const char *torn_key,
                     bool *is_erase, unsigned *torn) {
    char kind[16], name[16];
    string(rd, f, kind_key, kind, sizeof kind);
    string(rd, f, torn_key, name, sizeof name);
    *is_erase = !strcmp(kind, "erase");
    if (!rd->failed &&
        ((!*is_erase && strcmp(kind, "program")) || !torn_value(name, *is_erase, torn))) {
        snprintf(rd->why, rd->why_size, "unknown cut '%s/%s' in a failure", kind, name);
        rd->failed = true;
    }
}

static void read_failure(reader *rd, const cJSON *j, campaign_failure *f) {
    memset(f, 0, sizeof *f);
    f->op = number(rd, j, "op");
    read_cut(rd, j, "kind", "torn", &f->is_erase, &f->torn);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "recovery_op");
    f->has_recovery_cut = is_number(r);
    if (f->has_recovery_cut) {
        f->recovery_op = (uint64_t)r->valuedouble;
        read_cut(rd, j, "recovery_kind", "recovery_torn", &f->recovery_is_erase, &f->recovery_torn);
    }
    string(rd, j, "message", f->message, sizeof f->message);
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(j, "reproducer");
    if (cJSON_IsString(file))
        snprintf(f->reproducer, sizeof f->reproducer, "%s", file->valuestring);
}

int campaign_scenario_from_json(const cJSON *entry, campaign_scenario *out, char *why,
                                size_t why_size) {
    memset(out, 0, sizeof *out);
    reader rd = {.why = why, .why_size = why_size};
    string(&rd, entry, "file", out->file, sizeof out->file);
    string(&rd, entry, "name", out->name, sizeof out->name);
    read_seed(&rd, cJSON_GetObjectItemCaseSensitive(entry, "seed"), "seed", &out->seed);
    out->flash_ops = number(&rd, entry, "flash_ops");
    out->cut_points = number(&rd, entry, "cut_points");
    out->verified = number(&rd, entry, "verified");
    out->recovery_verified = number(&rd, entry, "recovery_verified");
    const cJSON *by = member(&rd, entry, "by_torn", is_object, "an object");
    char key[32];
    for (unsigned m = 0; by && m < CAMPAIGN_TORN_PROGRAM_MODES; m++) {
        snprintf(key, sizeof key, "program/%s", campaign_torn_program_name(m));
        torn_counts(&rd, by, key, &out->by_program[m]);
    }
    for (unsigned m = 0; by && m < CAMPAIGN_TORN_ERASE_MODES; m++) {
        snprintf(key, sizeof key, "erase/%s", campaign_torn_erase_name(m));
        torn_counts(&rd, by, key, &out->by_erase[m]);
    }
    const cJSON *seconds = member(&rd, entry, "seconds", is_number, "a number >= 0");
    if (seconds) out->seconds = seconds->valuedouble;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(entry, "error");
    if (cJSON_IsString(error)) {
        out->has_error = true;
        snprintf(out->error, sizeof out->error, "%s", error->valuestring);
    }
    /* Absent in files written before it: such a scenario's error said it in words only. */
    const cJSON *baseline = cJSON_GetObjectItemCaseSensitive(entry, "baseline");
    out->baseline_failed = cJSON_IsString(baseline) && !strcmp(baseline->valuestring, "failed");
    if (!rd.failed && baseline &&
        !(cJSON_IsString(baseline) &&
          (out->baseline_failed || !strcmp(baseline->valuestring, "passed")))) {
        snprintf(why, why_size, "'baseline' is not \"passed\" or \"failed\"");
        rd.failed = true;
    }
    int rc = rd.failed ? CAMPAIGN_OK : campaign_coverage_from_json(entry, out, why, why_size);
    if (rc) {
        campaign_scenario_free(out);
        return rc;
    }
    const cJSON *failures = member(&rd, entry, "failures", is_array, "an array");
    const cJSON *f;
    cJSON_ArrayForEach(f, failures) {
        campaign_failure failure;
        read_failure(&rd, f, &failure);
        if (rd.failed) break;
        if (campaign_add_failure(out, &failure)) {
            campaign_scenario_free(out);
            return CAMPAIGN_E_NOMEM;
        }
    }
    if (!rd.failed) return CAMPAIGN_OK;
    campaign_scenario_free(out);
    return CAMPAIGN_E_INVALID;
}

static bool torn_mask(reader *rd, const cJSON *options, const char *key, bool is_erase,
                      unsigned *mask) {
    const cJSON *list = member(rd, options, key, is_array, "an array");
    const cJSON *name;
    *mask = 0;
    cJSON_ArrayForEach(name, list) {
        unsigned m;
        if (!cJSON_IsString(name) || !torn_value(name->valuestring, is_erase, &m)) {
            snprintf(rd->why, rd->why_size, "options.%s holds an unknown torn mode", key);
            rd->failed = true;
            return false;
        }
        *mask |= 1u << m;
    }
    return !rd->failed;
}

static void read_options(reader *rd, const cJSON *j, campaign_options *o) {
    campaign_options_default(o);
    char mode[16];
    string(rd, j, "mode", mode, sizeof mode);
    if (!campaign_mode_find(mode, &o->mode)) o->mode = CAMPAIGN_EXHAUSTIVE;
    o->random_count = number(rd, j, "random_count");
    torn_mask(rd, j, "torn_program", false, &o->torn_program);
    torn_mask(rd, j, "torn_erase", true, &o->torn_erase);
    o->depth = (unsigned)number(rd, j, "depth");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(j, "steps");
    o->limit_steps = is_number(steps);
    o->steps = o->limit_steps ? (uint64_t)steps->valuedouble : 0;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(j, "seed");
    o->override_seed = seed && !cJSON_IsNull(seed) && read_seed(rd, seed, "options.seed", &o->seed);
    const cJSON *shard = member(rd, j, "shard", is_object, "an object");
    if (shard) {
        o->shard_index = (uint32_t)number(rd, shard, "index");
        o->shard_count = (uint32_t)number(rd, shard, "count");
    }
    campaign_budget_options_from_json(j, o);
}

/* Same campaign apart from the shard. */
static bool same_campaign(const campaign_options *a, const campaign_options *b) {
    return a->mode == b->mode && a->random_count == b->random_count &&
           a->torn_program == b->torn_program && a->torn_erase == b->torn_erase &&
           a->depth == b->depth && a->limit_steps == b->limit_steps && a->steps == b->steps &&
           a->override_seed == b->override_seed && a->seed == b->seed &&
           a->shard_count == b->shard_count && a->every == b->every &&
           a->max_tries == b->max_tries && a->time_budget == b->time_budget;
}

/* The budget another shard gave the same scenario, when it differs from s's (0: none differs).
 * --time-budget sizes it on each machine: shares sampled under different budgets do not add up
 * to one campaign's sample. */
static const campaign_scenario *other_budget(const campaign_result *r, const campaign_scenario *s) {
    for (size_t i = 0; i < r->count; i++) {
        const campaign_scenario *m = &r->scenarios[i];
        if (!strcmp(m->file, s->file) && !strcmp(m->name, s->name) && !m->has_error &&
            !s->has_error && m->max_tries != s->max_tries)
            return m;
    }
    return NULL;
}

static int merge_scenario(campaign_result *r, const campaign_scenario *s, uint64_t shard_bit) {
    for (size_t i = 0; i < r->count; i++)
        if (!strcmp(r->scenarios[i].file, s->file) && !strcmp(r->scenarios[i].name, s->name)) {
            r->scenarios[i].shards_seen |= shard_bit;
            return campaign_scenario_merge(&r->scenarios[i], s);
        }
    campaign_scenario *grown = realloc(r->scenarios, (r->count + 1) * sizeof *grown);
    if (!grown) return CAMPAIGN_E_NOMEM;
    r->scenarios = grown;
    campaign_scenario *added = &r->scenarios[r->count++];
    memset(added, 0, sizeof *added);
    memcpy(added->file, s->file, sizeof added->file);
    memcpy(added->name, s->name, sizeof added->name);
    added->seed = s->seed;
    added->shards_seen = shard_bit;
    return campaign_scenario_merge(added, s);
}

int campaign_result_merge_json(campaign_result *r, const char *file, const char *text, char *why,
                               size_t why_size) {
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        snprintf(why, why_size, "%s: not JSON (near byte %td)", file,
                 cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - text : 0);
        return CAMPAIGN_E_INVALID;
    }
    char detail[400] = "";
    reader rd = {.why = detail, .why_size = sizeof detail};
    const cJSON *kind = member(&rd, root, "kind", is_string, "a string");
    if (kind && strcmp(kind->valuestring, "powercut")) {
        snprintf(detail, sizeof detail, "'kind' is '%s', not 'powercut'", kind->valuestring);
        rd.failed = true;
    }
    const cJSON *options = member(&rd, root, "options", is_object, "an object");
    campaign_options o;
    if (options) read_options(&rd, options, &o);
    const cJSON *list = member(&rd, root, "scenarios", is_array, "an array");
    if (!rd.failed && r->jobs_used && !same_campaign(&r->options, &o)) {
        snprintf(detail, sizeof detail,
                 "its options differ from the first file's (not a shard of the same campaign)");
        rd.failed = true;
    }
    uint64_t shard_bit =
        o.shard_index >= 1 && o.shard_count <= CAMPAIGN_SHARDS_MAX && o.shard_index <= o.shard_count
            ? UINT64_C(1) << (o.shard_index - 1)
            : 0;
    if (!rd.failed && (!shard_bit || (r->shards_seen & shard_bit))) {
        snprintf(detail, sizeof detail, "shard %u of %u is %s", o.shard_index, o.shard_count,
                 shard_bit ? "given twice" : "not one merges can add (1..64)");
        rd.failed = true;
    }
    int rc = rd.failed ? CAMPAIGN_E_INVALID : CAMPAIGN_OK;
    if (!rc && !r->jobs_used) {
        r->options = o;
        r->jobs_used = 1;
    }
    if (!rc) r->shards_seen |= shard_bit;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, list) {
        if (rc) break;
        campaign_scenario s;
        rc = campaign_scenario_from_json(entry, &s, detail, sizeof detail);
        if (!rc && (s.incomplete || campaign_result_incomplete(r)) && r->shards_seen != shard_bit) {
            /* Its spans of done points hold for its own shard only. */
            snprintf(detail, sizeof detail,
                     "an interrupted campaign (\"complete\": false) merges with no other: "
                     "finish it with norbench powercut --resume first");
            rc = CAMPAIGN_E_INVALID;
        }
        const campaign_scenario *other = rc ? NULL : other_budget(r, &s);
        if (other) {
            char here[32] = "no budget", there[32] = "no budget";
            if (s.max_tries)
                snprintf(here, sizeof here, "%llu tries", (unsigned long long)s.max_tries);
            if (other->max_tries)
                snprintf(there, sizeof there, "%llu tries", (unsigned long long)other->max_tries);
            snprintf(detail, sizeof detail,
                     "%s: budgeted %s here, %s in an earlier file (--time-budget sizes each "
                     "shard's budget on its own machine): give every shard the same --max-tries "
                     "instead",
                     s.name, here, there);
            rc = CAMPAIGN_E_INVALID;
        }
        if (!rc) rc = merge_scenario(r, &s, shard_bit);
        campaign_scenario_free(&s);
    }
    cJSON_Delete(root);
    if (rc) snprintf(why, why_size, "%s: %s", file, detail[0] ? detail : "out of memory");
    uint32_t n = r->options.shard_count;
    uint64_t all = n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
    for (size_t i = 0; !rc && n > 1 && r->shards_seen == all && i < r->count; i++) {
        /* Every share holds every scenario: files of different scenario lists are no shares of
         * one campaign, and half of each scenario would read as all of it. */
        const campaign_scenario *s = &r->scenarios[i];
        if (s->shards_seen == all) continue;
        uint32_t first = 1;
        while (s->shards_seen >> (first - 1) & 1u) first++;
        snprintf(why, why_size,
                 "the files are not shards of one campaign: %s is not in the file of shard %u/%u "
                 "(every shard's file holds every scenario)",
                 s->file, first, n);
        rc = CAMPAIGN_E_INVALID;
    }
    if (!rc && n <= 64 && r->shards_seen == all) {
        r->options.shard_index = 1;
        r->options.shard_count = 1;
        r->shards_seen = 1;
    }
    return rc;
}
