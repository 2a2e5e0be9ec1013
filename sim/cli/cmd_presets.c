/* `norbench presets`: the built-in NOR flash presets as a readable table, or as JSON. */
#include "cli.h"
#include "commands.h"
#include "nor.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static const char *policy_name(nor_write_policy policy) {
    switch (policy) {
    case NOR_WRITES_UNLIMITED: return "unlimited";
    case NOR_WRITES_LIMITED: return "limited";
    case NOR_WRITES_ONCE: return "once";
    case NOR_WRITES_ONCE_PLUS_ZERO: return "once+zero";
    default: return "?";
    }
}

/* Programs a unit takes between erases: 0 for unlimited, 1 for the once-only policies. */
static uint32_t writes_per_unit(const nor_config *cfg) {
    switch (cfg->write_policy) {
    case NOR_WRITES_LIMITED: return cfg->max_writes_per_unit;
    case NOR_WRITES_ONCE:
    case NOR_WRITES_ONCE_PLUS_ZERO: return 1;
    default: return 0;
    }
}

/* "4x16K+1x64K+7x128K" */
static void describe_sectors(const nor_config *cfg, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t r = 0; r < cfg->region_count && used < size; r++) {
        uint32_t bytes = cfg->regions[r].size;
        bool kib = bytes % 1024 == 0;
        used += (size_t)snprintf(out + used, size - used, "%s%ux%u%s", r ? "+" : "",
                                 cfg->regions[r].count, kib ? bytes / 1024 : bytes, kib ? "K" : "");
    }
}

static void describe_size(uint32_t bytes, char *out, size_t size) {
    if (bytes % (1u << 20) == 0)
        snprintf(out, size, "%u MiB", bytes >> 20);
    else if (bytes % 1024 == 0)
        snprintf(out, size, "%u KiB", bytes >> 10);
    else
        snprintf(out, size, "%u B", bytes);
}

static void print_table(void) {
    printf("%-11s %-8s %-19s %4s %4s %-10s %-3s %-10s %-9s %-10s %-17s %s\n", "preset", "size",
           "sectors", "unit", "page", "writes", "ecc", "program us", "+ns/byte", "read ns",
           "erase ms", "endurance");
    for (size_t i = 0; i < nor_preset_count(); i++) {
        const nor_config *cfg = nor_preset_at(i);
        char sectors[64], size[16], writes[16], program[24], read[32], erase[32], endurance[16];
        describe_sectors(cfg, sectors, sizeof sectors);
        describe_size(nor_config_total_bytes(cfg), size, sizeof size);
        if (cfg->write_policy == NOR_WRITES_LIMITED)
            snprintf(writes, sizeof writes, "max %u", cfg->max_writes_per_unit);
        else
            snprintf(writes, sizeof writes, "%s", policy_name(cfg->write_policy));
        snprintf(program, sizeof program, "%u/%u", cfg->timing.program_us_typ,
                 cfg->timing.program_us_max);
        /* Per read call, then per byte: "150+15/B". */
        snprintf(read, sizeof read, "%u+%u/B", cfg->timing.read_ns_per_call,
                 cfg->timing.read_ns_per_byte);
        /* Non-uniform parts show their first region's erase time; the JSON lists all. */
        uint32_t erase_typ =
            cfg->regions[0].erase_us_typ ? cfg->regions[0].erase_us_typ : cfg->timing.erase_us_typ;
        uint32_t erase_max =
            cfg->regions[0].erase_us_max ? cfg->regions[0].erase_us_max : cfg->timing.erase_us_max;
        snprintf(erase, sizeof erase, "%g/%g%s", erase_typ / 1000.0, erase_max / 1000.0,
                 cfg->region_count > 1 ? "+" : "");
        if (cfg->wear.endurance)
            snprintf(endurance, sizeof endurance, "%u", cfg->wear.endurance);
        else
            snprintf(endurance, sizeof endurance, "none");
        printf("%-11s %-8s %-19s %4u %4u %-10s %-3s %-10s %-9u %-10s %-17s %s\n", cfg->name, size,
               sectors, cfg->write_unit, cfg->page_size, writes, cfg->ecc ? "yes" : "no", program,
               cfg->timing.program_ns_per_byte, read, erase, endurance);
    }
    printf("\nTimes are typical/maximum; \"+ns/byte\": added per byte sent to a program; \"read "
           "ns\":\nper read call + per byte; \"+\" after an erase time: per-sector erase times "
           "differ (see --json).\nErase value 0xFF for every preset.");
    for (size_t i = 0; i < nor_preset_count(); i++)
        if (nor_preset_at(i)->erase_preprogram)
            printf(" %s pre-programs before erasing.", nor_preset_at(i)->name);
    printf(" Sources:\n");
    for (size_t i = 0; i < nor_preset_count(); i++)
        printf("  %s: %s\n", nor_preset_at(i)->name, nor_preset_at(i)->source);
}

