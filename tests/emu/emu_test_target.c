/* `--target`: scenarios run by the runner on each board (nrf52840, stm32f4, stm32l4), in the
 * agent firmware, end with the same flash as on the host, bit for bit, and with the same flash
 * figures (bytes programmed, erases per sector, violations), read-only mounts, key-value domains
 * and map and kv transactions included (the suite's scenarios on each board's flash); the
 * comparison sees the difference a broken engine in the firmware makes; a scenario flash the
 * board cannot hold is refused with its reason. The stm32l4's torn ECC words in the scenario's
 * flash reach the engine as on the host: tests/emu/emu_test_target_ecc.c. (Built only when
 * Unicorn and arm-none-eabi-gcc are present.) */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include "emu.h"
#include "emu_target.h"
#include "runner.h"
#include "scenario.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT                 EMU_FIRMWARE_DIR "/agent-nrf52840.elf"
#define AGENT_STM32F4         EMU_FIRMWARE_DIR "/agent-stm32f4.elf"
#define AGENT_STM32L4         EMU_FIRMWARE_DIR "/agent-stm32l4.elf"
#define AGENT_BROKEN(variant) EMU_FIRMWARE_DIR "/agent-broken-" variant "-nrf52840.elf"
#define MAP_SCENARIO          SCENARIO_DIR "/powercut/map-random-nrf52840.json"
#define QUEUE_SCENARIO        SCENARIO_DIR "/powercut/queue-pages-nrf52840.json"
#define READ_ONLY_MAP         SCENARIO_DIR "/powercut/read-only-map-nrf52840.json"
#define READ_ONLY_QUEUE       SCENARIO_DIR "/powercut/read-only-queue-nrf52840.json"

static char fatal_message[600];

/* The board's failures end the test with their message instead of ending the process. */
static void record_fatal(const char *message) {
    snprintf(fatal_message, sizeof fatal_message, "%s", message);
}

/* The board an agent ELF is built for: its name ends in -BOARD.elf. */
static const char *board_of(const char *firmware) {
    static const char *const boards[] = {"nrf52840", "stm32f4", "stm32l4"};
    for (size_t i = 0; i < sizeof boards / sizeof *boards; i++) {
        char tail[32];
        snprintf(tail, sizeof tail, "-%s.elf", boards[i]);
        size_t n = strlen(firmware), t = strlen(tail);
        if (n > t && strcmp(firmware + n - t, tail) == 0) return boards[i];
    }
    cr_assert_fail("%s: no board in its name", firmware);
    return NULL;
}

static void select_board(const char *firmware) {
    fatal_message[0] = '\0';
    emu_target_select(&(emu_target){.board = board_of(firmware),
                                    .firmware = firmware,
                                    .fatal = record_fatal,
                                    .refused = record_fatal});
}

typedef struct run_end {
    scenario_result result;
    nor *dev;
} run_end;

/* The scenario to its end, on the host (firmware NULL) or on the board. */
static run_end run_on(const char *path, const char *firmware) {
    run_end end = {0};
    runner_options o = {.keep_device = &end.dev};
    if (firmware) {
        select_board(firmware);
        o.find_engine = emu_target_find_engine;
    }
    scenario_errors errors;
    int rc = runner_run_file(path, &o, &end.result, &errors);
    scenario_errors_free(&errors);
    cr_assert(rc == RUNNER_OK || rc == RUNNER_E_FAILED, "%s on %s: %s %s", path,
              firmware ? firmware : "the host", end.result.message, fatal_message);
    cr_assert_not_null(end.dev);
    return end;
}

static void run_end_free(run_end *end) {
    free(end->result.sector_erases);
    nor_destroy(end->dev);
}

/* Where two runs' flash differs, or "" when it does not: the bytes, then the figures. */
static void flash_difference(const run_end *a, const run_end *b, char *why, size_t size) {
    why[0] = '\0';
    uint32_t bytes = nor_size(a->dev);
    if (bytes != nor_size(b->dev)) {
        snprintf(why, size, "device sizes %u and %u", bytes, nor_size(b->dev));
        return;
    }
    uint8_t *x = malloc(bytes), *y = malloc(bytes);
    cr_assert(x && y);
    nor_peek(a->dev, 0, x, bytes);
    nor_peek(b->dev, 0, y, bytes);
    for (uint32_t i = 0; i < bytes && !why[0]; i++)
        if (x[i] != y[i]) snprintf(why, size, "byte 0x%x: 0x%02x and 0x%02x", i, x[i], y[i]);
    free(x);
    free(y);
    const scenario_result *r = &a->result, *s = &b->result;
    if (!why[0] && r->program_bytes != s->program_bytes)
        snprintf(why, size, "bytes programmed: %llu and %llu", (unsigned long long)r->program_bytes,
                 (unsigned long long)s->program_bytes);
    if (!why[0] && (r->erases != s->erases || r->violations != s->violations ||
                    r->ecc_errors != s->ecc_errors))
        snprintf(why, size, "erases %llu and %llu, violations %llu and %llu",
                 (unsigned long long)r->erases, (unsigned long long)s->erases,
                 (unsigned long long)r->violations, (unsigned long long)s->violations);
    for (uint32_t i = 0; !why[0] && i < r->sector_count; i++)
        if (r->sector_erases[i] != s->sector_erases[i])
            snprintf(why, size, "sector %u erased %u and %u times", i, r->sector_erases[i],
                     s->sector_erases[i]);
}

