/* `norbench emu FIRMWARE.elf --board BOARD ...`: boots a user's firmware on an emulated board
 * whose flash is the NOR model (emu/), boot after boot with the flash kept, the power cut
 * where the flags say, or a campaign that cuts every flash operation of a boot in each torn
 * mode and checks the reboots (docs/emu.md). Exit 0 when every checked boot held, 1 when one
 * did not, 2 on usage or file errors. */
#include "cli.h"
#include "commands.h"

#include <stdio.h>

#if !NORBENCH_HAVE_EMU

int cmd_emu(int argc, char **argv) {
    (void)argc, (void)argv;
    fprintf(stderr, "norbench emu: this norbench was built without Unicorn (libunicorn-dev); "
                    "run `make deps` and rebuild\n");
    return CLI_EXIT_USAGE;
}

#else

#include "emu.h"
#include "emu_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BOOTS_MAX 100000u
#define CUTS_MAX  1000u

typedef struct emu_flags {
    const char *board, *image, *cuts, *torn, *expect, *save_image;
    uint64_t cut_after, boots, max_instructions, seed, after_boots;
    bool every_op, json;
    bool cut_after_given, boots_given, torn_given, after_boots_given;
} emu_flags;

/* "N1,N2,..." strictly increasing. */
static int parse_cuts(const cli_command *cmd, const char *text, uint64_t *cuts, size_t *count) {
    *count = 0;
    for (const char *p = text;;) {
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9')
            return cli_usage_error(cmd, "--cuts '%s': expected operation counts N1,N2,...", text);
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || (*end && *end != ','))
            return cli_usage_error(cmd, "--cuts '%s': expected operation counts N1,N2,...", text);
        if (*count && v <= cuts[*count - 1])
            return cli_usage_error(cmd, "--cuts '%s': the counts must increase", text);
        if (*count == CUTS_MAX) return cli_usage_error(cmd, "--cuts: at most %u cuts", CUTS_MAX);
        cuts[(*count)++] = v;
        if (!*end) return -1;
        p = end + 1;
    }
}

/* For single cuts: the one program mode and the one erase mode --torn names. */
static int single_torn(const cli_command *cmd, const emu_flags *f, emu_plan *plan) {
    if (!f->torn_given) {
        plan->torn_program = NOR_TORN_PROG_SPREAD;
        plan->torn_erase = NOR_TORN_ERASE_SPREAD;
        return -1;
    }
    unsigned program = 0, erase = 0;
    int rc = cli_parse_torn(cmd, f->torn, &program, &erase);
    if (rc >= 0) return rc;
    if ((program & (program - 1)) || (erase & (erase - 1)))
        return cli_usage_error(cmd,
                               "--torn '%s': with --cut-after or --cuts, name at most one "
                               "program mode and one erase mode",
                               f->torn);
    plan->torn_program = program ? (nor_torn_program)__builtin_ctz(program) : NOR_TORN_PROG_SPREAD;
    plan->torn_erase = erase ? (nor_torn_erase)__builtin_ctz(erase) : NOR_TORN_ERASE_SPREAD;
    return -1;
}

static int check_flags(const cli_command *cmd, const emu_flags *f) {
    unsigned cut_flags = f->cut_after_given + (f->cuts != NULL) + f->every_op;
    if (!f->board)
        return cli_usage_error(cmd, "--board is required (norbench emu --help lists the boards)");
    if (cut_flags > 1)
        return cli_usage_error(cmd, "--cut-after, --cuts and --cut-every-flash-op exclude "
                                    "each other");
    if (f->boots_given && (f->boots == 0 || f->boots > BOOTS_MAX))
        return cli_usage_error(cmd, "--boots %llu: expected 1..%u", (unsigned long long)f->boots,
                               BOOTS_MAX);
    if (f->after_boots_given && !f->every_op)
        return cli_usage_error(cmd, "--after-boots goes with --cut-every-flash-op");
    if (f->after_boots_given && (f->after_boots == 0 || f->after_boots > 100))
        return cli_usage_error(cmd, "--after-boots %llu: expected 1..100",
                               (unsigned long long)f->after_boots);
    if (f->every_op && f->save_image)
        return cli_usage_error(cmd, "--save-image goes with a plain run, not a campaign");
    if (f->torn_given && cut_flags == 0)
        return cli_usage_error(cmd, "--torn goes with --cut-after, --cuts or "
                                    "--cut-every-flash-op");
    return -1;
}

