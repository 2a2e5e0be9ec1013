/* Key-value domains (nbs_kv.h) on the RAM flash: opening by mode, typed reads that refuse
 * another format, writes and deletes refused in mode r or on a closed handle, iteration limited
 * to a domain, limits of names, keys and domain ids, and the on-flash form of SPEC section 9 read
 * back through the map. */
#include "nbs.h"
#include "nbs_kv.h"
#include "ram_flash.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rig {
    ram_flash rf;
    nbs_config cfg;
    nbs_map map;
    nbs_kv kv;
    uint8_t work[1024];
    uint8_t *buf;
    size_t buf_size;
} rig;

static void rig_remount(rig *r) {
    memset(&r->map, 0xA5, sizeof r->map);
    memset(&r->kv, 0xA5, sizeof r->kv);
    cr_assert_eq(nbs_map_mount(&r->map, &r->cfg), NBS_OK);
    cr_assert_eq(nbs_kv_init(&r->kv, &r->map, r->buf, r->buf_size), NBS_OK);
}

static void rig_open(rig *r, uint32_t pages, uint32_t page_size) {
    cr_assert_eq(ram_flash_init(&r->rf, pages, page_size, 1, 0xFF, 1), 0);
    memset(&r->cfg, 0, sizeof r->cfg);
    r->cfg.flash = ram_flash_bind(&r->rf);
    r->cfg.work = r->work;
    r->cfg.work_size = sizeof r->work;
    r->buf_size = nbs_kv_buffer_bytes(&r->cfg.flash);
    r->buf = malloc(r->buf_size);
    cr_assert(r->buf);
    rig_remount(r);
}

static void rig_close(rig *r) {
    free(r->buf);
    ram_flash_free(&r->rf);
}

static void open_domain(rig *r, nbs_kv_domain *d, const char *name, bool writable) {
    int rc = nbs_kv_open(&r->kv, d, name, strlen(name), writable);
    cr_assert_eq(rc, NBS_OK, "open %s: %s", name, nbs_strerror(rc));
}

static void write_text(nbs_kv_domain *d, const char *key, nbs_kv_format f, const char *value) {
    int rc = nbs_kv_write(d, key, strlen(key), f, value, strlen(value));
    cr_assert_eq(rc, NBS_OK, "write %s: %s", key, nbs_strerror(rc));
}

static void expect_text(nbs_kv_domain *d, const char *key, nbs_kv_format f, const char *value) {
    char buf[300];
    size_t len = 0;
    nbs_kv_format stored = NBS_KV_ANY;
    int rc = nbs_kv_read(d, key, strlen(key), f, buf, sizeof buf, &len, &stored);
    cr_assert_eq(rc, NBS_OK, "read %s: %s", key, nbs_strerror(rc));
    cr_assert_eq(stored, f);
    cr_assert_eq(len, strlen(value));
    cr_assert_arr_eq(buf, value, len);
}

Test(kv, open_in_mode_r_finds_only_existing_domains) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain d;
    cr_assert_eq(nbs_kv_open(&r.kv, &d, "cfg", 3, false), NBS_E_NOT_FOUND);
    cr_assert_eq(r.rf.programs, 0, "an r open writes nothing");
    cr_assert_eq(nbs_kv_close(&d), NBS_E_KV_CLOSED, "a failed open leaves the handle closed");
    open_domain(&r, &d, "cfg", true);
    uint64_t programs = r.rf.programs;
    cr_assert_gt(programs, 0, "an r+ open of a new domain creates it");
    cr_assert_eq(nbs_kv_close(&d), NBS_OK);
    open_domain(&r, &d, "cfg", true);
    cr_assert_eq(r.rf.programs, programs, "opening an existing domain writes nothing");
    rig_remount(&r);
    open_domain(&r, &d, "cfg", false);
    rig_close(&r);
}

