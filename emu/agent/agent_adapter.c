/* The engine adapter of `--target BOARD` (emu_target.h): each adapter call becomes one
 * command to the agent firmware through the mailbox, the CPU resumed until the agent waits in
 * its WFI again. A mount reboots the board (the engine's RAM is gone, the flash kept) and
 * sends the scenario's engine configuration. A power cut inside the firmware's flash
 * operation stops the CPU there: the call returns NBS_E_IO, as the host engine's failing
 * flash callback does, and only a mount brings the agent back. A read-only mount is the same
 * reboot with the read-only mount command. */
#include "emu.h"
#include "emu_mailbox.h"
#include "emu_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static emu_target selected;

void emu_target_select(const emu_target *t) {
    selected = *t;
}

typedef struct agent {
    emu *m;
    nor *dev;
    adapter_config cfg;
    bool is_map;
    bool answering; /* idle in the agent's WFI: a command can be sent */
} agent;

static void put32(uint8_t *mbox, uint32_t offset, uint32_t value) {
    for (int i = 0; i < 4; i++) mbox[offset + i] = (uint8_t)(value >> (8 * i));
}

static uint32_t get32(const uint8_t *mbox, uint32_t offset) {
    return (uint32_t)mbox[offset] | (uint32_t)mbox[offset + 1] << 8 |
           (uint32_t)mbox[offset + 2] << 16 | (uint32_t)mbox[offset + 3] << 24;
}

/* A stop that is neither an answer nor a power cut: the firmware is broken. */
static int stopped_answering(agent *a, const emu_boot *b, const char *during) {
    char message[EMU_WHY_MAX + 200];
    snprintf(message, sizeof message,
             "target %s: the agent firmware stopped answering during %s: %s: %s at pc 0x%08x%s%s%s",
             selected.board, during, emu_stop_name(b->stop), b->reason, b->regs[15],
             b->pc_symbol[0] ? " (" : "", b->pc_symbol, b->pc_symbol[0] ? ")" : "");
    a->answering = false;
    if (selected.fatal) selected.fatal(message);
    return NBS_E_IO;
}

static const char *command_name(uint32_t command) {
    static const char *const names[] = {
        "none", "mount", "format", "store", "fetch",   "remove",      "remove_all",     "has",
        "push", "peek",  "pop",    "count", "iterate", "iterate_pop", "mount_read_only"};
    return command < sizeof names / sizeof *names ? names[command] : "?";
}

/* Sends the command whose arguments are in the mailbox; the agent's status, or NBS_E_IO. */
static int call(agent *a, uint32_t command) {
    if (!a->answering) return NBS_E_IO;
    uint8_t *mbox = emu_mailbox(a->m);
    put32(mbox, MBOX_COMMAND, command);
    emu_boot b;
    int rc = emu_boot_resume(a->m, &b);
    if (rc == 0 && b.stop == EMU_STOP_POWER_CUT) {
        a->answering = false;
        rc = NBS_E_IO;
    } else if (rc == 0 && b.stop == EMU_STOP_IDLE && get32(mbox, MBOX_COMMAND) == MBOX_CMD_NONE) {
        rc = (int32_t)get32(mbox, MBOX_STATUS);
    } else {
        rc = stopped_answering(a, &b, command_name(command));
    }
    emu_boot_free(&b);
    return rc;
}

static int put_key(agent *a, const void *key, size_t key_len) {
    if (key_len > MBOX_KEY_ROOM) return NBS_E_KEY_LEN;
    uint8_t *mbox = emu_mailbox(a->m);
    memcpy(mbox + MBOX_KEY, key, key_len);
    put32(mbox, MBOX_KEY_LEN, (uint32_t)key_len);
    return NBS_OK;
}

static int put_value(agent *a, const void *value, size_t len) {
    if (len > MBOX_VALUE_ROOM) return NBS_E_TOO_BIG;
    uint8_t *mbox = emu_mailbox(a->m);
    if (len) memcpy(mbox + MBOX_VALUE, value, len);
    put32(mbox, MBOX_VALUE_LEN, (uint32_t)len);
    return NBS_OK;
}

/* A value out of the mailbox into the caller's buffer (the agent honoured the capacity). */
static int take_value(agent *a, int rc, void *buf, size_t capacity, size_t *len) {
    const uint8_t *mbox = emu_mailbox(a->m);
    *len = get32(mbox, MBOX_VALUE_LEN);
    if (rc == NBS_OK && *len <= capacity && *len) memcpy(buf, mbox + MBOX_VALUE, *len);
    return rc;
}

static void put_capacity(agent *a, size_t capacity) {
    put32(emu_mailbox(a->m), MBOX_CAPACITY,
          (uint32_t)(capacity < MBOX_VALUE_ROOM ? capacity : MBOX_VALUE_ROOM));
}

/* ---- the adapter's operations ---- */

