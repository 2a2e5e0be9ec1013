/* libFuzzer target "nor": a device configuration and a sequence of NOR model calls (read,
 * program, erase, poke, peek, power cuts by operation count with every torn mode, cut now,
 * power on, snapshot and restore), each answer checked against nor_reference.c, the plain
 * reference of the model's rules; erase counts, call counters and violations at the end.
 *
 * Input: the configuration (write unit, sectors, SPI page, erase value, write policy, ECC,
 * strict, erase pre-program), then one opcode byte per call followed by its arguments (see
 * run_op). */
#include "fuzz_finding.h"
#include "fuzz_input.h"
#include "nor_reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET "nor"

enum { MAX_CALLS = 256, MAX_LEN = 600 };

typedef struct nor_run {
    nor *dev;
    nor_reference ref;
    nor_snapshot *snapshot;
    nor_reference snapshot_ref;
    fuzz_input *in;
    uint8_t bytes[MAX_LEN], out[MAX_LEN];
    char why[NOR_REFERENCE_WHY];
    unsigned call;
} nor_run;

/* A valid configuration from the input: 1 or 2 regions of up to 4 sectors of 16..1024 bytes. */
static nor_config decode_config(fuzz_input *in) {
    nor_config cfg = *nor_preset_find("tiny");
    snprintf(cfg.name, sizeof cfg.name, "fuzz");
    cfg.write_unit = 1u << fuzz_input_below(in, 6);
    memset(cfg.regions, 0, sizeof cfg.regions);
    cfg.region_count = 1 + fuzz_input_below(in, 2);
    uint32_t smallest = UINT32_MAX;
    for (uint32_t i = 0; i < cfg.region_count; i++) {
        uint32_t size = 16u << fuzz_input_below(in, 7);
        if (size < cfg.write_unit) size = cfg.write_unit;
        cfg.regions[i] = (nor_region){.count = 1 + fuzz_input_below(in, 4), .size = size};
        if (size < smallest) smallest = size;
    }
    uint8_t rules = fuzz_input_u8(in);
    cfg.page_size = rules & 1 ? smallest >> fuzz_input_below(in, 3) : 0;
    if (cfg.page_size && cfg.page_size < cfg.write_unit) cfg.page_size = cfg.write_unit;
    cfg.erase_value = rules & 2 ? 0x00 : 0xFF;
    cfg.write_policy = (nor_write_policy)(rules >> 2 & 3);
    cfg.max_writes_per_unit =
        cfg.write_policy == NOR_WRITES_LIMITED ? 1 + fuzz_input_below(in, 4) : 0;
    cfg.ecc = rules & 16;
    cfg.strict = rules & 32;
    cfg.erase_preprogram = rules & 64;
    cfg.wear.endurance = 0;
    return cfg;
}

static void require(nor_run *run, bool ok, const char *what) {
    FUZZ_REQUIRE(TARGET, ok, "call %u (%s): %s", run->call, what, run->why);
}

/* An address: anywhere in or just past the device, often aligned to the write unit. */
static uint32_t decode_addr(nor_run *run) {
    uint32_t addr = fuzz_input_below(run->in, run->ref.size + 8);
    if (fuzz_input_u8(run->in) % 4) addr -= addr % run->ref.unit;
    return addr;
}

static uint32_t decode_len(nor_run *run) {
    uint8_t choice = fuzz_input_u8(run->in);
    uint32_t len = choice & 0x80 ? fuzz_input_below(run->in, MAX_LEN + 1) : choice % 40;
    if (choice % 4) len -= len % run->ref.unit;
    return len;
}

static void op_read(nor_run *run) {
    uint32_t addr = decode_addr(run), len = decode_len(run);
    int rc = nor_read(run->dev, addr, run->out, len);
    require(run, nor_reference_read(&run->ref, addr, len, rc, run->out, run->why), "read");
}

static void op_program(nor_run *run) {
    uint32_t addr = decode_addr(run), len = decode_len(run);
    fuzz_input_value(run->in, run->bytes, len);
    int rc = nor_program(run->dev, addr, run->bytes, len);
    require(run, nor_reference_program(&run->ref, addr, run->bytes, len, rc, run->why), "program");
}