Test(kv, every_format_round_trips_and_refuses_the_others) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain d;
    open_domain(&r, &d, "types", true);
    static const uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int f = NBS_KV_BUFFER; f < NBS_KV_FORMATS; f++) {
        char key[16]; /* "k" and any int: the Debug build checks snprintf truncation */
        snprintf(key, sizeof key, "k%d", f);
        size_t len = nbs_kv_format_width((nbs_kv_format)f);
        if (!len) len = 5;
        cr_assert_eq(nbs_kv_write(&d, key, strlen(key), (nbs_kv_format)f, bytes, len), NBS_OK);
    }
    rig_remount(&r);
    open_domain(&r, &d, "types", false);
    for (int f = NBS_KV_BUFFER; f < NBS_KV_FORMATS; f++) {
        char key[16]; /* "k" and any int: the Debug build checks snprintf truncation */
        snprintf(key, sizeof key, "k%d", f);
        for (int g = NBS_KV_ANY; g < NBS_KV_FORMATS; g++) {
            uint8_t out[16];
            size_t len = 99;
            nbs_kv_format stored = NBS_KV_ANY;
            int rc =
                nbs_kv_read(&d, key, strlen(key), (nbs_kv_format)g, out, sizeof out, &len, &stored);
            cr_assert_eq(stored, f, "the stored format is reported either way");
            if (g != NBS_KV_ANY && g != f) {
                cr_assert_eq(rc, NBS_E_KV_TYPE, "format %d read as %d: %s", f, g, nbs_strerror(rc));
                continue;
            }
            size_t width = nbs_kv_format_width((nbs_kv_format)f);
            cr_assert_eq(rc, NBS_OK);
            cr_assert_eq(len, width ? width : 5);
            cr_assert_arr_eq(out, bytes, len);
        }
    }
    rig_close(&r);
}

Test(kv, a_value_of_the_wrong_width_or_format_is_refused_unwritten) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain d;
    open_domain(&r, &d, "d", true);
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_kv_write(&d, "a", 1, NBS_KV_UINT16, "x", 1), NBS_E_INVAL);
    cr_assert_eq(nbs_kv_write(&d, "a", 1, NBS_KV_INT64, "1234567", 7), NBS_E_INVAL);
    cr_assert_eq(nbs_kv_write(&d, "a", 1, NBS_KV_ANY, "x", 1), NBS_E_INVAL);
    cr_assert_eq(nbs_kv_write(&d, "a", 1, NBS_KV_FORMATS, "x", 1), NBS_E_INVAL);
    cr_assert_eq(nbs_kv_read(&d, "a", 1, NBS_KV_FORMATS, NULL, 0, NULL, NULL), NBS_E_INVAL);
    cr_assert_eq(r.rf.programs, programs);
    rig_close(&r);
}

Test(kv, mode_r_refuses_writes_and_deletes_and_closed_handles_refuse_all) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain w, ro;
    open_domain(&r, &w, "d", true);
    write_text(&w, "a", NBS_KV_STRING, "x");
    open_domain(&r, &ro, "d", false);
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_kv_write(&ro, "a", 1, NBS_KV_STRING, "y", 1), NBS_E_KV_MODE);
    cr_assert_eq(nbs_kv_delete(&ro, "a", 1, NULL), NBS_E_KV_MODE);
    cr_assert_eq(nbs_kv_delete(&ro, "zz", 2, NULL), NBS_E_KV_MODE, "even for an absent key");
    cr_assert_eq(r.rf.programs, programs);
    expect_text(&ro, "a", NBS_KV_STRING, "x");
    cr_assert_eq(nbs_kv_close(&ro), NBS_OK);
    cr_assert_eq(nbs_kv_close(&ro), NBS_E_KV_CLOSED);
    cr_assert_eq(nbs_kv_read(&ro, "a", 1, NBS_KV_ANY, NULL, 0, NULL, NULL), NBS_E_KV_CLOSED);
    nbs_kv_iter it;
    cr_assert_eq(nbs_kv_keys_init(&ro, &it), NBS_E_KV_CLOSED);
    cr_assert_eq(nbs_kv_erase_all(&r.kv), NBS_OK);
    cr_assert_eq(nbs_kv_write(&w, "a", 1, NBS_KV_STRING, "y", 1), NBS_E_KV_CLOSED,
                 "erase_all closes every handle: its id no longer names the domain");
    cr_assert_eq(nbs_kv_open(&r.kv, &ro, "d", 1, false), NBS_E_NOT_FOUND);
    rig_close(&r);
}

Test(kv, delete_says_whether_the_key_existed) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain d;
    open_domain(&r, &d, "d", true);
    write_text(&d, "a", NBS_KV_BUFFER, "1");
    bool existed = false;
    cr_assert_eq(nbs_kv_delete(&d, "a", 1, &existed), NBS_OK);
    cr_assert(existed);
    uint64_t programs = r.rf.programs;
    cr_assert_eq(nbs_kv_delete(&d, "a", 1, &existed), NBS_OK);
    cr_assert_not(existed);
    cr_assert_eq(r.rf.programs, programs, "deleting an absent key writes nothing");
    cr_assert_eq(nbs_kv_read(&d, "a", 1, NBS_KV_ANY, NULL, 0, NULL, NULL), NBS_E_NOT_FOUND);
    rig_close(&r);
}