static int run_campaign(const cli_command *cmd, emu *m, const emu_flags *f) {
    emu_campaign_options o = {
        .boots = f->boots_given ? (uint32_t)f->boots : 1,
        .after_boots = f->after_boots_given ? (uint32_t)f->after_boots : 2,
        .torn_program = (1u << NOR_TORN_PROG_MODES) - 1,
        .torn_erase = (1u << NOR_TORN_ERASE_MODES) - 1,
    };
    int rc;
    if (f->torn_given && (rc = cli_parse_torn(cmd, f->torn, &o.torn_program, &o.torn_erase)) >= 0)
        return rc;
    emu_campaign_result r;
    char why[EMU_WHY_MAX];
    if (emu_campaign_run(m, &o, f->expect, &r, why, sizeof why)) {
        fprintf(stderr, "norbench emu: %s\n", why);
        emu_campaign_result_free(&r);
        return CLI_EXIT_USAGE;
    }
    rc = emu_report_campaign(&r, &o, f->json);
    emu_campaign_result_free(&r);
    return rc;
}

static int run_plan(const cli_command *cmd, emu *m, const emu_flags *f) {
    static uint64_t cuts[CUTS_MAX];
    emu_plan plan = {.boots = f->boots_given ? (uint32_t)f->boots : 1, .cuts = cuts};
    int rc;
    if (f->cut_after_given) cuts[0] = f->cut_after, plan.cut_count = 1;
    if (f->cuts && (rc = parse_cuts(cmd, f->cuts, cuts, &plan.cut_count)) >= 0) return rc;
    if ((rc = single_torn(cmd, f, &plan)) >= 0) return rc;
    emu_expect expect;
    char why[EMU_WHY_MAX];
    if (emu_expect_init(&expect, f->expect, why, sizeof why))
        return cli_usage_error(cmd, "%s", why);
    emu_run_result r;
    if (emu_run_plan(m, &plan, &expect, &r)) {
        fprintf(stderr, "norbench emu: out of memory\n");
        rc = CLI_EXIT_FAIL;
    } else {
        rc = emu_report_run(&r, f->json);
        errno = 0;
        int err = f->save_image ? nor_image_save(emu_flash(m), f->save_image) : 0;
        if (err) {
            fprintf(stderr, "norbench emu: --save-image %s: %s%s%s\n", f->save_image,
                    nor_strerror(err), errno ? ": " : "", errno ? strerror(errno) : "");
            rc = CLI_EXIT_USAGE;
        }
    }
    emu_run_result_free(&r);
    emu_expect_free(&expect);
    return rc;
}

int cmd_emu(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("emu");
    emu_flags f = {.seed = 1};
    const cli_flag flags[] = {
        {"board", CLI_STRING, &f.board, "BOARD",
         "the board to boot: nrf52840, stm32f4, stm32l4 (docs/emu.md)"},
        {"image", CLI_STRING, &f.image, "FILE", "start from this flash image (else erased)"},
        {"cut-after", CLI_U64, &f.cut_after, "N", "cut the power inside flash operation N+1"},
        {"cuts", CLI_STRING, &f.cuts, "N1,N2,...", "cut inside each of these (increasing)"},
        {"cut-every-flash-op", CLI_BOOL, &f.every_op, NULL,
         "campaign: cut each flash operation of the last boot"},
        {"torn", CLI_STRING, &f.torn, "MODES", "how cuts tear (all, or a comma list)"},
        {"boots", CLI_U64, &f.boots, "N", "boots to run (campaign: the last one is cut)"},
        {"after-boots", CLI_U64, &f.after_boots, "N", "campaign: reboots after each cut (2)"},
        {"expect-uart", CLI_STRING, &f.expect, "REGEX",
         "each completed boot's output must match; a number in its first group never goes "
         "backwards"},
        {"max-instructions", CLI_U64, &f.max_instructions, "N",
         "per boot, then it is a runaway (100000000)"},
        {"seed", CLI_U64, &f.seed, "N", "the NOR model's seed (default 1)"},
        {"json", CLI_BOOL, &f.json, NULL, "print one JSON object"},
        {"save-image", CLI_STRING, &f.save_image, "FILE", "write the flash at the end"},
        {NULL, 0, NULL, NULL, NULL},
    };
    f.cut_after_given = cli_flag_present(argc, argv, "cut-after");
    f.boots_given = cli_flag_present(argc, argv, "boots");
    f.torn_given = cli_flag_present(argc, argv, "torn");
    f.after_boots_given = cli_flag_present(argc, argv, "after-boots");
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos != 1) return cli_usage_error(cmd, "expected one FIRMWARE.elf");
    if ((rc = check_flags(cmd, &f)) >= 0) return rc;
    if (cli_flag_present(argc, argv, "max-instructions") && f.max_instructions == 0)
        return cli_usage_error(cmd, "--max-instructions: expected at least 1");
    emu_options o = {.board = f.board,
                     .elf_path = argv[1],
                     .image_path = f.image,
                     .seed = f.seed,
                     .max_instructions = f.max_instructions};
    emu *m;
    char why[EMU_WHY_MAX];
    if (emu_open(&m, &o, why, sizeof why)) {
        fprintf(stderr, "norbench emu: %s\n", why);
        return CLI_EXIT_USAGE;
    }
    rc = f.every_op ? run_campaign(cmd, m, &f) : run_plan(cmd, m, &f);
    emu_close(m);
    return rc;
}

#endif
