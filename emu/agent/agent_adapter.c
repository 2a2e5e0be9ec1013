/* The engine adapter of `--target BOARD` (emu_target.h): each adapter call becomes one
 * command to the agent firmware through the mailbox, the CPU resumed until the agent waits in
 * its WFI again. A mount reboots the board (the engine's RAM is gone, the flash kept) and
 * sends the scenario's engine configuration. A power cut inside the firmware's flash
 * operation stops the CPU there: the call returns NBS_E_IO, as the host engine's failing
 * flash callback does, and only a mount brings the agent back. A read-only mount is the same
 * reboot with the read-only mount command. Key-value domains (engine type "kv") are nbs_kv on
 * the agent's map: the domains the scenario opens are the agent's handles by slot, the whole
 * store is shown to the runner's checks through a handle of its own (kv_store_view.h), and a
 * transaction's writes cross the mailbox in as few commands as its value buffer allows. The
 * partition table and raw steps are agent_raw.c's. */
#include "agent_internal.h"
#include "emu_target.h"
#include "kv_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static emu_target selected;

void emu_target_select(const emu_target *t) {
    selected = *t;
}

/* The agent's handle for the whole-store view, apart from the scenario's open domains. */
#define VIEW_SLOT (MBOX_KV_SLOTS - 1u)
_Static_assert(ADAPTER_KV_OPEN_MAX < MBOX_KV_SLOTS, "the agent keeps a handle for the view");

void agent_put32(uint8_t *mbox, uint32_t offset, uint32_t value) {
    for (int i = 0; i < 4; i++) mbox[offset + i] = (uint8_t)(value >> (8 * i));
}

uint32_t agent_get32(const uint8_t *mbox, uint32_t offset) {
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
        "none",      "mount",      "format",     "store",       "fetch",
        "remove",    "remove_all", "has",        "push",        "peek",
        "pop",       "count",      "iterate",    "iterate_pop", "mount_read_only",
        "kv_open",   "kv_close",   "kv_read",    "kv_write",    "kv_delete",
        "kv_keys",   "kv_domains", "txn_commit", "part_table",  "raw_open",
        "raw_close", "raw_status", "raw_read",   "raw_write",   "raw_erase"};
    return command < sizeof names / sizeof *names ? names[command] : "?";
}

int agent_call(agent *a, uint32_t command) {
    if (!a->answering) return NBS_E_IO;
    uint8_t *mbox = emu_mailbox(a->m);
    agent_put32(mbox, MBOX_COMMAND, command);
    emu_boot b;
    int rc = emu_boot_resume(a->m, &b);
    if (rc == 0 && b.stop == EMU_STOP_POWER_CUT) {
        a->answering = false;
        rc = NBS_E_IO;
    } else if (rc == 0 && b.stop == EMU_STOP_IDLE &&
               agent_get32(mbox, MBOX_COMMAND) == MBOX_CMD_NONE) {
        rc = (int32_t)agent_get32(mbox, MBOX_STATUS);
    } else {
        rc = stopped_answering(a, &b, command_name(command));
    }
    emu_boot_free(&b);
    return rc;
}

static int put_key(agent *a, const void *key, size_t key_len) {
    if (key_len > MBOX_KEY_ROOM) return NBS_E_KEY_LEN;
    uint8_t *mbox = emu_mailbox(a->m);
    if (key_len) memcpy(mbox + MBOX_KEY, key, key_len); /* an empty name may come as NULL */
    agent_put32(mbox, MBOX_KEY_LEN, (uint32_t)key_len);
    return NBS_OK;
}

static int put_value(agent *a, const void *value, size_t len) {
    if (len > MBOX_VALUE_ROOM) return NBS_E_TOO_BIG;
    uint8_t *mbox = emu_mailbox(a->m);
    if (len) memcpy(mbox + MBOX_VALUE, value, len);
    agent_put32(mbox, MBOX_VALUE_LEN, (uint32_t)len);
    return NBS_OK;
}

/* A value out of the mailbox into the caller's buffer (the agent honoured the capacity). */
static int take_value(agent *a, int rc, void *buf, size_t capacity, size_t *len) {
    const uint8_t *mbox = emu_mailbox(a->m);
    *len = agent_get32(mbox, MBOX_VALUE_LEN);
    if (rc == NBS_OK && *len <= capacity && *len) memcpy(buf, mbox + MBOX_VALUE, *len);
    return rc;
}