static void op_erase(nor_run *run) {
    uint32_t addr = decode_addr(run);
    /* Mostly a sector start: the first sector at or after addr. */
    if (fuzz_input_u8(run->in) % 4) {
        uint32_t index, start, size;
        if (addr < run->ref.size && nor_sector_at(run->dev, addr, &index, &start, &size) == NOR_OK)
            addr = start;
    }
    int rc = nor_erase(run->dev, addr);
    require(run, nor_reference_erase(&run->ref, addr, rc, run->why), "erase");
}

static void op_poke(nor_run *run) {
    uint32_t addr = decode_addr(run), len = decode_len(run) % 64;
    fuzz_input_value(run->in, run->bytes, len);
    int rc = nor_poke(run->dev, addr, run->bytes, len);
    require(run, nor_reference_poke(&run->ref, addr, run->bytes, len, rc, run->why), "poke");
}

static void op_peek_all(nor_run *run) {
    uint8_t *all = malloc(run->ref.size);
    int rc = nor_peek(run->dev, 0, all, run->ref.size);
    require(run, nor_reference_peek(&run->ref, 0, run->ref.size, rc, all, run->why), "peek");
    free(all);
}

static void op_arm_cut(nor_run *run) {
    uint32_t ops = fuzz_input_below(run->in, 8);
    uint8_t modes = fuzz_input_u8(run->in);
    nor_torn_program prog = (nor_torn_program)(modes % NOR_TORN_PROG_MODES);
    nor_torn_erase erase = (nor_torn_erase)(modes / NOR_TORN_PROG_MODES % NOR_TORN_ERASE_MODES);
    nor_set_torn_modes(run->dev, prog, erase);
    nor_reference_set_torn_modes(&run->ref, prog, erase);
    nor_arm_cut_after_ops(run->dev, ops);
    nor_reference_arm_cut(&run->ref, ops);
}

static void op_snapshot(nor_run *run) {
    nor_snapshot_free(run->snapshot);
    nor_reference_free(&run->snapshot_ref);
    int rc = nor_snapshot_take(run->dev, &run->snapshot);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK, "call %u: snapshot: %s", run->call, nor_strerror(rc));
    FUZZ_REQUIRE(TARGET, nor_reference_copy(&run->snapshot_ref, &run->ref), "out of memory");
}

static void op_restore(nor_run *run) {
    if (!run->snapshot) return;
    int rc = nor_snapshot_restore(run->dev, run->snapshot);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK, "call %u: restore: %s", run->call, nor_strerror(rc));
    nor_reference_free(&run->ref);
    FUZZ_REQUIRE(TARGET, nor_reference_copy(&run->ref, &run->snapshot_ref), "out of memory");
}

static void run_op(nor_run *run, uint8_t opcode) {
    switch (opcode % 16) {
    case 0:
    case 1:
    case 2: op_read(run); break;
    case 3:
    case 4:
    case 5:
    case 6: op_program(run); break;
    case 7:
    case 8: op_erase(run); break;
    case 9: op_poke(run); break;
    case 10: op_peek_all(run); break;
    case 11: op_arm_cut(run); break;
    case 12:
        nor_cut_now(run->dev);
        nor_reference_cut_now(&run->ref);
        break;
    case 13:
        nor_power_on(run->dev);
        nor_reference_power_on(&run->ref);
        break;
    case 14: op_snapshot(run); break;
    default: op_restore(run); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    nor_config cfg = decode_config(&in);
    int rc = nor_config_validate(&cfg);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK, "a valid configuration was refused: %s", nor_strerror(rc));
    nor_run *run = calloc(1, sizeof *run);
    run->in = &in;
    rc = nor_create(&run->dev, &cfg, size);
    FUZZ_REQUIRE(TARGET, rc == NOR_OK, "nor_create: %s", nor_strerror(rc));
    FUZZ_REQUIRE(TARGET, nor_reference_init(&run->ref, &cfg), "out of memory");
    for (run->call = 0; run->call < MAX_CALLS && !fuzz_input_done(&in); run->call++)
        run_op(run, fuzz_input_u8(&in));
    require(run, nor_reference_check_counters(&run->ref, run->dev, run->why), "counters");
    op_peek_all(run);
    nor_snapshot_free(run->snapshot);
    nor_reference_free(&run->snapshot_ref);
    nor_reference_free(&run->ref);
    nor_destroy(run->dev);
    free(run);
    return 0;
}
