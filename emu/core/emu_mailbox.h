/* The agent mailbox: a board-independent window of plain memory through which the host hands
 * an agent firmware one engine operation at a time (emu/firmware/apps/agent.c) and reads back
 * its answer. Shared by the host (emu/agent) and the firmware, so it is plain C: offsets and
 * codes only. All words little-endian.
 *
 * One call: the host writes the arguments and MBOX_COMMAND, resumes the CPU, and the agent,
 * idle in a WFI, runs the command, writes MBOX_STATUS (an NBS_* code) and the outputs, sets
 * MBOX_COMMAND back to MBOX_CMD_NONE and waits in a WFI again. */
#ifndef NORBENCH_EMU_MAILBOX_H
#define NORBENCH_EMU_MAILBOX_H

/* At 0x7F000000, in the Cortex-M external RAM region that none of the modelled parts uses. */
#define MBOX_BASE 0x7F000000u
#define MBOX_SIZE 0x10000u

/* Word registers (byte offsets). */
#define MBOX_COMMAND         0x00u /* MBOX_CMD_*; the agent sets NONE when done */
#define MBOX_STATUS          0x04u /* the operation's result: 0 or a negative NBS_E_* code */
#define MBOX_KEY_LEN         0x08u /* bytes of MBOX_KEY */
#define MBOX_VALUE_LEN       0x0Cu /* in: bytes of MBOX_VALUE given; out: bytes returned/needed */
#define MBOX_CAPACITY        0x10u /* in: room the host has for a value */
#define MBOX_FLAGS           0x14u /* push: MBOX_PUSH_DROP_OLDEST; has: out 1 when present */
#define MBOX_COUNT           0x18u /* count: out */
#define MBOX_CURSOR          0x1Cu /* iterate: items to skip; iterate_pop: which to pop */
#define MBOX_HELLO           0x20u /* the agent writes MBOX_HELLO_VALUE once it is ready */
#define MBOX_ECC_READS       0x24u /* out: the engine's reads this boot that returned NBS_E_ECC */
#define MBOX_KV_SLOT         0x28u /* kv commands: the agent's domain handle, 0..MBOX_KV_SLOTS-1 */
#define MBOX_KV_FORMAT       0x2Cu /* kv read: in the format asked, out the stored one; kv write */
#define MBOX_RAW_PART        0x30u /* raw commands: the partition's index in the table */
#define MBOX_RAW_OFFSET      0x34u /* raw read/write: the offset; raw erase: `from` (signed) */
#define MBOX_RAW_TO          0x38u /* raw erase: `to` (signed) */
#define MBOX_ARENA           0x3Cu /* the agent's RAM arena (bytes), written with the greeting */
#define MBOX_CFG_KIND        0x40u /* mount: MBOX_KIND_MAP or MBOX_KIND_QUEUE */
#define MBOX_CFG_START       0x44u /* mount: the engine's first byte (absolute address) */
#define MBOX_CFG_SIZE        0x48u /* mount: bytes */
#define MBOX_CFG_PAGE        0x4Cu /* mount: page size */
#define MBOX_CFG_WRITE_UNIT  0x50u
#define MBOX_CFG_CACHE_FLAGS 0x54u
#define MBOX_CFG_CACHE_KEYS  0x58u
#define MBOX_CFG_CACHE_CHECK 0x5Cu
#define MBOX_KEY             0x100u /* up to MBOX_KEY_ROOM bytes */
#define MBOX_VALUE           0x200u /* up to MBOX_VALUE_ROOM bytes */
#define MBOX_KEY_ROOM        0x100u
#define MBOX_VALUE_ROOM      (MBOX_SIZE - MBOX_VALUE)

#define MBOX_HELLO_VALUE 0x4E424147u /* "NBAG" */
#define MBOX_KIND_MAP    1u
#define MBOX_KIND_QUEUE  2u
#define MBOX_KIND_KV     3u /* a map with nbs_kv's domains on it (nbs_kv.h) */
#define MBOX_KV_SLOTS    9u /* domain handles the agent keeps between calls */
#define MBOX_TXN_REMOVE  1u /* a transaction record's flags: a removal (kv: a delete) */
/* A transaction record (MBOX_CMD_TXN_COMMIT): flags, kv slot, kv format, key length (bytes),
 * value length (32-bit word, unaligned), the key, the value. */
#define MBOX_TXN_HEADER       8u
#define MBOX_PUSH_DROP_OLDEST 1u
/* MBOX_CMD_TXN_COMMIT's MBOX_FLAGS: more records follow (stage these, keep the transaction). */
#define MBOX_TXN_MORE 1u
/* The partition table (MBOX_CMD_PART_TABLE) in MBOX_VALUE: the device's base (the absolute
 * address of its byte 0), the number of sector runs, the number of partitions (words); each run
 * as count and size (words); each partition as start and size (words), a read-only byte and its
 * name (MBOX_PART_NAME bytes, NUL-padded). */