static void put_capacity(agent *a, size_t capacity) {
    agent_put32(emu_mailbox(a->m), MBOX_CAPACITY,
                (uint32_t)(capacity < MBOX_VALUE_ROOM ? capacity : MBOX_VALUE_ROOM));
}

/* ---- the adapter's operations ---- */

/* A reboot, then the engine's configuration and the mount command (read-write or read-only). */
static int mount_with(agent *a, uint32_t command) {
    emu_boot b;
    a->answering = false;
    int rc = emu_boot_run(a->m, &b);
    uint8_t *mbox = emu_mailbox(a->m);
    if (rc == 0 && b.stop == EMU_STOP_IDLE && agent_get32(mbox, MBOX_HELLO) == MBOX_HELLO_VALUE)
        a->answering = true;
    else
        rc = stopped_answering(a, &b, "its boot (no greeting in the mailbox)");
    emu_boot_free(&b);
    if (!a->answering) return rc ? rc : NBS_E_IO;
    memset(&a->open, 0, sizeof a->open);
    agent_put32(mbox, MBOX_CFG_KIND, a->kind);
    agent_put32(mbox, MBOX_CFG_START, emu_storage_base(a->m) + a->cfg.start);
    agent_put32(mbox, MBOX_CFG_SIZE, a->cfg.size);
    agent_put32(mbox, MBOX_CFG_PAGE, a->cfg.page_size);
    agent_put32(mbox, MBOX_CFG_WRITE_UNIT, nor_get_config(a->dev)->write_unit);
    agent_put32(mbox, MBOX_CFG_CACHE_FLAGS, a->cfg.cache_flags);
    agent_put32(mbox, MBOX_CFG_CACHE_KEYS, a->cfg.cache_max_keys);
    agent_put32(mbox, MBOX_CFG_CACHE_CHECK, a->cfg.cache_check);
    rc = agent_raw_restore(a); /* the handles are the host's: they outlive the reboot */
    if (!rc) rc = agent_call(a, command);
    if (rc == NBS_E_CACHE_MEM && !a->told_arena) {
        char why[200];
        snprintf(why, sizeof why,
                 "the engine's RAM on this geometry (%u bytes: its work area, caches%s) does not "
                 "fit the agent's arena of %u bytes",
                 agent_get32(mbox, MBOX_VALUE_LEN),
                 a->kind == MBOX_KIND_KV ? " and the key-value layer's buffer of one map value"
                                         : "",
                 agent_get32(mbox, MBOX_ARENA));
        agent_refused(why);
        a->told_arena = true;
    }
    return rc;
}

static int agent_mount(void *ctx) {
    return mount_with(ctx, MBOX_CMD_MOUNT);
}

static int agent_mount_read_only(void *ctx) {
    return mount_with(ctx, MBOX_CMD_MOUNT_READ_ONLY);
}

static int agent_format(void *ctx) {
    agent *a = ctx;
    memset(&a->open, 0, sizeof a->open);
    return agent_call(a, MBOX_CMD_FORMAT);
}

static int agent_store(void *ctx, const void *key, size_t key_len, const void *value, size_t len) {
    int rc = put_key(ctx, key, key_len);
    if (!rc) rc = put_value(ctx, value, len);
    return rc ? rc : agent_call(ctx, MBOX_CMD_STORE);
}

static int agent_fetch(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len) {
    int rc = put_key(ctx, key, key_len);
    if (rc) return rc;
    put_capacity(ctx, capacity);
    return take_value(ctx, agent_call(ctx, MBOX_CMD_FETCH), buf, capacity, len);
}

static int agent_remove(void *ctx, const void *key, size_t key_len) {
    int rc = put_key(ctx, key, key_len);
    return rc ? rc : agent_call(ctx, MBOX_CMD_REMOVE);
}

static int agent_remove_all(void *ctx) {
    return agent_call(ctx, MBOX_CMD_REMOVE_ALL);
}

static int agent_has(void *ctx, const void *key, size_t key_len, bool *present) {
    agent *a = ctx;
    int rc = put_key(a, key, key_len);
    if (!rc) rc = agent_call(a, MBOX_CMD_HAS);
    *present = agent_get32(emu_mailbox(a->m), MBOX_FLAGS) != 0;
    return rc;
}