static void same_on_host_and_board(const char *path, const char *agent) {
    run_end host = run_on(path, NULL), board = run_on(path, agent);
    cr_assert_eq(host.result.verdict, RUN_PASS, "%s", host.result.message);
    cr_assert_eq(board.result.verdict, RUN_PASS, "%s", board.result.message);
    char why[200];
    flash_difference(&host, &board, why, sizeof why);
    cr_assert_str_empty(why, "%s: the host and the board differ: %s", path, why);
    /* The work was done: the scenario programs and erases, and on the board the flash
     * controller programs one write unit per operation (a 32-bit word; the stm32l4's double
     * word). */
    cr_assert_gt(host.result.erases, 0);
    cr_assert_eq(board.result.programs,
                 board.result.program_bytes / nor_get_config(board.dev)->write_unit);
    run_end_free(&host);
    run_end_free(&board);
}

Test(target, map_scenario_same_flash_on_host_and_board) {
    same_on_host_and_board(MAP_SCENARIO, AGENT);
}

Test(target, queue_scenario_same_flash_on_host_and_board) {
    same_on_host_and_board(QUEUE_SCENARIO, AGENT);
}

/* The stm32f4's sectors are unequal: the scenario's flash is the whole part, the engine in its
 * last two 128 KiB sectors, the agent in the first ones (left out of the storage). */
Test(target, stm32f4_same_flash_on_host_and_board) {
    same_on_host_and_board(SCENARIO_DIR "/suite/map-stm32f4-128k.json", AGENT_STM32F4);
}

/* The stm32l4's double words with ECC, programmed once: a map with GC rounds, a queue. */
Test(target, stm32l4_same_flash_on_host_and_board) {
    same_on_host_and_board(SCENARIO_DIR "/powercut/map-gc-ecc-stm32l4.json", AGENT_STM32L4);
    same_on_host_and_board(SCENARIO_DIR "/powercut/queue-ecc-stm32l4.json", AGENT_STM32L4);
}

/* Read-only mounts (MBOX_CMD_MOUNT_READ_ONLY) between read-write runs: the writes refused, the
 * reads and the flash as on the host. */
Test(target, read_only_scenarios_same_flash_on_host_and_board) {
    same_on_host_and_board(READ_ONLY_MAP, AGENT);
    same_on_host_and_board(READ_ONLY_QUEUE, AGENT);
}

/* The comparison is not blind: the firmware built with an engine that programs over a dead
 * page without erasing it first leaves other flash (and fails the scenario). */
Test(target, comparison_sees_a_broken_engine_in_the_firmware) {
    run_end host = run_on(QUEUE_SCENARIO, NULL);
    run_end board = run_on(QUEUE_SCENARIO, AGENT_BROKEN("no-erase-before-open"));
    cr_assert_eq(board.result.verdict, RUN_FAIL);
    char why[200];
    flash_difference(&host, &board, why, sizeof why);
    cr_assert_str_not_empty(why);
    run_end_free(&host);
    run_end_free(&board);
}

/* The suite's scenario `name` on a board's flash: its text with each (from, to) pair replaced
 * (the flash line, and the sizes that make a value or a transaction too big or the store full on
 * the tiny part's 256-byte pages), written to a temporary file whose path is returned. */
