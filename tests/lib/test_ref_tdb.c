/* The TDB store's reference model (sim/lib/ref_tdb.h): its verdicts on what a cut may leave (a
 * finalized set old or new, a reset every key or none, and on a read-only view a reset part
 * done with each remaining key as it was) and the answers of the rules (write-once, busy while a
 * set is open, partial reads, prefixes). */
#include "nbs.h"
#include "ref_tdb.h"

#include <criterion/criterion.h>
#include <string.h>

static ref_tdb_call call_of(ref_tdb_call_kind kind, const char *key, const char *value) {
    return (ref_tdb_call){.kind = kind,
                          .key = (const uint8_t *)key,
                          .key_len = key ? strlen(key) : 0,
                          .value = (const uint8_t *)value,
                          .value_len = value ? strlen(value) : 0,
                          .capacity = 1024};
}

/* A call made on the model and applied, as after the engine's success. */
static void apply(ref_tdb *t, ref_map *m, ref_tdb_call c) {
    if (ref_tdb_begin(t, m, &c)) ref_map_end(m, true);
    ref_tdb_after(t, &c, NBS_OK);
}

/* The store: "a" = "1", "b" = "2" (write-once), the reserved area "r". */
static void fill(ref_tdb *t, ref_map *m) {
    ref_tdb_init(t, false);
    ref_map_init(m);
    apply(t, m, call_of(REF_TDB_SET, "a", "1"));
    ref_tdb_call once = call_of(REF_TDB_SET, "b", "2");
    once.flags = 1;
    apply(t, m, once);
    apply(t, m, call_of(REF_TDB_RESERVED_SET, NULL, "r"));
}

/* A view of the store: items "key=value" (key "*": the reserved area; "key=value!": write-once). */
static ref_list view_of(const char *const *items, size_t count) {
    ref_list l;
    ref_list_init(&l);
    for (size_t i = 0; i < count; i++) {
        uint8_t key[TDB_VIEW_KEY_MAX], value[16];
        const char *eq = strchr(items[i], '=');
        size_t value_len = strlen(eq + 1);
        bool once = eq[value_len] == '!';
        if (items[i][0] == '*') {
            ref_list_append(&l, key, tdb_view_reserved_key(key), eq + 1, value_len);
            continue;
        }
        value[0] = once ? 1 : 0;
        memcpy(value + 1, eq + 1, value_len - once);
        ref_list_append(&l, key, tdb_view_key(items[i], (size_t)(eq - items[i]), key), value,
                        1 + value_len - once);
    }
    return l;
}

static bool settles(ref_map *m, const char *const *items, size_t count, bool *applied) {
    ref_list seen = view_of(items, count);
    bool ok = ref_map_settle(m, &seen, applied);
    ref_list_free(&seen);
    return ok;
}

Test(ref_tdb, a_reset_in_flight_is_every_key_or_none) {
    ref_tdb t;
    ref_map m;
    bool applied = false;
    const char *old[] = {"a=1", "b=2!", "*=r"}, *new[] = {"*=r"}, *half[] = {"b=2!", "*=r"};
    fill(&t, &m);
    ref_tdb_call reset = call_of(REF_TDB_RESET, NULL, NULL);
    cr_assert(ref_tdb_begin(&t, &m, &reset));
    ref_map copy;
    ref_map_init(&copy);
    ref_map_copy(&copy, &m);
    cr_assert(!settles(&copy, half, 2, &applied), "a reset half done is neither old nor new");
    cr_assert(settles(&copy, old, 3, &applied) && !applied);
    ref_map_copy(&copy, &m);
    cr_assert(settles(&copy, new, 1, &applied) && applied, "write-once keys go too");
    ref_map_free(&copy);
    ref_map_free(&m);
    ref_tdb_free(&t);
}

Test(ref_tdb, a_read_only_view_of_a_stopped_reset_holds_old_keys_only) {
    ref_tdb t;
    ref_map m;
    bool applied = false;
    const char *new[] = {"*=r"};
    fill(&t, &m);
    ref_tdb_call reset = call_of(REF_TDB_RESET, NULL, NULL);
    cr_assert(ref_tdb_begin(&t, &m, &reset));
    cr_assert(settles(&m, new, 1, &applied) && applied);
    const char *half[] = {"b=2!", "*=r"}, *changed[] = {"b=3!", "*=r"},
               *invented[] = {"c=1", "*=r"}, *lost[] = {"a=1"}, *twice[] = {"a=1", "a=1", "*=r"};
    ref_list v = view_of(half, 2);
    cr_assert(ref_tdb_part_reset_matches(&t, &m, &v), "a key the reset did not reach yet");
    ref_list_free(&v);
    v = view_of(changed, 2);
    cr_assert(!ref_tdb_part_reset_matches(&t, &m, &v), "a remaining key with another value");
    ref_list_free(&v);
    v = view_of(invented, 2);
    cr_assert(!ref_tdb_part_reset_matches(&t, &m, &v), "a key the store never held");
    ref_list_free(&v);
    v = view_of(lost, 1);
    cr_assert(!ref_tdb_part_reset_matches(&t, &m, &v), "the reserved area lost");
    ref_list_free(&v);
    v = view_of(twice, 3);
    cr_assert(!ref_tdb_part_reset_matches(&t, &m, &v), "a key twice");
    ref_list_free(&v);
    ref_tdb_call get = call_of(REF_TDB_GET, "a", NULL);
    ref_tdb_begin(&t, &m, &get); /* another call: the reset's keys no longer count */
    v = view_of(half, 2);
    cr_assert(!ref_tdb_part_reset_matches(&t, &m, &v));
    ref_list_free(&v);
    ref_map_free(&m);
    ref_tdb_free(&t);
}

Test(ref_tdb, answers_follow_the_rules) {
    ref_tdb t;
    ref_map m;
    ref_tdb_answer a = {0};
    ref_list_init(&a.keys);
    fill(&t, &m);
    ref_tdb_call c = call_of(REF_TDB_REMOVE, "b", NULL);
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert_eq(a.rc, NBS_E_WRITE_PROTECTED);
    c = call_of(REF_TDB_GET, "b", NULL);
    c.offset = 1;
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert(a.rc == NBS_OK && a.length == 0, "an offset at the end reads nothing");
    c.offset = 2;
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert_eq(a.rc, NBS_E_INVAL, "an offset past the end");
    ref_tdb_call start = call_of(REF_TDB_SET_START, "big", NULL);
    start.size = 3;
    apply(&t, &m, start);
    c = call_of(REF_TDB_GET, "a", NULL);
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert_eq(a.rc, NBS_E_BUSY, "a set is open");
    c = call_of(REF_TDB_SET_ADD, NULL, "abcd");
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert_eq(a.rc, NBS_E_INVAL, "more than the final size");
    apply(&t, &m, call_of(REF_TDB_SET_ADD, NULL, "abc"));
    c = call_of(REF_TDB_SET_FINALIZE, NULL, NULL);
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert_eq(a.rc, NBS_OK);
    cr_assert(!ref_tdb_begin(&t, &m, &(ref_tdb_call){.kind = REF_TDB_SET_ADD}),
              "an add changes no key");
    apply(&t, &m, c);
    c = call_of(REF_TDB_ITER, "b", NULL);
    ref_tdb_predict(&t, &m, &c, &a);
    cr_assert(a.rc == NBS_OK && a.keys.count == 2, "prefix b: b and big");
    ref_list_free(&a.keys);
    ref_map_free(&m);
    ref_tdb_free(&t);
}