static int agent_push(void *ctx, const void *data, size_t len, unsigned flags) {
    agent *a = ctx;
    int rc = put_value(a, data, len);
    if (rc) return rc;
    agent_put32(emu_mailbox(a->m), MBOX_FLAGS,
                (flags & ADAPTER_PUSH_DROP_OLDEST) ? MBOX_PUSH_DROP_OLDEST : 0);
    return agent_call(a, MBOX_CMD_PUSH);
}

static int agent_peek(void *ctx, void *buf, size_t capacity, size_t *len) {
    put_capacity(ctx, capacity);
    return take_value(ctx, agent_call(ctx, MBOX_CMD_PEEK), buf, capacity, len);
}

static int agent_pop(void *ctx, void *buf, size_t capacity, size_t *len) {
    put_capacity(ctx, capacity);
    return take_value(ctx, agent_call(ctx, MBOX_CMD_POP), buf, capacity, len);
}

static int agent_count(void *ctx, uint32_t *count) {
    agent *a = ctx;
    int rc = agent_call(a, MBOX_CMD_COUNT);
    *count = agent_get32(emu_mailbox(a->m), MBOX_COUNT);
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
        agent_put32(mbox, MBOX_CURSOR, cursor);
        put_capacity(a, MBOX_VALUE_ROOM);
        rc = agent_call(a, MBOX_CMD_ITERATE);
        if (rc == NBS_E_END) {
            rc = NBS_OK;
            break;
        }
        if (rc) break;
        size_t key_len = agent_get32(mbox, MBOX_KEY_LEN), len = agent_get32(mbox, MBOX_VALUE_LEN);
        memcpy(key, mbox + MBOX_KEY, key_len);
        memcpy(value, mbox + MBOX_VALUE, len);
        bool pop_current = false;
        rc = visit(visit_ctx, a->kind == MBOX_KIND_QUEUE ? NULL : key, key_len, value, len,
                   &pop_current);
        if (rc) break;
        if (pop_current) {
            rc = agent_call(a, MBOX_CMD_ITERATE_POP);
        } else {
            cursor++;
        }
    }
    free(key);
    free(value);
    return rc;
}

/* ---- transactions ---- */

/* One write as the agent stages it: a map's store or removal, a kv write or delete in an open
 * slot. */
typedef struct txn_record {
    const uint8_t *key, *value;
    size_t key_len, len;
    uint8_t slot, format;
    bool remove;
} txn_record;

/* A kv write comes in the runner's view form (kv_view.h): its domain names an open slot, its
 * value starts with the format byte. */
static int record_of(const agent *a, const adapter_write *w, txn_record *r) {
    *r = (txn_record){w->key, w->value, w->key_len, w->value_len, 0, 0, w->remove};
    if (a->kind == MBOX_KIND_KV) {
        kv_view_key k;
        if (!kv_view_parse_key(w->key, w->key_len, &k) || k.is_domain || (!w->remove && r->len < 1))
            return NBS_E_INVAL;
        int open = kv_open_find(&a->open, k.name, k.name_len);
        if (open < 0) return NBS_E_KV_CLOSED;
        r->slot = (uint8_t)open, r->key = k.key, r->key_len = k.key_len;
        if (!w->remove) r->format = r->value[0], r->value++, r->len--;
    }
    if (r->key_len > UINT8_MAX) return NBS_E_KEY_LEN;
    return MBOX_TXN_HEADER + r->key_len + r->len > MBOX_VALUE_ROOM ? NBS_E_TOO_BIG : NBS_OK;
}

/* The records packed since `from` sent as one TXN_COMMIT, MBOX_TXN_MORE when more follow. */
static int send_records(agent *a, const uint8_t *end, uint32_t count, bool more) {
    uint8_t *mbox = emu_mailbox(a->m);
    agent_put32(mbox, MBOX_COUNT, count);
    agent_put32(mbox, MBOX_VALUE_LEN, (uint32_t)(end - (mbox + MBOX_VALUE)));
    agent_put32(mbox, MBOX_FLAGS, more ? MBOX_TXN_MORE : 0);
    return agent_call(a, MBOX_CMD_TXN_COMMIT);
}

/* The writes as MBOX_TXN_HEADER records in the mailbox's value buffer: as many commands as the
 * buffer needs, all but the last with MBOX_TXN_MORE. Every write is checked before the first
 * is sent, so that the agent never keeps a transaction the host gave up. */