static const char *on_board_flash(const char *name, const char *const *pairs, size_t count) {
    char path[512];
    snprintf(path, sizeof path, "%s/suite/%s.json", SCENARIO_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    for (size_t i = 0; i + 1 < count; i += 2) {
        char *at = strstr(text, pairs[i]);
        cr_assert_not_null(at, "%s: no %s in it", path, pairs[i]);
        for (; at; at = strstr(at, pairs[i])) {
            size_t from = strlen(pairs[i]), to = strlen(pairs[i + 1]);
            cr_assert_lt(strlen(text) + to, sizeof text);
            memmove(at + to, at + from, strlen(at + from) + 1);
            memcpy(at, pairs[i + 1], to);
            at += to;
        }
    }
    static char out[64];
    snprintf(out, sizeof out, "norbench-target-XXXXXX"); /* in the test's directory */
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    FILE *w = fdopen(fd, "wb");
    fputs(text, w);
    fclose(w);
    return out;
}

/* Each of the suite's kv and transaction scenarios on the board's flash, against the host. */
typedef struct board_variant {
    const char *agent;
    const char *name;
    const char *pairs[8];
} board_variant;

#define NRF_FLASH(from) from, "\"preset\": \"nrf52840\", \"sectors\": 2"
#define L4_FLASH(from)  from, "\"preset\": \"stm32l4-1m\", \"sectors\": 2"
#define TINY            "\"preset\": \"tiny\""
#define W25Q_8          "\"preset\": \"w25q16jv\", \"sectors\": 8"

static const board_variant kv_and_txn[] = {
    {AGENT, "kv-domains", {NRF_FLASH(W25Q_8)}},
    {AGENT, "kv-errors", {NRF_FLASH(TINY), "\"random\": 240", "\"random\": 4100"}},
    {AGENT,
     "map-txn",
     {NRF_FLASH(TINY), "\"random\": 100", "\"random\": 1400", "\"random\": 90", "\"random\": 600"}},
    {AGENT_STM32L4, "kv-domains", {L4_FLASH(W25Q_8)}},
    {AGENT_STM32L4, "kv-errors", {L4_FLASH(TINY), "\"random\": 240", "\"random\": 2100"}},
    {AGENT_STM32L4,
     "map-txn",
     {L4_FLASH(TINY), "\"random\": 100", "\"random\": 700", "\"random\": 90", "\"random\": 300"}},
    /* The stm32f4: kv in its 16 KiB sectors 2 and 3 (kv needs a page's buffer in the agent's
     * RAM: not on 128 KiB pages), transactions in its last two 128 KiB sectors: the one too big
     * for a page (three members of 66,000 bytes) is refused on the board for a member larger
     * than the mailbox, before the agent's staging (96,064 bytes there) would refuse it as
     * txn_buffer (docs/emu.md). */
    {AGENT_STM32F4,
     "kv-domains",
     {W25Q_8, "\"preset\": \"stm32f4-1m\"", "\"type\": \"kv\" }",
      "\"type\": \"kv\", \"start\": 32768, \"size\": 32768 }"}},
    {AGENT_STM32F4,
     "map-txn",
     {TINY "", "\"preset\": \"stm32f4-1m\"", "\"type\": \"map\",",
      "\"type\": \"map\", \"start\": 786432,", "\"random\": 100", "\"random\": 66000",
      "\"random\": 90", "\"random\": 18000"}},
};

static size_t pair_count(const board_variant *v) {
    size_t n = 0;
    while (n < sizeof v->pairs / sizeof *v->pairs && v->pairs[n]) n++;
    return n;
}

Test(target, kv_and_transactions_same_flash_on_host_and_board) {
    for (size_t i = 0; i < sizeof kv_and_txn / sizeof *kv_and_txn; i++) {
        const board_variant *v = &kv_and_txn[i];
        const char *path = on_board_flash(v->name, v->pairs, pair_count(v));
        same_on_host_and_board(path, v->agent);
        remove(path);
    }
}

/* The comparison sees an agent whose kv write removes the old value in a write of its own, and
 * one whose commit writes each member as its own item. */
Test(target, comparison_sees_broken_kv_and_transactions) {
    static const board_variant broken[] = {
        {AGENT_BROKEN("kv-remove-first"), "kv-domains", {NRF_FLASH(W25Q_8)}},
        {AGENT_BROKEN("txn-split"),
         "map-txn",
         {NRF_FLASH(TINY), "\"random\": 100", "\"random\": 1400", "\"random\": 90",
          "\"random\": 600"}},
    };
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        const char *path = on_board_flash(broken[i].name, broken[i].pairs, pair_count(&broken[i]));
        run_end host = run_on(path, NULL), board = run_on(path, broken[i].agent);
        char why[200];
        flash_difference(&host, &board, why, sizeof why);
        cr_assert_str_not_empty(why, "%s: no difference", broken[i].agent);
        run_end_free(&host);
        run_end_free(&board);
        remove(path);
    }
}

/* A scenario flash the board cannot hold is refused, saying why, before anything runs. */
static void refused(const char *firmware, const nor_config *cfg, const char *expected) {
    nor *dev;
    cr_assert_eq(nor_create(&dev, cfg, 1), NOR_OK);
    emu_options o = {.board = board_of(firmware), .elf_path = firmware, .storage = dev};
    emu *m = NULL;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_open(&m, &o, why, sizeof why), -1);
    cr_assert_null(m);
    cr_assert(strstr(why, expected), "said: %s (expected: %s)", why, expected);
    nor_destroy(dev);
}

