/* The map scenario of the power-cut benchmarks (bench_scenario.h), and its temporary file. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include "bench_scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char bench_scenario[] =
    "{\n"
    "  \"name\": \"bench-powercut-map\",\n"
    "  \"description\": \"norbench bench powercut: a map on nrf52840, 8 pages\",\n"
    "  \"seed\": 7,\n"
    "  \"flash\": { \"preset\": \"nrf52840\", \"sectors\": 8 },\n"
    "  \"engine\": { \"type\": \"map\", \"page_size\": 4096, \"cache\": \"all\" },\n"
    "  \"steps\": [\n"
    "    { \"random_ops\": { \"ops\": 120, \"keys\": 12, \"value_size\": [8, 120],\n"
    "                      \"mix\": { \"store\": 6, \"fetch\": 2, \"remove\": 1 } } },\n"
    "    { \"reboot\": {} },\n"
    "    { \"check\": {} }\n"
    "  ]\n"
    "}\n";

int bench_scenario_write(char *path, size_t size) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/norbench-bench-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    int rc = fputs(bench_scenario, f) >= 0 ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}
