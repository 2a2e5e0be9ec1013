/* The reference model's verdicts on what a power cut may leave: a push with drop_oldest whose
 * drops are known (K) shows the new entry with exactly K dropped, or the old queue without a
 * prefix of those K, nothing else; without K, any number; erase_all shows the old store or an
 * empty one. */
#include "ref_model.h"

#include <criterion/criterion.h>
#include <string.h>

/* A queue holding the one-letter entries of `letters`, oldest first. */
static void fill(ref_queue *q, const char *letters) {
    ref_queue_init(q);
    for (const char *p = letters; *p; p++) ref_queue_push(q, p, 1);
}

static ref_list list_of(const char *letters) {
    ref_list l;
    ref_list_init(&l);
    for (const char *p = letters; *p; p++) ref_list_append(&l, NULL, 0, p, 1);
    return l;
}

/* Settles a push of "e" onto "abcd" (drops known: k >= 0; unknown: k < 0) against `seen`. */
static bool push_settles(int k, const char *seen, bool *applied) {
    ref_queue q;
    fill(&q, "abcd");
    if (k >= 0)
        ref_queue_begin_push_dropping(&q, "e", 1, (size_t)k);
    else
        ref_queue_begin_push(&q, "e", 1, true);
    ref_list observed = list_of(seen);
    bool ok = ref_queue_settle(&q, &observed, applied);
    if (ok) cr_assert(ref_queue_matches(&q, &observed), "the model takes what it accepted");
    ref_list_free(&observed);
    ref_queue_free(&q);
    return ok;
}

Test(ref_model, a_landed_push_dropped_exactly_its_k) {
    bool applied = false;
    cr_assert(push_settles(2, "cde", &applied));
    cr_assert(applied);
    cr_assert_not(push_settles(2, "de", &applied), "one drop too many");
    cr_assert_not(push_settles(2, "bcde", &applied), "one drop too few");
    cr_assert(push_settles(0, "abcde", &applied), "nothing to drop");
    cr_assert_not(push_settles(0, "bcde", &applied));
}

Test(ref_model, a_push_that_did_not_land_dropped_a_prefix_of_its_k) {
    bool applied = true;
    cr_assert(push_settles(2, "abcd", &applied), "none dropped (atomic)");
    cr_assert_not(applied);
    cr_assert(push_settles(2, "bcd", &applied), "one of the two");
    cr_assert(push_settles(2, "cd", &applied), "both");
    cr_assert_not(push_settles(2, "d", &applied), "three is not a prefix of two");
    cr_assert_not(push_settles(2, "acd", &applied), "not the oldest");
}

Test(ref_model, unknown_drops_accept_any_number) {
    bool applied = false;
    cr_assert(push_settles(-1, "de", &applied));
    cr_assert(applied);
    cr_assert(push_settles(-1, "d", &applied));
    cr_assert_not(push_settles(-1, "ade", &applied));
}

Test(ref_model, a_known_push_uncut_drops_its_k) {
    ref_queue q;
    fill(&q, "abcd");
    ref_queue_begin_push_dropping(&q, "e", 1, 3);
    ref_queue_end(&q, true);
    ref_list want = list_of("de");
    cr_assert(ref_queue_matches(&q, &want));
    ref_list_free(&want);
    ref_queue_free(&q);
}

Test(ref_model, erase_all_settles_old_or_empty) {
    for (int kind = 0; kind < 2; kind++) {
        const char *seen[] = {"", "abcd", "bcd"};
        bool expected[] = {true, true, false};
        for (int i = 0; i < 3; i++) {
            bool applied = false, ok;
            ref_list observed;
            ref_list_init(&observed);
            if (kind == 0) {
                ref_queue q;
                fill(&q, "abcd");
                ref_queue_begin_erase_all(&q);
                observed = list_of(seen[i]);
                ok = ref_queue_settle(&q, &observed, &applied);
                ref_queue_free(&q);
            } else {
                ref_map m;
                ref_map_init(&m);
                for (const char *p = "abcd"; *p; p++) ref_map_store(&m, p, 1, "v", 1);
                ref_map_begin_erase_all(&m);
                for (const char *p = seen[i]; *p; p++) ref_list_append(&observed, p, 1, "v", 1);
                ok = ref_map_settle(&m, &observed, &applied);
                ref_map_free(&m);
            }
            cr_assert_eq(ok, expected[i], "%s: '%s'", kind ? "map" : "queue", seen[i]);
            if (ok) cr_assert_eq(applied, seen[i][0] == '\0', "empty means applied");
            ref_list_free(&observed);
        }
    }
}