static int agent_commit(void *ctx, const adapter_write *writes, size_t count) {
    agent *a = ctx;
    txn_record r;
    for (size_t i = 0; i < count; i++) {
        int rc = record_of(a, &writes[i], &r);
        if (rc) return rc;
    }
    uint8_t *mbox = emu_mailbox(a->m), *at = mbox + MBOX_VALUE, *end = at + MBOX_VALUE_ROOM;
    uint32_t packed = 0;
    for (size_t i = 0; i < count; i++) {
        record_of(a, &writes[i], &r);
        size_t size = MBOX_TXN_HEADER + r.key_len + r.len;
        if ((size_t)(end - at) < size) {
            int rc = send_records(a, at, packed, true);
            if (rc) return rc;
            at = mbox + MBOX_VALUE, packed = 0;
        }
        at[0] = r.remove ? MBOX_TXN_REMOVE : 0, at[1] = r.slot, at[2] = r.format;
        at[3] = (uint8_t)r.key_len;
        agent_put32(at, 4, (uint32_t)r.len);
        memcpy(at + MBOX_TXN_HEADER, r.key, r.key_len);
        if (r.len) memcpy(at + MBOX_TXN_HEADER + r.key_len, r.value, r.len);
        at += size, packed++;
    }
    return send_records(a, at, packed, false);
}

/* ---- key-value domains ---- */

static void put_slot(agent *a, uint32_t slot) {
    agent_put32(emu_mailbox(a->m), MBOX_KV_SLOT, slot);
}

/* Names the open domain `name`'s slot for the next command; NBS_E_KV_CLOSED when not open. */
static int put_open(agent *a, const void *name, size_t name_len) {
    int slot = kv_open_find(&a->open, name, name_len);
    if (slot < 0) return NBS_E_KV_CLOSED;
    put_slot(a, (uint32_t)slot);
    return NBS_OK;
}

static int open_in(agent *a, uint32_t slot, const void *name, size_t name_len, bool writable) {
    int rc = put_key(a, name, name_len);
    if (rc) return rc;
    put_slot(a, slot);
    agent_put32(emu_mailbox(a->m), MBOX_FLAGS, writable);
    return agent_call(a, MBOX_CMD_KV_OPEN);
}

static int agent_kv_open(void *ctx, const void *name, size_t name_len, bool writable) {
    agent *a = ctx;
    int slot = kv_open_slot(&a->open, name, name_len);
    if (slot < 0) return NBS_E_FULL;
    int rc = open_in(a, (uint32_t)slot, name, name_len, writable);
    if (!rc) kv_open_set(&a->open, slot, name, name_len);
    return rc;
}

static int agent_kv_close(void *ctx, const void *name, size_t name_len) {
    agent *a = ctx;
    int slot = kv_open_find(&a->open, name, name_len);
    if (slot < 0) return NBS_E_KV_CLOSED;
    a->open.used[slot] = false;
    put_slot(a, (uint32_t)slot);
    return agent_call(a, MBOX_CMD_KV_CLOSE);
}

/* KV_READ of the slot put: the value out, *stored the format whenever the key exists. */
static int read_slot(agent *a, const void *key, size_t key_len, int format, void *buf,
                     size_t capacity, size_t *len, int *stored) {
    int rc = put_key(a, key, key_len);
    if (rc) return rc;
    agent_put32(emu_mailbox(a->m), MBOX_KV_FORMAT, (uint32_t)format);
    put_capacity(a, capacity);
    rc = take_value(a, agent_call(a, MBOX_CMD_KV_READ), buf, capacity, len);
    if (stored) *stored = (int)agent_get32(emu_mailbox(a->m), MBOX_KV_FORMAT);
    return rc;
}

static int agent_kv_read(void *ctx, const void *name, size_t name_len, const void *key,
                         size_t key_len, int format, void *buf, size_t capacity, size_t *len,
                         int *stored) {
    int rc = put_open(ctx, name, name_len);
    return rc ? rc : read_slot(ctx, key, key_len, format, buf, capacity, len, stored);
}

static int agent_kv_write(void *ctx, const void *name, size_t name_len, const void *key,
                          size_t key_len, int format, const void *value, size_t len) {
    agent *a = ctx;
    int rc = put_open(a, name, name_len);
    if (!rc) rc = put_key(a, key, key_len);
    if (!rc) rc = put_value(a, value, len);
    if (rc) return rc;
    agent_put32(emu_mailbox(a->m), MBOX_KV_FORMAT, (uint32_t)format);
    return agent_call(a, MBOX_CMD_KV_WRITE);
}

