/* The scenario validator's error reporting and typed checks: one message per problem with
 * its line, column and JSON path, "did you mean" suggestions by edit distance, and getters
 * that turn a JSON node into an integer, duration, flag or name, or say what was expected. */
#include "scenario_internal.h"
#include "duration.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool errors_grow(scenario_errors *errors) {
    return grow_array(&errors->items, &errors->capacity, errors->count, sizeof *errors->items, 4);
}

static void errors_add(scenario_ctx *c, pjson_pos pos, const char *path, const char *message) {
    scenario_errors *errors = c->errors;
    if (errors->count > SCENARIO_MAX_ERRORS) return;
    if (!errors_grow(errors)) {
        c->status = SCENARIO_E_NOMEM;
        return;
    }
    scenario_error *e = &errors->items[errors->count++];
    memset(e, 0, sizeof *e);
    e->file = errors->file ? errors->file : "";
    e->line = pos.line;
    e->column = pos.column;
    snprintf(e->path, sizeof e->path, "%s", path);
    if (errors->count > SCENARIO_MAX_ERRORS)
        snprintf(e->message, sizeof e->message, "too many errors; stopping after %d",
                 SCENARIO_MAX_ERRORS);
    else
        snprintf(e->message, sizeof e->message, "%s", message);
}

