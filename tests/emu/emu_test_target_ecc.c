/* `--target stm32l4`: double words a power cut left that their ECC cannot correct, in the
 * scenario's flash, reach the agent's engine as they reach the host engine. A sweep cuts the
 * power inside each flash operation of a small map's stores (torn `bits`: no weak bits, so every
 * read of a torn word decodes the same way), then, from the same torn flash (a NOR snapshot),
 * mounts and fetches every key once with the host engine and once on the board: the answers, the
 * flash after them and the number of the engine's reads that returned an ECC error (the host's
 * NOR model's count, the agent's) are the same at every cut, and ECC errors come up at some. The
 * same sweep on a board whose ECC fault is silenced (EMU_BREAK_ECC_SILENT: the load reads on, as
 * the storage did before its reads were decoded) differs at one cut at least: the engine's answers
 * do not show it (its CRCs catch what the ECC would have), the count of ECC errors does. */
#include "adapter.h"
#include "emu.h"
#include "emu_target.h"
#include "nor.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT     EMU_FIRMWARE_DIR "/agent-stm32l4.elf"
#define PAGE      2048u
#define PAGES     3u
#define KEYS      5
#define STORES    16
#define VALUE_MAX 200

typedef struct outcome {
    int mount_rc;
    int rc[KEYS];
    size_t len[KEYS];
    uint8_t value[KEYS][VALUE_MAX];
    uint8_t flash[PAGES * PAGE];
    uint64_t ecc_reads; /* the engine's reads that returned an ECC error */
} outcome;

static char fatal_message[600];

static void record_fatal(const char *message) {
    snprintf(fatal_message, sizeof fatal_message, "%s", message);
}

static const adapter_config range = {.start = 0, .size = PAGES * PAGE, .page_size = PAGE};

static void key_of(int i, char key[16]) {
    snprintf(key, 16, "k%d", i);
}

/* Store number n: key n % KEYS, a value whose length and bytes follow from n. */
static size_t value_of(int n, uint8_t *value) {
    size_t len = 40 + (size_t)(n * 37) % (VALUE_MAX - 40);
    for (size_t i = 0; i < len; i++) value[i] = (uint8_t)(n * 31 + i * 7);
    return len;
}

/* The device with the host engine's stores cut inside flash operation `cut` after the first
 * mount; NULL when the stores end before it. */
static nor *torn_device(uint64_t cut) {
    nor_config cfg = *nor_preset_find("stm32l4-1m");
    cfg.regions[0].count = PAGES;
    cfg.region_count = 1;
    nor *dev;
    cr_assert_eq(nor_create(&dev, &cfg, 11), NOR_OK);
    nor_set_torn_modes(dev, NOR_TORN_PROG_BITS, NOR_TORN_ERASE_PARTIAL);
    adapter a;
    cr_assert_eq(adapter_nbs_map_create(&a, dev, &range), NBS_OK);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    nor_arm_cut_after_ops(dev, cut);
    int rc = NBS_OK;
    for (int n = 0; n < STORES && rc == NBS_OK; n++) {
        char key[16];
        uint8_t value[VALUE_MAX];
        key_of(n % KEYS, key);
        size_t len = value_of(n, value);
        rc = a.store(a.ctx, key, strlen(key), value, len);
    }
    adapter_destroy(&a);
    if (rc == NBS_OK) {
        nor_destroy(dev);
        return NULL;
    }
    cr_assert(!nor_is_powered(dev), "store failed without a cut: %d", rc);
    return dev;
}