static int agent_kv_remove(void *ctx, const void *name, size_t name_len, const void *key,
                           size_t key_len, bool *existed) {
    agent *a = ctx;
    int rc = put_open(a, name, name_len);
    if (!rc) rc = put_key(a, key, key_len);
    if (rc) return rc;
    rc = agent_call(a, MBOX_CMD_KV_DELETE);
    if (existed) *existed = agent_get32(emu_mailbox(a->m), MBOX_FLAGS) != 0;
    return rc;
}

/* visit(key or name) for each answer of KV_KEYS (of the slot put) or KV_DOMAINS, one call per
 * item as agent_iterate walks. */
static int walk(agent *a, uint32_t command, adapter_visit_fn visit, void *visit_ctx) {
    uint8_t *mbox = emu_mailbox(a->m), key[MBOX_KEY_ROOM];
    uint32_t slot = agent_get32(mbox, MBOX_KV_SLOT);
    for (uint32_t cursor = 0;; cursor++) {
        agent_put32(mbox, MBOX_CURSOR, cursor);
        put_slot(a, slot); /* a visit may have named another */
        int rc = agent_call(a, command);
        if (rc) return rc == NBS_E_END ? NBS_OK : rc;
        size_t key_len = agent_get32(mbox, MBOX_KEY_LEN);
        memcpy(key, mbox + MBOX_KEY, key_len);
        bool pop_ignored = false;
        if ((rc = visit(visit_ctx, key, key_len, NULL, 0, &pop_ignored))) return rc;
    }
}

static int agent_kv_keys(void *ctx, const void *name, size_t name_len, adapter_visit_fn visit,
                         void *visit_ctx) {
    int rc = put_open(ctx, name, name_len);
    return rc ? rc : walk(ctx, MBOX_CMD_KV_KEYS, visit, visit_ctx);
}

static const adapter_kv_ops agent_kv_ops = {agent_kv_open,  agent_kv_close,  agent_kv_read,
                                            agent_kv_write, agent_kv_remove, agent_kv_keys};

/* The whole store for the runner's checks (kv_store_view.h), through the agent's VIEW_SLOT. */
static int reader_domains(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    return walk(ctx, MBOX_CMD_KV_DOMAINS, visit, visit_ctx);
}

static int reader_open(void *ctx, const void *name, size_t name_len) {
    return open_in(ctx, VIEW_SLOT, name, name_len, false);
}

static int reader_keys(void *ctx, adapter_visit_fn visit, void *visit_ctx) {
    put_slot(ctx, VIEW_SLOT);
    return walk(ctx, MBOX_CMD_KV_KEYS, visit, visit_ctx);
}

static int reader_read(void *ctx, const void *key, size_t key_len, void *buf, size_t capacity,
                       size_t *len, int *format) {
    put_slot(ctx, VIEW_SLOT);
    return read_slot(ctx, key, key_len, 0, buf, capacity, len, format);
}

/* ---- RAM state, for campaigns that resume a run from a snapshot ---- */

/* Whether the agent answers, the open domains' names, the open raw handles, then the board's
 * snapshot. */
#define HOST_STATE (1 + sizeof(kv_open_table) + MBOX_PART_MAX)
static void save_state(void *ctx, void *out) {
    agent *a = ctx;
    uint8_t *p = out;
    p[0] = a->answering;
    memcpy(p + 1, &a->open, sizeof a->open);
    memcpy(p + 1 + sizeof a->open, a->raw_mode, sizeof a->raw_mode);
    if (emu_state_save(a->m, p + HOST_STATE))
        p[0] = 0; /* restored as a board that does not answer */
}

static void restore_state(void *ctx, const void *in) {
    agent *a = ctx;
    const uint8_t *p = in;
    memcpy(&a->open, p + 1, sizeof a->open);
    memcpy(a->raw_mode, p + 1 + sizeof a->open, sizeof a->raw_mode);
    a->answering = p[0] && emu_state_restore(a->m, p + HOST_STATE) == 0;
}

static void agent_destroy(void *ctx) {
    agent *a = ctx;
    if (!a) return;
    emu_close(a->m);
    free(a->reader.buffer);
    free(a);
}

/* ---- creation ---- */

