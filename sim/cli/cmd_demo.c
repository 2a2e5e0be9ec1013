/* `norbench demo`: a short guided tour of the NOR model on one preset: programming, AND
 * semantics, a violation, an erase, what every torn program and erase leaves behind, and the
 * progress modes (early and late programs, a late erase, a weak cell made solid). */
#include "cli.h"
#include "commands.h"
#include "nor.h"

#include <stdio.h>
#include <string.h>

#define DEMO_MAX 32 /* bytes shown per step: one STM32H7 flash word */

static void print_bytes(const char *label, const uint8_t *bytes, uint32_t len) {
    printf("    %-22s", label);
    for (uint32_t i = 0; i < len; i++) printf(" %02x", bytes[i]);
    printf("\n");
}

static void show(nor *dev, const char *label, uint32_t addr, uint32_t len) {
    uint8_t buf[DEMO_MAX];
    int rc = nor_read(dev, addr, buf, len);
    print_bytes(label, buf, len);
    if (rc) printf("    (read: %s)\n", nor_strerror(rc));
}

static void program_step(nor *dev, const char *what, uint32_t addr, uint8_t value, uint32_t len) {
    uint8_t data[DEMO_MAX];
    memset(data, value, len);
    nor_stats before, after;
    nor_get_stats(dev, &before);
    int rc = nor_program(dev, addr, data, len);
    nor_get_stats(dev, &after);
    printf("  %s: program %u x 0x%02x -> %s%s\n", what, len, value, rc ? "" : "ok",
           rc ? nor_strerror(rc) : "");
    if (after.violations > before.violations)
        printf("    the model counted a violation (total %llu)\n",
               (unsigned long long)after.violations);
    show(dev, "reads", addr, len);
}

static void tour_basics(nor *dev, uint32_t len) {
    printf("\n1. Programming moves bits from erased (1) to programmed (0) only.\n");
    show(dev, "erased", 0, len);
    program_step(dev, "first write", 0, 0xF0, len);
    printf("\n2. A second program ANDs with what is there (0xF0 AND 0xC0 = 0xC0), if the preset's\n"
           "   write rule allows a second program at all.\n");
    program_step(dev, "over it", 0, 0xC0, len);
    printf("\n3. Asking for a 0->1 transition: the bit stays 0 (or the preset's write rule "
           "refuses).\n");
    program_step(dev, "violation", 0, 0x0F, len);
    printf("\n4. Erase brings the whole sector back to 0xFF and counts a cycle.\n");
    uint64_t before = nor_time_us(dev);
    int rc = nor_erase(dev, 0);
    printf("  erase sector 0 -> %s, took %llu us, erase count %u\n", rc ? nor_strerror(rc) : "ok",
           (unsigned long long)(nor_time_us(dev) - before), nor_erase_count(dev, 0));
    show(dev, "reads", 0, len);
}

static void tour_torn_programs(nor *dev, nor_snapshot *erased, uint32_t len) {
    printf("\n5. A power cut inside a program of %u x 0x00 onto erased flash leaves:\n", len);
    for (int mode = NOR_TORN_PROG_NONE; mode <= NOR_TORN_PROG_METASTABLE; mode++) {
        nor_snapshot_restore(dev, erased);
        nor_set_torn_modes(dev, (nor_torn_program)mode, NOR_TORN_ERASE_NONE);
        nor_arm_cut_after_ops(dev, 0);
        uint8_t zeros[DEMO_MAX] = {0};
        nor_program(dev, 0, zeros, len);
        nor_power_on(dev);
        show(dev, nor_torn_program_name((nor_torn_program)mode), 0, len);
        if (mode == NOR_TORN_PROG_METASTABLE) show(dev, "  read again", 0, len);
    }
    printf("  metastable: weak bits read back differently until the sector is erased.\n");
}

static void tour_torn_erases(nor *dev, nor_snapshot *erased, uint32_t len) {
    printf("\n6. A power cut inside the erase of a sector full of 0x00 leaves:\n");
    for (int mode = NOR_TORN_ERASE_NONE; mode <= NOR_TORN_ERASE_WEAK; mode++) {
        nor_snapshot_restore(dev, erased);
        uint8_t zeros[DEMO_MAX] = {0};
        nor_program(dev, 0, zeros, len);
        nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, (nor_torn_erase)mode);
        nor_arm_cut_after_ops(dev, 0);
        nor_erase(dev, 0);
        nor_power_on(dev);
        show(dev, nor_torn_erase_name((nor_torn_erase)mode), 0, len);
    }
    printf("  weak: the sector reads erased, but about 1 bit in 256 reads randomly.\n");
}

/* A label, then two more reads: weak cells show as bytes that change. */
static void show_reads(nor *dev, const char *label, uint32_t len) {
    show(dev, label, 0, len);
    show(dev, "  read again", 0, len);
    show(dev, "  and again", 0, len);
}