#define MBOX_PART_MAX   16u
#define MBOX_RUNS_MAX   8u
#define MBOX_PART_NAME  17u
#define MBOX_PART_ENTRY (8u + 1u + MBOX_PART_NAME)

enum mbox_command {
    MBOX_CMD_NONE = 0,
    /* NBS_E_CACHE_MEM: the engine's work, caches and kv buffer (MBOX_VALUE_LEN out: their bytes)
     * do not fit the arena (MBOX_ARENA). */
    MBOX_CMD_MOUNT,
    MBOX_CMD_FORMAT,
    MBOX_CMD_STORE,
    MBOX_CMD_FETCH,
    MBOX_CMD_REMOVE,
    MBOX_CMD_REMOVE_ALL,
    MBOX_CMD_HAS,
    MBOX_CMD_PUSH,
    MBOX_CMD_PEEK,
    MBOX_CMD_POP,
    MBOX_CMD_COUNT,
    /* The item after MBOX_CURSOR items from the start (key and value out), NBS_E_END past the
     * last: the host walks an iteration one call per item, cursor 0, 1, 2, ... */
    MBOX_CMD_ITERATE,
    /* Queues: pops the item the last ITERATE returned; the next ITERATE names the item after
     * it with the same cursor. */
    MBOX_CMD_ITERATE_POP,
    /* As MOUNT, with the engine's read_only set: it programs and erases nothing, reads answer
     * as after a read-write mount's recovery, and every write returns NBS_E_READ_ONLY until the
     * next mount. */
    MBOX_CMD_MOUNT_READ_ONLY,
    /* Key-value domains (a MBOX_KIND_KV mount). Opens the domain named by MBOX_KEY into handle
     * MBOX_KV_SLOT, writable when MBOX_FLAGS is 1 (mode r+). */
    MBOX_CMD_KV_OPEN,
    MBOX_CMD_KV_CLOSE, /* handle MBOX_KV_SLOT */
    /* MBOX_KEY of handle MBOX_KV_SLOT in format MBOX_KV_FORMAT (0: any): the value out, and the
     * stored format in MBOX_KV_FORMAT whenever the key exists. */
    MBOX_CMD_KV_READ,
    MBOX_CMD_KV_WRITE,  /* MBOX_KEY = MBOX_VALUE in format MBOX_KV_FORMAT, handle MBOX_KV_SLOT */
    MBOX_CMD_KV_DELETE, /* MBOX_KEY of handle MBOX_KV_SLOT; MBOX_FLAGS out 1 when it existed */
    /* The key after MBOX_CURSOR keys of handle MBOX_KV_SLOT's domain (into MBOX_KEY), or the
     * domain name after MBOX_CURSOR names: NBS_E_END past the last, walked as ITERATE is. */
    MBOX_CMD_KV_KEYS,
    MBOX_CMD_KV_DOMAINS,
    /* MBOX_COUNT transaction records (MBOX_TXN_HEADER) one after the other in MBOX_VALUE,
     * staged in the agent's RAM and committed as one transaction (map: stores and removals;
     * kv: writes and deletes in the records' handles). A failed staging aborts: nothing written.
     * With MBOX_TXN_MORE in MBOX_FLAGS the records are staged and the transaction kept for the
     * next TXN_COMMIT (the first after a commit, an abort or a mount begins one): a transaction
     * larger than MBOX_VALUE crosses in several. */
    MBOX_CMD_TXN_COMMIT,
    /* Partitions and raw access (nbs_part.h). PART_TABLE replaces the table (closing every
     * handle) with the one in MBOX_VALUE; the raw commands name a partition by MBOX_RAW_PART.
     * RAW_OPEN: writable when MBOX_FLAGS is 1. RAW_STATUS: size, block length, blocks, erase
     * value and write alignment as five words in MBOX_VALUE. RAW_READ: MBOX_CAPACITY bytes at
     * MBOX_RAW_OFFSET into MBOX_VALUE, MBOX_VALUE_LEN out the bytes read. RAW_WRITE: MBOX_VALUE
     * at MBOX_RAW_OFFSET. RAW_ERASE: blocks MBOX_RAW_OFFSET..MBOX_RAW_TO-1. */
    MBOX_CMD_PART_TABLE,
    MBOX_CMD_RAW_OPEN,
    MBOX_CMD_RAW_CLOSE,
    MBOX_CMD_RAW_STATUS,
    MBOX_CMD_RAW_READ,
    MBOX_CMD_RAW_WRITE,
    MBOX_CMD_RAW_ERASE,
};

#endif