void agent_refused(const char *why) {
    char message[EMU_WHY_MAX + 64];
    snprintf(message, sizeof message, "target %s: %s", selected.board, why);
    if (selected.refused) selected.refused(message);
}

/* Refuses the run before anything runs: the reason to the caller's cfg->why, or to `refused`
 * when it gave none; NBS_E_GEOMETRY. */
static int refuse(agent *a, const adapter_config *cfg, const char *why) {
    if (a) emu_close(a->m);
    free(a);
    if (cfg->why && cfg->why_size)
        snprintf(cfg->why, cfg->why_size, "target %s: %s", selected.board, why);
    else
        agent_refused(why);
    return NBS_E_GEOMETRY;
}

static int agent_create(adapter *out, nor *dev, const adapter_config *cfg, uint32_t kind) {
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
    if (emu_open(&a->m, &o, why, sizeof why)) return refuse(a, cfg, why);
    if (cfg->start < emu_storage_first(a->m)) {
        snprintf(why, sizeof why,
                 "the engine's range starts at 0x%x of the scenario's flash, whose first 0x%x "
                 "bytes lie on the agent firmware in the %s's flash: start it at 0x%x or later "
                 "(engine.start)",
                 cfg->start, emu_storage_first(a->m), selected.board, emu_storage_first(a->m));
        return refuse(a, cfg, why);
    }
    a->dev = dev;
    a->cfg = *cfg;
    a->kind = kind;
    bool is_map = kind == MBOX_KIND_MAP;
    out->name = is_map ? "map" : "queue";
    out->capabilities = is_map ? ADAPTER_CAN_MAP : ADAPTER_CAN_QUEUE;
    /* A value crosses the mailbox whole: no larger than its value buffer. */
    out->max_value_size = cfg->page_size < MBOX_VALUE_ROOM ? cfg->page_size : MBOX_VALUE_ROOM;
    out->ctx = a;
    out->state_size = HOST_STATE + emu_state_size(a->m);
    out->raw = &agent_raw_ops;
    out->save_state = save_state;
    out->restore_state = restore_state;
    out->destroy = agent_destroy;
    out->mount = agent_mount;
    out->mount_read_only = agent_mount_read_only;
    out->format = agent_format;
    out->count = agent_count;
    out->iterate = agent_iterate;
    if (kind == MBOX_KIND_KV) {
        /* As the host's kv adapter (adapter_kv.c): the whole store in the runner's view. */
        size_t view_size = out->max_value_size + 1u; /* a format byte, then the value */
        a->reader = (kv_store_reader){a,           reader_domains,    reader_open, reader_keys,
                                      reader_read, malloc(view_size), view_size};
        if (!a->reader.buffer) {
            agent_destroy(a);
            memset(out, 0, sizeof *out);
            return NBS_E_CACHE_MEM;
        }
        out->name = "kv";
        out->capabilities = ADAPTER_CAN_KV;
        out->max_value_size = (uint32_t)view_size;
        kv_store_view_install(out);
        out->remove_all = agent_format; /* only asked of a store mounted read-only: refused */
        out->kv = &agent_kv_ops;
        out->commit = agent_commit;
    } else if (is_map) {
        out->commit = agent_commit;
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
    return agent_create(out, dev, cfg, MBOX_KIND_MAP);
}

static int agent_queue_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return agent_create(out, dev, cfg, MBOX_KIND_QUEUE);
}

static int agent_kv_create(adapter *out, nor *dev, const adapter_config *cfg) {
    return agent_create(out, dev, cfg, MBOX_KIND_KV);
}

const adapter_kind *emu_target_find_engine(const char *type) {
    static const adapter_kind kinds[] = {
        {"map", ADAPTER_CAN_MAP, agent_map_create, NULL},
        {"queue", ADAPTER_CAN_QUEUE, agent_queue_create, NULL},
        {"kv", ADAPTER_CAN_KV, agent_kv_create, NULL},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kinds[i].name, type) == 0) return &kinds[i];
    return NULL;
}

uint32_t emu_target_ecc_reads(const adapter *a) {
    const agent *ag = a->ctx;
    return agent_get32(emu_mailbox(ag->m), MBOX_ECC_READS);
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
        (b.stop != EMU_STOP_IDLE || agent_get32(emu_mailbox(m), MBOX_HELLO) != MBOX_HELLO_VALUE)) {
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