/* Cuts a program of len x 0x00 (from the erased snapshot) in `mode`, then shows three reads. */
static void torn_zeros(nor *dev, nor_snapshot *erased, nor_torn_program mode, uint32_t len) {
    nor_snapshot_restore(dev, erased);
    nor_set_torn_modes(dev, mode, NOR_TORN_ERASE_NONE);
    nor_arm_cut_after_ops(dev, 0);
    uint8_t zeros[DEMO_MAX] = {0};
    nor_program(dev, 0, zeros, len);
    nor_power_on(dev);
    char label[32];
    snprintf(label, sizeof label, "%s program", nor_torn_program_name(mode));
    show_reads(dev, label, len);
}

static void tour_progress(nor *dev, nor_snapshot *erased, uint32_t len) {
    printf(
        "\n7. Progress modes cut at a point of the operation: cells move with spread thresholds,\n"
        "   the few nearest to the cut are left weak (they read randomly):\n");
    torn_zeros(dev, erased, NOR_TORN_PROG_EARLY, len);
    torn_zeros(dev, erased, NOR_TORN_PROG_LATE, len);
    nor_snapshot_restore(dev, erased);
    uint8_t zeros[DEMO_MAX] = {0};
    nor_program(dev, 0, zeros, len);
    nor_set_torn_modes(dev, NOR_TORN_PROG_NONE, NOR_TORN_ERASE_LATE);
    nor_arm_cut_after_ops(dev, 0);
    nor_erase(dev, 0);
    nor_power_on(dev);
    show_reads(dev, "late erase", len);
    printf("  A weak cell programmed again becomes solid (a late tear, then the same program):\n");
    torn_zeros(dev, erased, NOR_TORN_PROG_LATE, len);
    nor_set_torn_modes(dev, NOR_TORN_PROG_BITS, NOR_TORN_ERASE_PARTIAL);
    int rc = nor_program(dev, 0, zeros, len);
    if (rc) printf("    (program again: %s)\n", nor_strerror(rc));
    show_reads(dev, "programmed again", len);
    printf("  At each power-on a weak cell settles, with p = 1/4, into a solid 0 or 1.\n");
}

static int run_demo(const nor_config *cfg, uint64_t seed) {
    nor *dev = NULL;
    int rc = nor_create(&dev, cfg, seed);
    if (rc) {
        fprintf(stderr, "norbench demo: cannot create '%s': %s\n", cfg->name, nor_strerror(rc));
        return CLI_EXIT_FAIL;
    }
    /* A few write units, at least 8 bytes, at most one H7 flash word. */
    uint32_t len = cfg->write_unit < 8 ? 8 : cfg->write_unit;
    uint32_t first_sector;
    nor_sector_at(dev, 0, NULL, NULL, &first_sector);
    printf("NOR model tour on %s (seed %llu): %u bytes, %u sectors (first one %u bytes), write "
           "unit %u\n",
           cfg->name, (unsigned long long)seed, nor_size(dev), nor_sector_count(dev), first_sector,
           cfg->write_unit);
    tour_basics(dev, len);
    nor_stats st;
    nor_get_stats(dev, &st);
    printf("  so far: %llu programs, %llu erases, %llu violations, simulated time %llu us\n",
           (unsigned long long)st.program_calls, (unsigned long long)st.erase_calls,
           (unsigned long long)st.violations, (unsigned long long)st.time_us);
    nor_snapshot *erased = NULL;
    rc = nor_snapshot_take(dev, &erased);
    if (rc) {
        fprintf(stderr, "norbench demo: snapshot failed: %s\n", nor_strerror(rc));
        nor_destroy(dev);
        return CLI_EXIT_FAIL;
    }
    tour_torn_programs(dev, erased, len);
    tour_torn_erases(dev, erased, len);
    tour_progress(dev, erased, len);
    nor_snapshot_free(erased);
    printf("\nEvery torn case started from the same snapshot, restored in O(sectors): sectors are "
           "shared copy-on-write.\nRun again with another --seed for other tears; the same seed "
           "always gives the same bytes.\n");
    nor_destroy(dev);
    return CLI_EXIT_OK;
}

static int unknown_preset(const cli_command *cmd, const char *name) {
    char known[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < nor_preset_count() && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 nor_preset_at(i)->name);
    return cli_usage_error(cmd, "unknown preset '%s' (known presets: %s)", name, known);
}

int cmd_demo(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("demo");
    const char *preset = "tiny";
    uint64_t seed = 3; /* its tears show each effect: an early program reading erased, then not */
    const cli_flag flags[] = {
        {"preset", CLI_STRING, &preset, "NAME", "preset to tour (default tiny)"},
        {"seed", CLI_U64, &seed, "N", "seed of the device PRNG (default 3)"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos) return cli_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    const nor_config *cfg = nor_preset_find(preset);
    if (!cfg) return unknown_preset(cmd, preset);
    return run_demo(cfg, seed);
}
