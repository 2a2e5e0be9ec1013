/* --target BOARD [--firmware FILE] of `run` and `powercut`: the scenario's engine runs in the
 * agent firmware on an emulated board (emu/agent) instead of on the host. Checks the board and
 * the firmware before anything runs, so that a bad target is one message; a firmware that
 * stops answering later ends the command with one message naming the PC. Also where the
 * firmware built with this norbench is. */
#define _POSIX_C_SOURCE 200809L /* readlink */
#include "cli.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#include <unistd.h>

void cli_firmware_path(char *out, size_t size, const char *name, const char *board) {
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    snprintf(out, size, "%s%semu/firmware/%s%s.elf", slash ? self : "", slash ? "/" : "", name,
             board);
}

#if !NORBENCH_HAVE_EMU

int cli_target_setup(const cli_command *cmd, const char *board, const char *firmware,
                     cli_find_engine_fn *find) {
    (void)board, (void)firmware, (void)find;
    return cli_usage_error(cmd, "--target: this norbench was built without Unicorn "
                                "(libunicorn-dev); run `make deps` and rebuild");
}

#else

#include "emu.h"
#include "emu_board.h"
#include "emu_target.h"

static const char *target_command;

static void target_refused(const char *message) {
    fprintf(stderr, "norbench %s: %s\n", target_command, message);
}

static void target_fatal(const char *message) {
    target_refused(message);
    exit(CLI_EXIT_FAIL);
}

int cli_target_setup(const cli_command *cmd, const char *board, const char *firmware,
                     cli_find_engine_fn *find) {
    static char firmware_path[1200];
    if (!emu_board_find(board)) {
        char names[200] = "";
        for (size_t i = 0, used = 0; i < emu_board_count() && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                     emu_board_at(i)->name);
        return cli_usage_error(cmd, "--target: unknown target '%s'; targets: %s", board, names);
    }
    if (firmware)
        snprintf(firmware_path, sizeof firmware_path, "%s", firmware);
    else
        cli_firmware_path(firmware_path, sizeof firmware_path, "agent-", board);
    target_command = cmd->name;
    emu_target_select(&(emu_target){.board = board,
                                    .firmware = firmware_path,
                                    .fatal = target_fatal,
                                    .refused = target_refused});
    char why[EMU_WHY_MAX];
    if (emu_target_check(why, sizeof why))
        return cli_usage_error(cmd, "--target %s: %s", board, why);
    *find = emu_target_find_engine;
    return CLI_EXIT_OK;
}

#endif