/* A reboot, then the engine's configuration and the mount command (read-write or read-only). */
static int mount_with(agent *a, uint32_t command) {
    emu_boot b;
    a->answering = false;
    int rc = emu_boot_run(a->m, &b);
    uint8_t *mbox = emu_mailbox(a->m);
    if (rc == 0 && b.stop == EMU_STOP_IDLE && get32(mbox, MBOX_HELLO) == MBOX_HELLO_VALUE)
        a->answering = true;
    else
        rc = stopped_answering(a, &b, "its boot (no greeting in the mailbox)");
    emu_boot_free(&b);
    if (!a->answering) return rc ? rc : NBS_E_IO;
    put32(mbox, MBOX_CFG_KIND, a->is_map ? MBOX_KIND_MAP : MBOX_KIND_QUEUE);
    put32(mbox, MBOX_CFG_START, emu_storage_base(a->m) + a->cfg.start);
    put32(mbox, MBOX_CFG_SIZE, a->cfg.size);
    put32(mbox, MBOX_CFG_PAGE, a->cfg.page_size);
    put32(mbox, MBOX_CFG_WRITE_UNIT, nor_get_config(a->dev)->write_unit);
    put32(mbox, MBOX_CFG_CACHE_FLAGS, a->cfg.cache_flags);
    put32(mbox, MBOX_CFG_CACHE_KEYS, a->cfg.cache_max_keys);
    put32(mbox, MBOX_CFG_CACHE_CHECK, a->cfg.cache_check);
    return call(a, command);
}

static int agent_mount(void *ctx) {
    return mount_with(ctx, MBOX_CMD_MOUNT);
}

static int agent_mount_read_only(void *ctx) {
    return mount_with(ctx, MBOX_CMD_MOUNT_READ_ONLY);
}

static int agent_format(void *ctx) {
    return call(ctx, MBOX_CMD_FORMAT);
}

static int agent_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    int rc = put_key(ctx, key, key_len);
    if (!rc) rc = put_value(ctx, value, len);
    return rc ? rc : call(ctx, MBOX_CMD_STORE);
}

static int agent_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    int rc = put_key(ctx, key, key_len);
    if (rc) return rc;
    put_capacity(ctx, capacity);
    return take_value(ctx, call(ctx, MBOX_CMD_FETCH), buf, capacity, len);
}

static int agent_remove(void *ctx, const void *key, size_t key_len) {
    int rc = put_key(ctx, key, key_len);
    return rc ? rc : call(ctx, MBOX_CMD_REMOVE);
}

static int agent_remove_all(void *ctx) {
    return call(ctx, MBOX_CMD_REMOVE_ALL);
}

static int agent_has(void *ctx, const void *key, size_t key_len, bool *present) {
    agent *a = ctx;
    int rc = put_key(a, key, key_len);
    if (!rc) rc = call(a, MBOX_CMD_HAS);
    *present = get32(emu_mailbox(a->m), MBOX_FLAGS) != 0;
    return rc;
}

static int agent_push(void *ctx, const void *data, size_t len, unsigned flags) {
    agent *a = ctx;
    int rc = put_value(a, data, len);
    if (rc) return rc;
    put32(emu_mailbox(a->m), MBOX_FLAGS,
          (flags & ADAPTER_PUSH_DROP_OLDEST) ? MBOX_PUSH_DROP_OLDEST : 0);
    return call(a, MBOX_CMD_PUSH);
}

static int agent_peek(void *ctx, void *buf, size_t capacity, size_t *len) {
    put_capacity(ctx, capacity);
    return take_value(ctx, call(ctx, MBOX_CMD_PEEK), buf, capacity, len);
}

static int agent_pop(void *ctx, void *buf, size_t capacity, size_t *len) {
    put_capacity(ctx, capacity);
    return take_value(ctx, call(ctx, MBOX_CMD_POP), buf, capacity, len);
}

static int agent_count(void *ctx, uint32_t *count) {
    agent *a = ctx;
    int rc = call(a, MBOX_CMD_COUNT);
    *count = get32(emu_mailbox(a->m), MBOX_COUNT);
    return rc;
}

/* One call per item, the agent keeping its iterator between them; a pop of the visited entry
 * leaves the next one at the same cursor. */
static int agent_iterate(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    agent *a = ctx;
    uint8_t *mbox = emu_mailbox(a->m);
    uint8_t *key = malloc(MBOX_KEY_ROOM), *value = malloc(MBOX_VALUE_ROOM);
    int rc = key && value ? NBS_OK : NBS_E_CACHE_MEM;
    for (uint32_t cursor = 0; rc == NBS_OK;) {
        put32(mbox, MBOX_CURSOR, cursor);
        put_capacity(a, MBOX_VALUE_ROOM);
        rc = call(a, MBOX_CMD_ITERATE);
        if (rc == NBS_E_END) {
            rc = NBS_OK;
            break;
        }
        if (rc) break;
        size_t key_len = get32(mbox, MBOX_KEY_LEN), len = get32(mbox, MBOX_VALUE_LEN);
        memcpy(key, mbox + MBOX_KEY, key_len);
        memcpy(value, mbox + MBOX_VALUE, len);
        bool pop_current = false;
        rc = visit(visit_ctx, a->is_map ? key : NULL, key_len, value, len, &pop_current);
        if (rc) break;
        if (pop_current) {
            rc = call(a, MBOX_CMD_ITERATE_POP);
        } else {
            cursor++;
        }
    }
    free(key);
    free(value);
    return rc;
}

