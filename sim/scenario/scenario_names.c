/* The closed sets of names the scenario format uses outside field lists: engine error codes,
 * torn-operation modes, statistics and comparison operators, with their lookups. */
#include "nbs.h"
#include "scenario_internal.h"

#include <string.h>

const char *scenario_strerror(int err) {
    switch (err) {
    case SCENARIO_OK: return "success";
    case SCENARIO_E_INVALID: return "the scenario file is not valid";
    case SCENARIO_E_NOMEM: return "out of memory";
    case SCENARIO_E_IO: return "the scenario file could not be read";
    default: return "unknown error";
    }
}

/* Short names; "NBS_E_" followed by the upper-case short name is accepted too. */
const scenario_name scenario_error_names[] = {
    {"inval", NBS_E_INVAL},
    {"not_found", NBS_E_NOT_FOUND},
    {"buffer_too_small", NBS_E_BUFFER_TOO_SMALL},
    {"too_big", NBS_E_TOO_BIG},
    {"full", NBS_E_FULL},
    {"empty", NBS_E_EMPTY},
    {"end", NBS_E_END},
    {"io", NBS_E_IO},
    {"ecc", NBS_E_ECC},
    {"corrupt", NBS_E_CORRUPT},
    {"geometry", NBS_E_GEOMETRY},
    {"work_buffer", NBS_E_WORK_BUFFER},
    {"not_mounted", NBS_E_NOT_MOUNTED},
    {"cache_mismatch", NBS_E_CACHE_MISMATCH},
    {"key_len", NBS_E_KEY_LEN},
    {"cache_mem", NBS_E_CACHE_MEM},
    {"read_only", NBS_E_READ_ONLY},
    {"part_overlap", NBS_E_PART_OVERLAP},
    {"align", NBS_E_ALIGN},
    {"part_name", NBS_E_PART_NAME},
    {"range", NBS_E_RANGE},
    {"kv_type", NBS_E_KV_TYPE},
    {"kv_mode", NBS_E_KV_MODE},
    {"kv_closed", NBS_E_KV_CLOSED},
    {"kv_domains", NBS_E_KV_DOMAINS},
    {"txn_closed", NBS_E_TXN_CLOSED},
    {"txn_buffer", NBS_E_TXN_BUFFER},
    {"write_protected", NBS_E_WRITE_PROTECTED},
    {"busy", NBS_E_BUSY},
    {"iter_stale", NBS_E_ITER_STALE},
    {"key_chars", NBS_E_KEY_CHARS},
    {"ram_full", NBS_E_RAM_FULL},
    {"update_incomplete", NBS_E_UPDATE_INCOMPLETE},
    {"update_image", NBS_E_UPDATE_IMAGE},
    {"update_state", NBS_E_UPDATE_STATE},
    {"update_closed", NBS_E_UPDATE_CLOSED},
    {"fs_path", NBS_E_FS_PATH},
    {"fs_exists", NBS_E_FS_EXISTS},
    {"fs_not_dir", NBS_E_FS_NOT_DIR},
    {"fs_is_dir", NBS_E_FS_IS_DIR},
    {"fs_not_file", NBS_E_FS_NOT_FILE},
    {"fs_not_empty", NBS_E_FS_NOT_EMPTY},
    {"fs_mode", NBS_E_FS_MODE},
    {"fs_closed", NBS_E_FS_CLOSED},
    {"fs_not_link", NBS_E_FS_NOT_LINK},
};
const size_t scenario_error_name_count = NAME_COUNT(scenario_error_names);

int scenario_error_code(const char *name, int *code) {
    char short_name[32];
    const char *prefix = "NBS_E_";
    size_t prefix_length = strlen(prefix);
    if (strncmp(name, prefix, prefix_length) == 0) {
        size_t n = strlen(name + prefix_length);
        if (n == 0 || n >= sizeof short_name) return SCENARIO_E_INVALID;
        for (size_t i = 0; i <= n; i++) {
            char ch = name[prefix_length + i];
            if (ch >= 'a' && ch <= 'z') return SCENARIO_E_INVALID; /* upper case only */
            short_name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        name = short_name;
    }
    const scenario_name *hit =
        find_name(name, strlen(name), scenario_error_names, scenario_error_name_count);
    if (!hit) return SCENARIO_E_INVALID;
    *code = hit->value;
    return SCENARIO_OK;
}

const char *scenario_error_short_name(int code) {
    for (size_t i = 0; i < scenario_error_name_count; i++)
        if (scenario_error_names[i].value == code) return scenario_error_names[i].name;
    return code == 0 ? "ok" : "unknown";
}

/* In scenario_stat order. */
const scenario_name scenario_stat_names[] = {
    {"erase_max", SCENARIO_STAT_ERASE_MAX},
    {"erase_min", SCENARIO_STAT_ERASE_MIN},
    {"erase_spread", SCENARIO_STAT_ERASE_SPREAD},
    {"erases", SCENARIO_STAT_ERASES},
    {"programs", SCENARIO_STAT_PROGRAMS},
    {"program_bytes", SCENARIO_STAT_PROGRAM_BYTES},
    {"reads", SCENARIO_STAT_READS},
    {"read_bytes", SCENARIO_STAT_READ_BYTES},
    {"violations", SCENARIO_STAT_VIOLATIONS},
    {"ecc_errors", SCENARIO_STAT_ECC_ERRORS},
    {"worn_failures", SCENARIO_STAT_WORN_FAILURES},
    {"power_cuts", SCENARIO_STAT_POWER_CUTS},
    {"time", SCENARIO_STAT_TIME},
    {"refused", SCENARIO_STAT_REFUSED},
    {"refused_store", SCENARIO_STAT_REFUSED_STORE},
    {"refused_push", SCENARIO_STAT_REFUSED_PUSH},
    {"refused_full", SCENARIO_STAT_REFUSED_FULL},
    {"refused_too_big", SCENARIO_STAT_REFUSED_TOO_BIG},
};
_Static_assert(NAME_COUNT(scenario_stat_names) == SCENARIO_STAT_KIND_COUNT,
               "one name per statistic");

const char *scenario_stat_name(scenario_stat stat) {
    return (unsigned)stat < SCENARIO_STAT_KIND_COUNT ? scenario_stat_names[stat].name : "?";
}

/* In scenario_compare order. */
const scenario_name scenario_compare_names[] = {
    {"==", SCENARIO_CMP_EQ}, {"!=", SCENARIO_CMP_NE}, {"<", SCENARIO_CMP_LT},
    {"<=", SCENARIO_CMP_LE}, {">", SCENARIO_CMP_GT},  {">=", SCENARIO_CMP_GE},
};

const char *scenario_compare_symbol(scenario_compare cmp) {
    return (unsigned)cmp <= SCENARIO_CMP_GE ? scenario_compare_names[cmp].name : "?";
}

bool scenario_compare_holds(scenario_compare cmp, uint64_t actual, uint64_t expected) {
    switch (cmp) {
    case SCENARIO_CMP_EQ: return actual == expected;
    case SCENARIO_CMP_NE: return actual != expected;
    case SCENARIO_CMP_LT: return actual < expected;
    case SCENARIO_CMP_LE: return actual <= expected;
    case SCENARIO_CMP_GT: return actual > expected;
    case SCENARIO_CMP_GE: return actual >= expected;
    }
    return false;
}
