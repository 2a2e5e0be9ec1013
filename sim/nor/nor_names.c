/* The names of the torn modes: the one table every other part (scenario files, campaigns, the
 * command line, reports) reads them from. */
#include "nor.h"

#include <string.h>

static const char *const program_names[NOR_TORN_PROG_MODES] = {
    "none", "full", "prefix", "bits", "metastable", "early", "middle", "late", "spread"};
static const char *const erase_names[NOR_TORN_ERASE_MODES] = {
    "none", "full", "partial", "weak", "early", "middle", "late", "spread"};

static int find(const char *const *names, int count, const char *name, size_t len) {
    for (int m = 0; m < count; m++)
        if (strlen(names[m]) == len && !strncmp(names[m], name, len)) return m;
    return -1;
}

const char *nor_torn_program_name(nor_torn_program mode) {
    return (unsigned)mode < NOR_TORN_PROG_MODES ? program_names[mode] : NULL;
}

const char *nor_torn_erase_name(nor_torn_erase mode) {
    return (unsigned)mode < NOR_TORN_ERASE_MODES ? erase_names[mode] : NULL;
}

int nor_torn_program_find(const char *name, size_t len) {
    return find(program_names, NOR_TORN_PROG_MODES, name, len);
}

int nor_torn_erase_find(const char *name, size_t len) {
    return find(erase_names, NOR_TORN_ERASE_MODES, name, len);
}