static size_t collect(nbs_kv_iter *it, bool domains, char names[][8], size_t max) {
    size_t n = 0;
    for (;;) {
        char out[8];
        size_t len = 0;
        int rc = domains ? nbs_kv_domains_next(it, out, sizeof out - 1, &len)
                         : nbs_kv_keys_next(it, out, sizeof out - 1, &len);
        if (rc == NBS_E_END) return n;
        cr_assert_eq(rc, NBS_OK, "%s", nbs_strerror(rc));
        cr_assert_lt(n, max);
        out[len] = '\0';
        memcpy(names[n++], out, len + 1);
    }
}

static bool listed(char names[][8], size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return true;
    return false;
}

Test(kv, domains_are_apart_and_iteration_lists_only_its_own) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain a, b;
    open_domain(&r, &a, "alpha", true);
    open_domain(&r, &b, "beta", true);
    write_text(&a, "k", NBS_KV_STRING, "in alpha");
    write_text(&b, "k", NBS_KV_BUFFER, "in beta");
    write_text(&a, "x", NBS_KV_STRING, "only alpha");
    cr_assert_eq(nbs_kv_write(&b, "", 0, NBS_KV_UINT8, "\x07", 1), NBS_OK, "an empty key");
    expect_text(&a, "k", NBS_KV_STRING, "in alpha");
    expect_text(&b, "k", NBS_KV_BUFFER, "in beta");
    cr_assert_eq(nbs_kv_read(&b, "x", 1, NBS_KV_ANY, NULL, 0, NULL, NULL), NBS_E_NOT_FOUND);

    char names[8][8];
    nbs_kv_iter it;
    cr_assert_eq(nbs_kv_keys_init(&a, &it), NBS_OK);
    size_t n = collect(&it, false, names, 8);
    cr_assert_eq(n, 2);
    cr_assert(listed(names, n, "k") && listed(names, n, "x"));
    cr_assert_eq(nbs_kv_keys_init(&b, &it), NBS_OK);
    n = collect(&it, false, names, 8);
    cr_assert_eq(n, 2);
    cr_assert(listed(names, n, "k") && listed(names, n, ""));
    nbs_kv_domains_init(&r.kv, &it);
    n = collect(&it, true, names, 8);
    cr_assert_eq(n, 2);
    cr_assert(listed(names, n, "alpha") && listed(names, n, "beta"));
    rig_close(&r);
}

Test(kv, a_buffer_too_small_reports_the_size_and_keeps_the_iteration_in_place) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain d;
    open_domain(&r, &d, "d", true);
    write_text(&d, "longer-key", NBS_KV_STRING, "twelve bytes");
    char out[4];
    size_t len = 0;
    cr_assert_eq(nbs_kv_read(&d, "longer-key", 10, NBS_KV_STRING, out, sizeof out, &len, NULL),
                 NBS_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, 12);
    nbs_kv_iter it;
    cr_assert_eq(nbs_kv_keys_init(&d, &it), NBS_OK);
    cr_assert_eq(nbs_kv_keys_next(&it, out, sizeof out, &len), NBS_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, 10);
    char key[16];
    cr_assert_eq(nbs_kv_keys_next(&it, key, sizeof key, &len), NBS_OK, "the same key again");
    cr_assert_eq(len, 10);
    cr_assert_arr_eq(key, "longer-key", 10);
    cr_assert_eq(nbs_kv_keys_next(&it, key, sizeof key, &len), NBS_E_END);
    rig_close(&r);
}

