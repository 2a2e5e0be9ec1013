/* Partitions and raw access of `--target` (adapter_raw_ops): the scenario's table is kept here
 * and sent to the agent firmware with each boot (MBOX_CMD_PART_TABLE), followed by the handles
 * the scenario has open, so that they survive the agent's reboots as the host's nbs_raw handles
 * survive mounts. Reads and writes larger than the mailbox's value buffer cross in pieces. */
#include "agent_internal.h"

#include <stdio.h>
#include <string.h>

/* The table as MBOX_CMD_PART_TABLE takes it, then the open handles. */
int agent_raw_restore(agent *a) {
    if (!a->part_count) return NBS_OK;
    uint8_t *mbox = emu_mailbox(a->m), *v = mbox + MBOX_VALUE;
    const nor_config *cfg = nor_get_config(a->dev);
    agent_put32(v, 0, emu_storage_base(a->m));
    agent_put32(v, 4, cfg->region_count);
    agent_put32(v, 8, a->part_count);
    uint8_t *at = v + 12;
    for (uint32_t i = 0; i < cfg->region_count; i++, at += 8) {
        agent_put32(at, 0, cfg->regions[i].count);
        agent_put32(at, 4, cfg->regions[i].size);
    }
    for (uint32_t i = 0; i < a->part_count; i++, at += MBOX_PART_ENTRY) {
        agent_put32(at, 0, a->parts[i].start);
        agent_put32(at, 4, a->parts[i].size);
        at[8] = a->parts[i].read_only;
        memcpy(at + 9, a->names[i], MBOX_PART_NAME);
    }
    agent_put32(mbox, MBOX_VALUE_LEN, (uint32_t)(at - v));
    int rc = agent_call(a, MBOX_CMD_PART_TABLE);
    for (uint32_t i = 0; i < a->part_count && !rc; i++) {
        if (a->raw_mode[i] == RAW_CLOSED) continue;
        agent_put32(mbox, MBOX_RAW_PART, i);
        agent_put32(mbox, MBOX_FLAGS, a->raw_mode[i] == RAW_READ_WRITE);
        rc = agent_call(a, MBOX_CMD_RAW_OPEN);
    }
    return rc;
}

/* Keeps the table; a partition on the agent firmware's sectors is refused (NBS_E_RANGE), as an
 * engine range there is. */
static int raw_table(void *ctx, const nbs_partition *parts, uint32_t count) {
    agent *a = ctx;
    _Static_assert(MBOX_PART_NAME == NBS_PART_NAME_MAX + 1, "a name and its NUL");
    if (count > MBOX_PART_MAX || nor_get_config(a->dev)->region_count > MBOX_RUNS_MAX)
        return NBS_E_INVAL;
    for (uint32_t i = 0; i < count; i++) {
        if (parts[i].start < emu_storage_first(a->m)) {
            char why[300];
            snprintf(why, sizeof why,
                     "the partition '%s' starts at 0x%x of the scenario's flash, whose first 0x%x "
                     "bytes lie on the agent firmware: start it at 0x%x or later",
                     parts[i].name, parts[i].start, emu_storage_first(a->m),
                     emu_storage_first(a->m));
            agent_refused(why);
            return NBS_E_RANGE;
        }
        snprintf(a->names[i], sizeof a->names[i], "%s", parts[i].name);
        a->parts[i] = parts[i];
        a->parts[i].name = a->names[i];
        a->raw_mode[i] = RAW_CLOSED;
    }
    a->part_count = count;
    return a->answering ? agent_raw_restore(a) : NBS_OK;
}

static uint8_t *put_part(agent *a, uint32_t part) {
    uint8_t *mbox = emu_mailbox(a->m);
    agent_put32(mbox, MBOX_RAW_PART, part);
    return mbox;
}

