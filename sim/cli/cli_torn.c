/* --torn MODES, shared by the commands that cut the power (powercut, emu): "all", or a comma
 * list of the NOR model's torn-mode names (nor.h owns them); a name both kinds have selects
 * it for programs and erases. */
#include "cli.h"
#include "nor.h"

#include <stdio.h>
#include <string.h>

const char *cli_torn_mode_list(void) {
    static char list[256];
    size_t used = 0;
    for (unsigned m = 0; m < NOR_TORN_PROG_MODES; m++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                 nor_torn_program_name(m));
    for (unsigned m = 0; m < NOR_TORN_ERASE_MODES; m++) {
        const char *name = nor_torn_erase_name(m);
        if (nor_torn_program_find(name, strlen(name)) >= 0) continue;
        used += (size_t)snprintf(list + used, sizeof list - used, ", %s", name);
    }
    return list;
}

int cli_parse_torn(const cli_command *cmd, const char *text, unsigned *program_modes,
                   unsigned *erase_modes) {
    if (!strcmp(text, "all")) {
        *program_modes = (1u << NOR_TORN_PROG_MODES) - 1;
        *erase_modes = (1u << NOR_TORN_ERASE_MODES) - 1;
        return -1;
    }
    if (!*text)
        return cli_usage_error(cmd, "--torn: empty; expected all, or a comma list of %s",
                               cli_torn_mode_list());
    *program_modes = *erase_modes = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",");
        int program = nor_torn_program_find(p, n), erase = nor_torn_erase_find(p, n);
        if (program < 0 && erase < 0)
            return cli_usage_error(cmd,
                                   "--torn: unknown mode '%.*s'; expected all (alone), or a comma "
                                   "list of %s",
                                   (int)n, p, cli_torn_mode_list());
        if (program >= 0) *program_modes |= 1u << program;
        if (erase >= 0) *erase_modes |= 1u << erase;
        p += n;
        if (*p == ',') p++;
    }
    return -1;
}