Test(kv, name_and_key_lengths_have_limits) {
    rig r;
    rig_open(&r, 4, 1024);
    char name[NBS_KV_NAME_MAX + 2];
    memset(name, 'n', sizeof name);
    nbs_kv_domain d;
    cr_assert_eq(nbs_kv_open(&r.kv, &d, name, 0, true), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_kv_open(&r.kv, &d, name, NBS_KV_NAME_MAX + 1, true), NBS_E_KEY_LEN);
    cr_assert_eq(nbs_kv_open(&r.kv, &d, name, NBS_KV_NAME_MAX, true), NBS_OK);
    cr_assert_eq(nbs_kv_write(&d, name, NBS_KV_KEY_MAX, NBS_KV_BUFFER, "v", 1), NBS_OK);
    cr_assert_eq(nbs_kv_write(&d, name, NBS_KV_KEY_MAX + 1, NBS_KV_BUFFER, "v", 1), NBS_E_KEY_LEN);
    uint32_t max = nbs_kv_max_value(&r.cfg.flash, 1);
    cr_assert_eq(max, nbs_map_max_value(&r.cfg.flash, 2) - 1);
    uint8_t *big = calloc(1, max + 1);
    cr_assert_eq(nbs_kv_write(&d, "k", 1, NBS_KV_BUFFER, big, max), NBS_OK);
    cr_assert_eq(nbs_kv_write(&d, "k", 1, NBS_KV_BUFFER, big, max + 1), NBS_E_TOO_BIG);
    free(big);
    rig_close(&r);
}

Test(kv, the_store_holds_255_domains_and_refuses_one_more) {
    rig r;
    rig_open(&r, 4, 4096);
    nbs_kv_domain d;
    char name[16]; /* "d" and any int (snprintf truncation is checked) */
    for (int i = 0; i < 255; i++) {
        snprintf(name, sizeof name, "d%d", i);
        open_domain(&r, &d, name, true);
    }
    cr_assert_eq(nbs_kv_open(&r.kv, &d, "one-more", 8, true), NBS_E_KV_DOMAINS);
    open_domain(&r, &d, "d254", false); /* existing ones still open */
    rig_close(&r);
}

/* SPEC section 9, read through the map: the directory maps a name to its id; a value's map key
 * is the id then the key, its map value the format byte then the value. */
Test(kv, the_on_flash_form_is_the_spec_s) {
    rig r;
    rig_open(&r, 4, 1024);
    nbs_kv_domain a, b;
    open_domain(&r, &a, "first", true);
    open_domain(&r, &b, "second", true);
    cr_assert_eq(nbs_kv_write(&b, "n", 1, NBS_KV_INT16, "\x34\x12", 2), NBS_OK);
    uint8_t value[8];
    size_t len = 0;
    cr_assert_eq(nbs_map_fetch(&r.map, "\x00second", 7, value, sizeof value, &len), NBS_OK);
    cr_assert_eq(len, 1);
    cr_assert_eq(value[0], 2, "ids are given from 1 up, the lowest free first");
    cr_assert_eq(nbs_map_fetch(&r.map, "\x02n", 2, value, sizeof value, &len), NBS_OK);
    cr_assert_eq(len, 3);
    cr_assert_eq(value[0], NBS_KV_INT16);
    cr_assert_eq(value[1], 0x34);
    cr_assert_eq(value[2], 0x12);
    /* A value whose format byte the format does not define is corrupt, never read as bytes. */
    cr_assert_eq(nbs_map_store(&r.map, "\x02z", 2, "\x0Bxy", 3), NBS_OK);
    cr_assert_eq(nbs_kv_read(&b, "z", 1, NBS_KV_ANY, value, sizeof value, &len, NULL),
                 NBS_E_CORRUPT);
    cr_assert_eq(nbs_map_store(&r.map, "\x02w", 2, "\x05x", 2), NBS_OK);
    cr_assert_eq(nbs_kv_read(&b, "w", 1, NBS_KV_ANY, value, sizeof value, &len, NULL),
                 NBS_E_CORRUPT, "a uint16 of one byte");
    /* Keys carrying an id no directory entry names keep that id from a new domain. */
    cr_assert_eq(nbs_map_store(&r.map, "\x03orphan", 7, "\x01", 1), NBS_OK);
    nbs_kv_domain c;
    open_domain(&r, &c, "third", true);
    cr_assert_eq(nbs_map_fetch(&r.map, "\x00third", 6, value, sizeof value, &len), NBS_OK);
    cr_assert_eq(value[0], 4);
    rig_close(&r);
}

Test(kv, strerror_names_the_new_codes) {
    cr_assert_str_eq(nbs_strerror(NBS_E_KV_TYPE), "value stored in another format");
    cr_assert_str_eq(nbs_strerror(NBS_E_KV_MODE), "domain opened read-only");
    cr_assert_str_eq(nbs_strerror(NBS_E_KV_CLOSED), "domain not open");
    cr_assert_str_eq(nbs_strerror(NBS_E_KV_DOMAINS), "no domain id left");
    cr_assert_str_eq(nbs_strerror(NBS_E_FS_NOT_LINK - 1), "unknown error");
}