/* ---- RAM state, for campaigns that resume a run from a snapshot ---- */

static void save_state(void *ctx, void *out) {
    agent *a = ctx;
    uint8_t *p = out;
    p[0] = a->answering;
    if (emu_state_save(a->m, p + 1)) p[0] = 0; /* restored as a board that does not answer */
}

static void restore_state(void *ctx, const void *in) {
    agent *a = ctx;
    const uint8_t *p = in;
    a->answering = p[0] && emu_state_restore(a->m, p + 1) == 0;
}

static void agent_destroy(void *ctx) {
    agent *a = ctx;
    if (!a) return;
    emu_close(a->m);
    free(a);
}

/* ---- creation ---- */

/* Refuses the run before anything runs: the reason to `refused`, NBS_E_GEOMETRY. */
static int refuse(agent *a, const char *why) {
    char message[EMU_WHY_MAX + 64];
    snprintf(message, sizeof message, "target %s: %s", selected.board, why);
    if (a) emu_close(a->m);
    free(a);
    if (selected.refused) selected.refused(message);
    return NBS_E_GEOMETRY;
}

static int agent_create(adapter *out, nor *dev, const adapter_config *cfg, bool is_map) {
    memset(out, 0, sizeof *out);
    if (cfg->page_size == 0) return NBS_E_GEOMETRY;
    agent *a = calloc(1, sizeof *a);
    if (!a) return NBS_E_CACHE_MEM;
    emu_options o = {.board = selected.board,
                     .elf_path = selected.firmware,
                     .max_instructions = selected.max_instructions,
                     .storage = dev,
                     .test_break = selected.test_break};
    char why[EMU_WHY_MAX];
    if (emu_open(&a->m, &o, why, sizeof why)) return refuse(a, why);
    if (cfg->start < emu_storage_first(a->m)) {
        snprintf(why, sizeof why,
                 "the engine's range starts at 0x%x of the scenario's flash, whose first 0x%x "
                 "bytes lie on the agent firmware in the %s's flash: start it at 0x%x or later "
                 "(engine.start)",
                 cfg->start, emu_storage_first(a->m), selected.board, emu_storage_first(a->m));
        return refuse(a, why);
    }
    a->dev = dev;
    a->cfg = *cfg;
    a->is_map = is_map;
    out->name = is_map ? "map" : "queue";
    out->capabilities = is_map ? ADAPTER_CAN_MAP : ADAPTER_CAN_QUEUE;
    /* A value crosses the mailbox whole: no larger than its value buffer. */
    out->max_value_size = cfg->page_size < MBOX_VALUE_ROOM ? cfg->page_size : MBOX_VALUE_ROOM;
    out->ctx = a;
    out->state_size = 1 + emu_state_size(a->m);
    out->save_state = save_state;
    out->restore_state = restore_state;
    out->destroy = agent_destroy;
    out->mount = agent_mount;
    out->mount_read_only = agent_mount_read_only;
    out->format = agent_format;
    out->count = agent_count;
    out->iterate = agent_iterate;
    if (is_map) {
        out->store = agent_store;
        out->fetch = agent_fetch;
        out->remove = agent_remove;
        out->remove_all = agent_remove_all;
        out->has = agent_has;
    } else {
        out->push = agent_push;
        out->peek = agent_peek;
        out->pop = agent_pop;
    }
    return NBS_OK;
}

static int agent_map_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return agent_create(out, dev, cfg, true);
}

static int agent_queue_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return agent_create(out, dev, cfg, false);
}

const adapter_kind *emu_target_find_engine(const char *type) {
    static const adapter_kind kinds[] = {
        {"map", ADAPTER_CAN_MAP, agent_map_create, NULL},
        {"queue", ADAPTER_CAN_QUEUE, agent_queue_create, NULL},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].name, type) == 0) return &kinds[i];
    return NULL;
}

uint32_t emu_target_ecc_reads(const adapter *a) {
    const agent *ag = a->ctx;
    return get32(emu_mailbox(ag->m), MBOX_ECC_READS);
}

int emu_target_check(char *why, size_t why_size) {
    emu_options o = {.board = selected.board,
                     .elf_path = selected.firmware,
                     .max_instructions = selected.max_instructions};
    emu *m = NULL;
    if (emu_open(&m, &o, why, why_size)) return -1;
    emu_boot b;
    int rc = emu_boot_run(m, &b);
    if (rc == 0 &&
        (b.stop != EMU_STOP_IDLE || get32(emu_mailbox(m), MBOX_HELLO) != MBOX_HELLO_VALUE)) {
        snprintf(why, why_size,
                 "%s: not an agent firmware for the %s: its boot ended (%s: %s, pc 0x%08x) "
                 "without greeting through the mailbox",
                 selected.firmware, selected.board, emu_stop_name(b.stop), b.reason, b.regs[15]);
        rc = -1;
    }
    emu_boot_free(&b);
    emu_close(m);
    return rc;
}