static cJSON *preset_json(const nor_config *cfg) {
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "name", cfg->name);
    cJSON_AddNumberToObject(obj, "total_bytes", nor_config_total_bytes(cfg));
    cJSON_AddNumberToObject(obj, "sector_count", nor_config_sector_count(cfg));
    cJSON *sectors = cJSON_AddArrayToObject(obj, "sectors");
    for (uint32_t r = 0; r < cfg->region_count; r++) {
        const nor_region *region = &cfg->regions[r];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "count", region->count);
        cJSON_AddNumberToObject(item, "size", region->size);
        cJSON_AddNumberToObject(item, "erase_us_typ",
                                region->erase_us_typ ? region->erase_us_typ
                                                     : cfg->timing.erase_us_typ);
        cJSON_AddNumberToObject(item, "erase_us_max",
                                region->erase_us_max ? region->erase_us_max
                                                     : cfg->timing.erase_us_max);
        cJSON_AddItemToArray(sectors, item);
    }
    cJSON_AddNumberToObject(obj, "write_unit", cfg->write_unit);
    cJSON_AddNumberToObject(obj, "page_size", cfg->page_size);
    cJSON_AddNumberToObject(obj, "erase_value", cfg->erase_value);
    cJSON_AddStringToObject(obj, "write_policy", policy_name(cfg->write_policy));
    cJSON_AddNumberToObject(obj, "max_writes_per_unit", writes_per_unit(cfg));
    cJSON_AddBoolToObject(obj, "ecc", cfg->ecc);
    cJSON_AddBoolToObject(obj, "erase_preprogram", cfg->erase_preprogram);
    cJSON_AddNumberToObject(obj, "endurance", cfg->wear.endurance);
    cJSON_AddNumberToObject(obj, "fail_ppm_per_cycle", cfg->wear.fail_ppm_per_cycle);
    cJSON *timing = cJSON_AddObjectToObject(obj, "timing");
    cJSON_AddNumberToObject(timing, "program_us_typ", cfg->timing.program_us_typ);
    cJSON_AddNumberToObject(timing, "program_us_max", cfg->timing.program_us_max);
    cJSON_AddNumberToObject(timing, "erase_us_typ", cfg->timing.erase_us_typ);
    cJSON_AddNumberToObject(timing, "erase_us_max", cfg->timing.erase_us_max);
    cJSON_AddNumberToObject(timing, "program_ns_per_byte", cfg->timing.program_ns_per_byte);
    cJSON_AddNumberToObject(timing, "read_ns_per_byte", cfg->timing.read_ns_per_byte);
    cJSON_AddNumberToObject(timing, "read_ns_per_call", cfg->timing.read_ns_per_call);
    cJSON_AddStringToObject(obj, "source", cfg->source ? cfg->source : "");
    return obj;
}

static int print_json(void) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < nor_preset_count(); i++)
        cJSON_AddItemToArray(list, preset_json(nor_preset_at(i)));
    char *text = cJSON_Print(list);
    cJSON_Delete(list);
    if (!text) {
        fprintf(stderr, "norbench presets: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    puts(text);
    free(text);
    return CLI_EXIT_OK;
}

int cmd_presets(int argc, char **argv) {
    const cli_command *cmd = cli_find_command("presets");
    bool json = false;
    const cli_flag flags[] = {
        {"json", CLI_BOOL, &json, NULL, "print a JSON array instead of a table"},
        {NULL, 0, NULL, NULL, NULL},
    };
    int npos = 0;
    int rc = cli_parse(cmd, flags, argc, argv, &npos);
    if (rc >= 0) return rc;
    if (npos) return cli_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    if (json) return print_json();
    print_table();
    return CLI_EXIT_OK;
}
