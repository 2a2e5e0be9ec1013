/* Helpers shared by the NOR model tests: small custom geometries and an event recorder. */
#ifndef NORBENCH_NOR_TEST_UTIL_H
#define NORBENCH_NOR_TEST_UTIL_H

#include "nor.h"

#include <criterion/criterion.h>
#include <string.h>

/* 4 sectors of 256 bytes, byte writes, unlimited rewrites, no wear: the "tiny" preset. */
static inline nor_config test_tiny_config(void) {
    return *nor_preset_find("tiny");
}

/* A geometry with a chosen write unit and policy, 4 x 256-byte sectors. */
static inline nor_config test_config(uint32_t write_unit, nor_write_policy policy,
                                     uint32_t max_writes, bool ecc) {
    nor_config cfg = test_tiny_config();
    strcpy(cfg.name, "test");
    cfg.write_unit = write_unit;
    cfg.write_policy = policy;
    cfg.max_writes_per_unit = max_writes;
    cfg.ecc = ecc;
    return cfg;
}

/* The tiny geometry with a 256-byte SPI program page: every bit of a program moves at once. */
static inline nor_config test_spi_config(void) {
    nor_config cfg = test_tiny_config();
    strcpy(cfg.name, "test-spi");
    cfg.page_size = 256;
    return cfg;
}

static inline nor *test_create(const nor_config *cfg, uint64_t seed) {
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, cfg, seed), NOR_OK);
    cr_assert_not_null(dev);
    return dev;
}

#define TEST_MAX_EVENTS 64
typedef struct event_log {
    nor_event events[TEST_MAX_EVENTS];
    int count;
} event_log;

static inline void test_record_event(void *ctx, const nor_event *ev) {
    event_log *log = ctx;
    if (log->count < TEST_MAX_EVENTS) log->events[log->count] = *ev;
    log->count++;
}

static inline int test_count_events(const event_log *log, nor_event_kind kind) {
    int n = 0;
    for (int i = 0; i < log->count && i < TEST_MAX_EVENTS; i++) n += log->events[i].kind == kind;
    return n;
}

static inline int test_popcount8(uint8_t x) {
    int n = 0;
    for (; x; x &= (uint8_t)(x - 1)) n++;
    return n;
}

/* Bits of [addr, addr+len) (len <= 256) that read differently over `reads` live reads: the
 * weak bits, all but surely. */
static inline int test_varying_bits(nor *dev, uint32_t addr, uint32_t len, int reads) {
    uint8_t first[256], again[256], varying[256] = {0};
    cr_assert_neq(nor_read(dev, addr, first, len), NOR_E_POWER_OFF);
    for (int r = 1; r < reads; r++) {
        nor_read(dev, addr, again, len);
        for (uint32_t i = 0; i < len; i++) varying[i] |= first[i] ^ again[i];
    }
    int n = 0;
    for (uint32_t i = 0; i < len; i++) n += test_popcount8(varying[i]);
    return n;
}

#endif