static int raw_open(void *ctx, uint32_t part, bool writable) {
    agent *a = ctx;
    agent_put32(put_part(a, part), MBOX_FLAGS, writable);
    int rc = agent_call(a, MBOX_CMD_RAW_OPEN);
    a->raw_mode[part] = rc ? RAW_CLOSED : writable ? RAW_READ_WRITE : RAW_READ;
    return rc;
}

static void raw_close(void *ctx, uint32_t part) {
    agent *a = ctx;
    put_part(a, part);
    a->raw_mode[part] = RAW_CLOSED;
    agent_call(a, MBOX_CMD_RAW_CLOSE); /* a board that does not answer has no handle open */
}

static int raw_status(void *ctx, uint32_t part, nbs_raw_status *status) {
    agent *a = ctx;
    uint8_t *mbox = put_part(a, part);
    int rc = agent_call(a, MBOX_CMD_RAW_STATUS);
    const uint8_t *v = mbox + MBOX_VALUE;
    *status = (nbs_raw_status){agent_get32(v, 0), agent_get32(v, 4), agent_get32(v, 8),
                               (uint8_t)agent_get32(v, 12), agent_get32(v, 16)};
    return rc;
}

/* Piece by piece, each as large as the mailbox takes; a short piece is the partition's end. */
static int raw_read(void *ctx, uint32_t part, uint32_t offset, void *buf, uint32_t count,
                    uint32_t *got) {
    agent *a = ctx;
    uint8_t *mbox = put_part(a, part);
    *got = 0;
    for (uint32_t done = 0;;) {
        uint32_t piece = count - done < MBOX_VALUE_ROOM ? count - done : MBOX_VALUE_ROOM;
        agent_put32(mbox, MBOX_RAW_OFFSET, offset + done);
        agent_put32(mbox, MBOX_CAPACITY, piece);
        int rc = agent_call(a, MBOX_CMD_RAW_READ);
        if (rc) return rc;
        uint32_t n = agent_get32(mbox, MBOX_VALUE_LEN);
        if (n > piece) return NBS_E_IO; /* the agent broke its word: never trusted */
        memcpy((uint8_t *)buf + done, mbox + MBOX_VALUE, n);
        done += n;
        *got = done;
        if (n < piece || done == count) return NBS_OK;
    }
}

/* Piece by piece: a write larger than the mailbox that the engine refuses only for its end
 * (range) has its first pieces written (emu/README.md, Known limits). */
static int raw_write(void *ctx, uint32_t part, uint32_t offset, const void *data, uint32_t count) {
    agent *a = ctx;
    uint8_t *mbox = put_part(a, part);
    uint32_t done = 0;
    do {
        uint32_t piece = count - done < MBOX_VALUE_ROOM ? count - done : MBOX_VALUE_ROOM;
        agent_put32(mbox, MBOX_RAW_OFFSET, offset + done);
        agent_put32(mbox, MBOX_VALUE_LEN, piece);
        if (piece) memcpy(mbox + MBOX_VALUE, (const uint8_t *)data + done, piece);
        int rc = agent_call(a, MBOX_CMD_RAW_WRITE);
        if (rc) return rc;
        done += piece;
    } while (done < count);
    return NBS_OK;
}

/* The mailbox's words are 32-bit: arguments beyond them are clamped, which keeps the answer (out
 * of range either way). */
static uint32_t clamp_block(int64_t block) {
    return (uint32_t)(int32_t)(block < INT32_MIN   ? INT32_MIN
                               : block > INT32_MAX ? INT32_MAX
                                                   : block);
}

static int raw_erase(void *ctx, uint32_t part, int64_t from, int64_t to) {
    agent *a = ctx;
    uint8_t *mbox = put_part(a, part);
    agent_put32(mbox, MBOX_RAW_OFFSET, clamp_block(from));
    agent_put32(mbox, MBOX_RAW_TO, clamp_block(to));
    return agent_call(a, MBOX_CMD_RAW_ERASE);
}

const adapter_raw_ops agent_raw_ops = {raw_table, raw_open,  raw_close, raw_status,
                                       raw_read,  raw_write, raw_erase};