/* Power on, mount, fetch every key, on the host (board NULL) or on the board. */
static void recover(nor *dev, const nor_snapshot *torn, bool on_board, unsigned test_break,
                    outcome *out) {
    memset(out, 0, sizeof *out);
    cr_assert_eq(nor_snapshot_restore(dev, torn), NOR_OK);
    nor_power_on(dev);
    nor_stats before, after;
    nor_get_stats(dev, &before);
    adapter a;
    if (on_board) {
        fatal_message[0] = '\0';
        emu_target_select(&(emu_target){.board = "stm32l4",
                                        .firmware = AGENT,
                                        .fatal = record_fatal,
                                        .refused = record_fatal,
                                        .test_break = test_break});
        cr_assert_eq(emu_target_find_engine("map")->create(&a, dev, &range), NBS_OK, "%s",
                     fatal_message);
    } else {
        cr_assert_eq(adapter_nbs_map_create(&a, dev, &range), NBS_OK);
    }
    out->mount_rc = a.mount(a.ctx);
    for (int i = 0; i < KEYS && out->mount_rc == NBS_OK; i++) {
        char key[16];
        key_of(i, key);
        out->rc[i] = a.fetch(a.ctx, key, strlen(key), out->value[i], VALUE_MAX, &out->len[i]);
    }
    /* On the host every read of the device is the engine's; on the board the agent counts. */
    nor_get_stats(dev, &after);
    out->ecc_reads = on_board ? emu_target_ecc_reads(&a) : after.ecc_errors - before.ecc_errors;
    adapter_destroy(&a);
    cr_assert_str_empty(fatal_message, "the board stopped: %s", fatal_message);
    nor_peek(dev, 0, out->flash, sizeof out->flash);
}

/* Where two recoveries differ, or "" when they do not. */
static void difference(const outcome *x, const outcome *y, char *why, size_t size) {
    why[0] = '\0';
    if (x->mount_rc != y->mount_rc)
        snprintf(why, size, "mount %d and %d", x->mount_rc, y->mount_rc);
    if (!why[0] && x->ecc_reads != y->ecc_reads)
        snprintf(why, size, "reads with an ECC error: %llu and %llu",
                 (unsigned long long)x->ecc_reads, (unsigned long long)y->ecc_reads);
    for (int i = 0; i < KEYS && !why[0]; i++)
        if (x->rc[i] != y->rc[i] ||
            (x->rc[i] == NBS_OK &&
             (x->len[i] != y->len[i] || memcmp(x->value[i], y->value[i], x->len[i]))))
            snprintf(why, size, "key %d: %d (%zu bytes) and %d (%zu bytes)", i, x->rc[i], x->len[i],
                     y->rc[i], y->len[i]);
    for (size_t i = 0; i < sizeof x->flash && !why[0]; i++)
        if (x->flash[i] != y->flash[i])
            snprintf(why, size, "flash byte 0x%zx: 0x%02x and 0x%02x", i, x->flash[i], y->flash[i]);
}

Test(target_ecc, torn_ecc_words_reach_the_engine_on_the_board_as_on_the_host, .timeout = 240) {
    unsigned cuts = 0, with_ecc_errors = 0, silent_differs = 0;
    nor *dev;
    for (uint64_t cut = 0; (dev = torn_device(cut)) != NULL; cut++) {
        nor_snapshot *torn;
        cr_assert_eq(nor_snapshot_take(dev, &torn), NOR_OK);
        static outcome host, board, silent;
        recover(dev, torn, false, EMU_BREAK_NONE, &host);
        recover(dev, torn, true, EMU_BREAK_NONE, &board);
        recover(dev, torn, true, EMU_BREAK_ECC_SILENT, &silent);
        char why[200];
        difference(&host, &board, why, sizeof why);
        cr_assert_str_empty(why, "cut in operation %llu: the host and the board differ: %s",
                            (unsigned long long)cut, why);
        difference(&host, &silent, why, sizeof why);
        silent_differs += why[0] != '\0';
        with_ecc_errors += host.ecc_reads > 0;
        cuts++;
        nor_snapshot_free(torn);
        nor_destroy(dev);
    }
    cr_log_info("%u cuts, %u with ECC errors, the silenced board differs at %u", cuts,
                with_ecc_errors, silent_differs);
    cr_assert_gt(cuts, 20);
    cr_assert_gt(with_ecc_errors, 0, "no cut left a word ECC cannot correct");
    cr_assert_gt(silent_differs, 0, "the sweep cannot tell a board whose ECC errors are lost");
}