void ctx_report(scenario_ctx *c, pjson_pos pos, const char *fmt, ...) {
    char message[SCENARIO_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    /* In one combination of a matrix, say which: the same file is fine on other presets. */
    const char *preset = ctx_preset_override(c);
    if (preset && n >= 0 && (size_t)n < sizeof message)
        snprintf(message + n, sizeof message - (size_t)n, " (on preset '%s')", preset);
    errors_add(c, pos, c->path, message);
}

void ctx_out_of_memory(scenario_ctx *c) {
    if (c->status == SCENARIO_E_NOMEM) return;
    errors_add(c, (pjson_pos){0, 0}, "", "out of memory");
    c->status = SCENARIO_E_NOMEM;
}

void scenario_error_format(const scenario_error *e, char *buf, size_t size) {
    if (e->line == 0) { /* a problem with the file itself, not a place in it */
        snprintf(buf, size, "%s: %s", e->file ? e->file : "", e->message);
        return;
    }
    snprintf(buf, size, "%s:%u:%u: %s%s%s", e->file ? e->file : "", (unsigned)e->line,
             (unsigned)e->column, e->path, e->path[0] ? ": " : "", e->message);
}

void scenario_errors_free(scenario_errors *errors) {
    if (!errors) return;
    free(errors->file);
    free(errors->items);
    memset(errors, 0, sizeof *errors);
}

/* ---- the JSON path --------------------------------------------------------------------- */

static size_t path_append(scenario_ctx *c, const char *text) {
    size_t mark = c->path_length;
    size_t room = sizeof c->path - c->path_length;
    int n = snprintf(c->path + c->path_length, room, "%s", text);
    if (n < 0 || (size_t)n >= room) {
        /* Too deep to print in full: keep the start and mark the cut. */
        memcpy(c->path + sizeof c->path - 4, "...", 4);
        c->path_length = sizeof c->path - 1;
    } else {
        c->path_length += (size_t)n;
    }
    return mark;
}

size_t ctx_path_key(scenario_ctx *c, const char *key) {
    char part[48];
    snprintf(part, sizeof part, "%s%.40s", c->path_length ? "." : "", key);
    return path_append(c, part);
}

size_t ctx_path_index(scenario_ctx *c, size_t index) {
    char part[32];
    snprintf(part, sizeof part, "[%zu]", index);
    return path_append(c, part);
}

void ctx_path_restore(scenario_ctx *c, size_t mark) {
    c->path_length = mark;
    c->path[mark] = '\0';
}

char *ctx_path_copy(scenario_ctx *c) {
    char *copy = malloc(c->path_length + 1);
    if (!copy) {
        ctx_out_of_memory(c);
        return NULL;
    }
    memcpy(copy, c->path, c->path_length + 1);
    return copy;
}

/* ---- names ----------------------------------------------------------------------------- */

void quote_for_message(const char *text, size_t length, char *out, size_t size) {
    if (size < 4) {
        if (size) out[0] = '\0';
        return;
    }
    size_t limit = size < 48 ? size : 48; /* bytes of out used, NUL included */
    size_t o = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char ch = (unsigned char)text[i];
        char piece[8];
        if (ch >= 0x20 && ch < 0x7F && ch != '\'' && ch != '\\') {
            piece[0] = (char)ch;
            piece[1] = '\0';
        } else {
            snprintf(piece, sizeof piece, "\\x%02X", ch);
        }
        size_t n = strlen(piece);
        if (o + n + 4 > limit) { /* keep room for "..." and the NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o] = '\0';
}

static int lower(int ch) {
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Optimal string alignment distance (edits: insert, delete, substitute, swap neighbours),
 * ignoring case; words longer than 40 characters are never close. */
static size_t edit_distance(const char *a, const char *b) {
    enum { LONGEST = 40 };
    size_t n = strlen(a), m = strlen(b);
    if (n > LONGEST || m > LONGEST) return SIZE_MAX;
    size_t d[LONGEST + 1][LONGEST + 1];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *nearest_name(const char *word, const scenario_name *names, size_t count) {
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        size_t distance = edit_distance(word, names[i].name);
        size_t length = strlen(names[i].name);
        size_t allowed = length <= 3 ? 1 : length <= 6 ? 2 : 3;
        if (distance <= allowed && distance < best_distance) {
            best = names[i].name;
            best_distance = distance;
        }
    }
    return best;
}

const scenario_name *find_name(const char *word, size_t length, const scenario_name *names,
                               size_t count) {
    if (strlen(word) != length) return NULL; /* embedded NUL: never a known name */
    for (size_t i = 0; i < count; i++)
        if (strcmp(word, names[i].name) == 0) return &names[i];
    return NULL;
}

/* "a, b, c" (cut short with "..." if it gets long). */
static void list_names(const scenario_name *names, size_t count, char *out, size_t size) {
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(out + o, size - o, "%s%s", i ? ", " : "", names[i].name);
        if (n < 0 || (size_t)n >= size - o) {
            if (size > 4) memcpy(out + size - 4, "...", 4);
            return;
        }
        o += (size_t)n;
    }
}

/* "unknown NOUN 'word' in CONTEXT; did you mean 'name'?" or "...; expected one of: ...".
 * Returns the suggestion (or NULL). */
static const char *report_unknown(scenario_ctx *c, pjson_pos pos, const char *noun,
                                  const char *context, const char *word, size_t length,
                                  const scenario_name *names, size_t count) {
    char quoted[64], where[80] = "";
    quote_for_message(word, length, quoted, sizeof quoted);
    if (context) snprintf(where, sizeof where, " in %s", context);
    const char *near = strlen(word) == length ? nearest_name(word, names, count) : NULL;
    if (near) {
        ctx_report(c, pos, "unknown %s '%s'%s; did you mean '%s'?", noun, quoted, where, near);
    } else {
        char list[240];
        list_names(names, count, list, sizeof list);
        ctx_report(c, pos, "unknown %s '%s'%s; expected one of: %s", noun, quoted, where, list);
    }
    return near;
}

/* ---- objects --------------------------------------------------------------------------- */

void report_type(scenario_ctx *c, const pjson_node *node, const char *expected) {
    ctx_report(c, node->pos, "expected %s, got %s", expected, pjson_type_phrase(node->type));
}

/* `noun` names what the keys are ("field", "operation"); a step's keys are named without
 * context, since a step has no name of its own. */
static bool check_members(scenario_ctx *c, const pjson_node *node, const char *what,
                          const char *noun, const scenario_name *fields, size_t count,
                          bool fields_mark_required) {
    if (node->type != PJSON_OBJECT) {
        char expected[64];
        snprintf(expected, sizeof expected, "an object for %s", what);
        report_type(c, node, expected);
        return false;
    }
    bool ok = true;
    const char *suggested[4] = {NULL}; /* a typo of a required field is one problem, not two */
    size_t suggested_count = 0;
    bool is_step = strcmp(noun, "operation") == 0;
    for (size_t i = 0; i < node->count; i++) {
        const pjson_member *m = &node->members[i];
        if (!find_name(m->key, m->key_length, fields, count)) {
            const char *near = report_unknown(c, m->key_pos, noun, is_step ? NULL : what, m->key,
                                              m->key_length, fields, count);
            if (near && suggested_count < 4) suggested[suggested_count++] = near;
            ok = false;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(node->members[j].key, m->key) == 0) {
                ctx_report(c, m->key_pos, "duplicate field '%s' (first given at %u:%u)", m->key,
                           (unsigned)node->members[j].key_pos.line,
                           (unsigned)node->members[j].key_pos.column);
                ok = false;
                break;
            }
        }
    }
    for (size_t f = 0; fields_mark_required && f < count; f++) {
        if (fields[f].value != FIELD_REQUIRED || pjson_get(node, fields[f].name)) continue;
        bool typo = false;
        for (size_t k = 0; k < suggested_count; k++) typo |= suggested[k] == fields[f].name;
        if (!typo) ctx_report(c, node->pos, "missing field '%s' in %s", fields[f].name, what);
        ok = false;
    }
    return ok;
}

bool check_object(scenario_ctx *c, const pjson_node *node, const char *what,
                  const scenario_name *fields, size_t count) {
    return check_members(c, node, what, "field", fields, count, true);
}

bool check_step_keys(scenario_ctx *c, const pjson_node *node, const scenario_name *keys,
                     size_t count) {
    return check_members(c, node, "a step", "operation", keys, count, false);
}

bool check_keys(scenario_ctx *c, const pjson_node *node, const char *what,
                const scenario_name *names, size_t count) {
    return check_members(c, node, what, "field", names, count, false);
}

/* ---- numbers, durations, names --------------------------------------------------------- */

bool node_u64(scenario_ctx *c, const pjson_node *node, uint64_t min, uint64_t max, uint64_t *out) {
    if (node->type != PJSON_NUMBER) {
        ctx_report(c, node->pos, "expected an integer %llu..%llu, got %s", (unsigned long long)min,
                   (unsigned long long)max, pjson_type_phrase(node->type));
        return false;
    }
    if (!node->is_integer) {
        ctx_report(c, node->pos, "expected an integer %llu..%llu, got %s", (unsigned long long)min,
                   (unsigned long long)max, node->number_text);
        return false;
    }
    if ((node->negative && (node->magnitude || node->overflow)) || node->overflow ||
        node->magnitude < min || node->magnitude > max) {
        ctx_report(c, node->pos, "%s is out of range; expected %llu..%llu", node->number_text,
                   (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = node->magnitude;
    return true;
}

bool node_i64(scenario_ctx *c, const pjson_node *node, int64_t min, int64_t max, int64_t *out) {
    bool in_range = false;
    int64_t v = 0;
    if (node->type == PJSON_NUMBER && node->is_integer && !node->overflow) {
        if (!node->negative && node->magnitude <= (uint64_t)INT64_MAX) {
            v = (int64_t)node->magnitude;
            in_range = true;
        } else if (node->negative && node->magnitude <= (uint64_t)INT64_MAX + 1) {
            v = node->magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)node->magnitude;
            in_range = true;
        }
        in_range = in_range && v >= min && v <= max;
    }
    if (in_range) {
        *out = v;
        return true;
    }
    if (node->type == PJSON_NUMBER && node->is_integer)
        ctx_report(c, node->pos, "%s is out of range; expected %lld..%lld", node->number_text,
                   (long long)min, (long long)max);
    else
        ctx_report(c, node->pos, "expected an integer %lld..%lld, got %s", (long long)min,
                   (long long)max,
                   node->type == PJSON_NUMBER ? node->number_text : pjson_type_phrase(node->type));
    return false;
}

#define DURATION_EXPECTED                                                                          \
    "a duration: a string like \"250ms\" or \"1h30m\" (units " DURATION_UNITS                      \
    ") or an integer of microseconds"

bool node_duration(scenario_ctx *c, const pjson_node *node, uint64_t *out) {
    if (node->type == PJSON_NUMBER) return node_u64(c, node, 0, DURATION_MAX_US, out);
    if (node->type != PJSON_STRING) {
        report_type(c, node, DURATION_EXPECTED);
        return false;
    }
    duration_status status = duration_parse(node->string, node->length, 0, out);
    if (status == DURATION_OK) return true;
    char quoted[64];
    quote_for_message(node->string, node->length, quoted, sizeof quoted);
    if (status == DURATION_INVALID)
        ctx_report(c, node->pos, "invalid duration '%s'; expected %s", quoted, DURATION_EXPECTED);
    else
        ctx_report(c, node->pos,
                   "duration '%s' is out of range; expected at most %dh (100 years: the simulated "
                   "clock holds 584)",
                   quoted, DURATION_MAX_HOURS);
    return false;
}

bool node_name(scenario_ctx *c, const pjson_node *node, const char *what,
               const scenario_name *names, size_t count, int *out) {
    if (node->type != PJSON_STRING) {
        char list[240], expected[280];
        list_names(names, count, list, sizeof list);
        snprintf(expected, sizeof expected, "a %s name (one of: %s)", what, list);
        report_type(c, node, expected);
        return false;
    }
    const scenario_name *hit = find_name(node->string, node->length, names, count);
    if (!hit) {
        report_unknown(c, node->pos, what, NULL, node->string, node->length, names, count);
        return false;
    }
    *out = hit->value;
    return true;
}

bool node_range(scenario_ctx *c, const pjson_node *node, uint32_t limit, scenario_range *out) {
    uint64_t lo, hi;
    if (node->type == PJSON_NUMBER) {
        if (!node_u64(c, node, 0, limit, &lo)) return false;
        out->min = out->max = (uint32_t)lo;
        return true;
    }
    if (node->type != PJSON_ARRAY || node->count != 2) {
        ctx_report(c, node->pos,
                   "expected a size range [min, max] (two integers 0..%u) or one integer, got %s",
                   (unsigned)limit,
                   node->type == PJSON_ARRAY ? "an array that does not have 2 items"
                                             : pjson_type_phrase(node->type));
        return false;
    }
    size_t mark = ctx_path_index(c, 0);
    bool ok = node_u64(c, node->items[0], 0, limit, &lo);
    ctx_path_restore(c, mark);
    mark = ctx_path_index(c, 1);
    ok = ok && node_u64(c, node->items[1], 0, limit, &hi);
    ctx_path_restore(c, mark);
    if (!ok) return false;
    if (lo > hi) {
        ctx_report(c, node->pos, "empty size range [%llu, %llu]; expected min <= max",
                   (unsigned long long)lo, (unsigned long long)hi);
        return false;
    }
    out->min = (uint32_t)lo;
    out->max = (uint32_t)hi;
    return true;
}

/* ---- members --------------------------------------------------------------------------- */

bool field_u64(scenario_ctx *c, const pjson_node *obj, const char *key, uint64_t min, uint64_t max,
               uint64_t fallback, uint64_t *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        *out = fallback;
        return true;
    }
    size_t mark = ctx_path_key(c, key);
    bool ok = node_u64(c, node, min, max, out);
    ctx_path_restore(c, mark);
    return ok;
}

bool field_u32(scenario_ctx *c, const pjson_node *obj, const char *key, uint32_t min, uint32_t max,
               uint32_t fallback, uint32_t *out) {
    uint64_t v;
    if (!field_u64(c, obj, key, min, max, fallback, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

bool field_bool(scenario_ctx *c, const pjson_node *obj, const char *key, bool fallback, bool *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        *out = fallback;
        return true;
    }
    if (node->type != PJSON_BOOL) {
        size_t mark = ctx_path_key(c, key);
        report_type(c, node, "true or false");
        ctx_path_restore(c, mark);
        return false;
    }
    *out = node->boolean;
    return true;
}

bool field_duration(scenario_ctx *c, const pjson_node *obj, const char *key, uint64_t fallback,
                    uint64_t *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        *out = fallback;
        return true;
    }
    size_t mark = ctx_path_key(c, key);
    bool ok = node_duration(c, node, out);
    ctx_path_restore(c, mark);
    return ok;
}

bool field_name(scenario_ctx *c, const pjson_node *obj, const char *key, const char *what,
                const scenario_name *names, size_t count, int fallback, int *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        *out = fallback;
        return true;
    }
    size_t mark = ctx_path_key(c, key);
    bool ok = node_name(c, node, what, names, count, out);
    ctx_path_restore(c, mark);
    return ok;
}

/* Other APIs' spellings of the open modes: the mode that means each where w and w+ (which
 * truncate) are modes too (fs_open), and where only r and r+ are (raw_open, kv_open). The edit
 * distance alone answers 'r' for "rw" (one letter from 'r', 'r+' and 'w': the first name of a
 * tie wins) and for "w" among r and r+, while both mean writing. */
static const struct {
    const char *spelling, *mode, *without_truncation;
} open_mode_spellings[] = {
    {"rw", "r+", "r+"},  {"wr", "r+", "r+"},  {"rw+", "r+", "r+"}, {"rb", "r", "r"},
    {"rb+", "r+", "r+"}, {"r+b", "r+", "r+"}, {"w", "w", "r+"},    {"w+", "w+", "r+"},
    {"wb", "w", "r+"},   {"wb+", "w+", "r+"}, {"w+b", "w+", "r+"},
};

bool field_open_mode(scenario_ctx *c, const pjson_node *obj, const char *what,
                     const scenario_name *names, size_t count, int fallback, int *out) {
    const pjson_node *node = pjson_get(obj, "mode");
    bool known =
        !node || node->type != PJSON_STRING || find_name(node->string, node->length, names, count);
    for (size_t i = 0; !known && i < NAME_COUNT(open_mode_spellings); i++) {
        const char *spelling = open_mode_spellings[i].spelling;
        if (strlen(node->string) != node->length || strcmp(node->string, spelling) != 0) continue;
        const char *meant = open_mode_spellings[i].mode;
        if (!find_name(meant, strlen(meant), names, count))
            meant = open_mode_spellings[i].without_truncation;
        if (!find_name(meant, strlen(meant), names, count)) break;
        size_t mark = ctx_path_key(c, "mode");
        ctx_report(c, node->pos, "unknown %s '%s'; did you mean '%s'?", what, spelling, meant);
        ctx_path_restore(c, mark);
        return false;
    }
    return field_name(c, obj, "mode", what, names, count, fallback, out);
}

bool field_range(scenario_ctx *c, const pjson_node *obj, const char *key, scenario_range fallback,
                 scenario_range *out) {
    const pjson_node *node = pjson_get(obj, key);
    if (!node) {
        *out = fallback;
        return true;
    }
    size_t mark = ctx_path_key(c, key);
    bool ok = node_range(c, node, SCENARIO_MAX_VALUE_BYTES, out);
    ctx_path_restore(c, mark);
    return ok;
}

bool field_torn_modes(scenario_ctx *c, const pjson_node *obj, nor_torn_program *program,
                      nor_torn_erase *erase) {
    /* The names are the NOR model's own table. */
    scenario_name programs[NOR_TORN_PROG_MODES], erases[NOR_TORN_ERASE_MODES];
    for (int m = 0; m < NOR_TORN_PROG_MODES; m++)
        programs[m] = (scenario_name){nor_torn_program_name((nor_torn_program)m), m};
    for (int m = 0; m < NOR_TORN_ERASE_MODES; m++)
        erases[m] = (scenario_name){nor_torn_erase_name((nor_torn_erase)m), m};
    int prog = NOR_TORN_PROG_BITS, er = NOR_TORN_ERASE_PARTIAL;
    bool ok = field_name(c, obj, "torn_program", "torn program mode", programs, NOR_TORN_PROG_MODES,
                         prog, &prog);
    ok &=
        field_name(c, obj, "torn_erase", "torn erase mode", erases, NOR_TORN_ERASE_MODES, er, &er);
    *program = (nor_torn_program)prog;
    *erase = (nor_torn_erase)er;
    return ok;
}