Test(target, flash_the_board_cannot_hold_is_refused) {
    refused(AGENT, nor_preset_find("tiny"), "does not write like the nrf52840's flash");
    nor_config big = *nor_preset_find("nrf52840");
    big.regions[0].count = 300; /* more than the board has */
    refused(AGENT, &big, "(1228800 bytes) is larger than the nrf52840's flash (1048576 bytes)");
    /* The stm32f4's first four sectors (16 KiB) cannot sit where its last ones (128 KiB) are. */
    nor_config small = *nor_preset_find("stm32f4-1m");
    small.regions[0].count = 4;
    small.region_count = 1;
    refused(AGENT_STM32F4, &small,
            "the scenario's flash sector at 0x0 (16384 bytes) does not match a sector of the "
            "stm32f4's flash at 0x080f0000");
}

/* One that fits sits at the end of the board's flash, and the agent's engine owns it. */
Test(target, flash_that_fits_is_placed_at_the_end) {
    nor_config cfg = *nor_preset_find("nrf52840");
    cfg.regions[0].count = 3;
    nor *dev;
    cr_assert_eq(nor_create(&dev, &cfg, 1), NOR_OK);
    emu_options o = {.board = "nrf52840", .elf_path = AGENT, .storage = dev};
    emu *m = NULL;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_open(&m, &o, why, sizeof why), 0, "%s", why);
    cr_assert_eq(emu_storage_base(m), 0x100000u - 3 * 4096u);
    cr_assert_eq(emu_storage_first(m), 0);
    emu_close(m);
    nor_destroy(dev);
}

/* A flash as large as the board's: its pages on the agent are left out, and an engine range
 * that starts on them is refused with where it may start. */
Test(target, flash_as_large_as_the_board_leaves_out_the_firmware) {
    nor *dev;
    cr_assert_eq(nor_create(&dev, nor_preset_find("nrf52840"), 1), NOR_OK);
    emu_options o = {.board = "nrf52840", .elf_path = AGENT, .storage = dev};
    emu *m = NULL;
    char why[EMU_WHY_MAX];
    cr_assert_eq(emu_open(&m, &o, why, sizeof why), 0, "%s", why);
    uint32_t first = emu_storage_first(m);
    cr_assert_eq(emu_storage_base(m), 0);
    cr_assert(first > 0 && first % 4096 == 0 && first < 0x100000, "first 0x%x", first);
    emu_close(m);
    select_board(AGENT);
    adapter a;
    adapter_config on_firmware = {.start = 0, .size = 2 * 4096, .page_size = 4096};
    cr_assert_eq(emu_target_find_engine("map")->create(&a, dev, &on_firmware), NBS_E_GEOMETRY);
    char expected[200];
    snprintf(expected, sizeof expected, "start it at 0x%x or later (engine.start)", first);
    cr_assert(strstr(fatal_message, expected), "said: %s", fatal_message);
    adapter_config clear = {.start = first, .size = 2 * 4096, .page_size = 4096};
    cr_assert_eq(emu_target_find_engine("map")->create(&a, dev, &clear), NBS_OK);
    cr_assert_eq(a.mount(a.ctx), NBS_OK);
    adapter_destroy(&a);
    nor_destroy(dev);
}

/* A firmware that stops answering (here: it runs past its instruction budget in the boot a
 * mount starts with) ends the call with one message naming the call, the stop and the PC. */
Test(target, a_call_that_does_not_return_is_reported_with_its_pc) {
    fatal_message[0] = '\0';
    emu_target_select(&(emu_target){.board = "nrf52840",
                                    .firmware = AGENT,
                                    .max_instructions = 100, /* not even the startup code */
                                    .fatal = record_fatal});
    nor_config cfg = *nor_preset_find("nrf52840");
    cfg.regions[0].count = 2;
    nor *dev;
    cr_assert_eq(nor_create(&dev, &cfg, 1), NOR_OK);
    adapter a;
    adapter_config ac = {.start = 0, .size = 2 * 4096, .page_size = 4096};
    cr_assert_eq(emu_target_find_engine("map")->create(&a, dev, &ac), NBS_OK);
    int rc = a.mount(a.ctx);
    cr_assert_eq(rc, NBS_E_IO, "mount: %d %s", rc, fatal_message);
    cr_assert(
        strstr(
            fatal_message,
            "target nrf52840: the agent firmware stopped answering during "
            "its boot (no greeting in the mailbox): runaway: still running after 100 instructions"),
        "said: %s", fatal_message);
    cr_assert(strstr(fatal_message, " at pc 0x"), "said: %s", fatal_message);
    /* No answer, no more calls: the board is down until the next mount. */
    uint32_t count = 7;
    fatal_message[0] = '\0';
    cr_assert_eq(a.count(a.ctx, &count), NBS_E_IO);
    cr_assert_str_empty(fatal_message);
    adapter_destroy(&a);
    nor_destroy(dev);
}
