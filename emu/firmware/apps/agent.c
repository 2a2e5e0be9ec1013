/* The agent: runs the storage engine's operations that the host sends through the mailbox
 * (emu_mailbox.h), one per call, so that `norbench run --target BOARD` drives the engine
 * cross-compiled for the board with the scenario's configuration. The engine's range and
 * caches come with the mount command (read-write or read-only); its work and cache memory, the
 * key-value layer's buffer (a kv mount: nbs_kv on the map, its domain handles kept by slot) and
 * a transaction's staging buffer (the rest) come from a static arena; a transaction may come
 * in several commands, staged as they come. The scenario's partition table comes with its own
 * command, after which raw reads, writes and erases run in its partitions (nbs_part.h) through
 * the same board flash. Between calls the core waits in a WFI, which hands control back to the
 * host. */
#include "board.h"
#include "emu_mailbox.h"
#include "nbs.h"
#include "nbs_kv.h"
#include "nbs_part.h"

#include <string.h>

#define REG(offset) (*(volatile uint32_t *)(MBOX_BASE + (offset)))
#define KEY         ((uint8_t *)(MBOX_BASE + MBOX_KEY))
#define VALUE       ((uint8_t *)(MBOX_BASE + MBOX_VALUE))

/* Not zeroed at each boot (no .bss): the engine never trusts what RAM holds at a mount. */
static uint8_t arena[96 * 1024] __attribute__((aligned(8), section(".noinit")));
static nbs_config config;
static nbs_map map;
static nbs_queue queue;
static bool is_map, is_kv;
static nbs_kv kv;
static nbs_kv_domain domains[MBOX_KV_SLOTS];
static uint8_t *staging; /* a transaction's staging buffer: the arena past the rest */
static size_t staging_size;
static nbs_map_txn txn;
static bool txn_open; /* records staged, more to come (MBOX_TXN_MORE) */

/* The engine's reads go through the board's, counting those that met an ECC error (the host
 * compares the count with its NOR model's). */
static nbs_flash board;
static uint32_t ecc_reads;

static int counted_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    int rc = board.read(ctx, addr, buf, len);
    if (rc == NBS_E_ECC) REG(MBOX_ECC_READS) = ++ecc_reads;
    return rc;
}

static int mount(bool read_only) {
    nbs_flash flash = board;
    flash.read = counted_read;
    if (REG(MBOX_CFG_WRITE_UNIT) != flash.write_unit) return NBS_E_GEOMETRY;
    flash.start = REG(MBOX_CFG_START);
    flash.size = REG(MBOX_CFG_SIZE);
    flash.page_size = REG(MBOX_CFG_PAGE);
    is_kv = REG(MBOX_CFG_KIND) == MBOX_KIND_KV;
    is_map = is_kv || REG(MBOX_CFG_KIND) == MBOX_KIND_MAP;
    size_t work = nbs_work_bytes_min(&flash);
    unsigned flags = REG(MBOX_CFG_CACHE_FLAGS);
    uint32_t keys = REG(MBOX_CFG_CACHE_KEYS);
    size_t cache =
        flags && flash.page_size ? nbs_cache_bytes(flags, flash.size / flash.page_size, keys) : 0;
    size_t cache_at = (work + 7u) & ~(size_t)7u; /* the cache memory is 8-byte aligned */
    size_t kv_at = cache_at + cache, kv_size = is_kv ? nbs_kv_buffer_bytes(&flash) : 0;
    if (kv_at + kv_size > sizeof arena) {
        REG(MBOX_VALUE_LEN) = kv_at + kv_size;
        return NBS_E_CACHE_MEM;
    }
    staging = arena + kv_at + kv_size;
    staging_size = sizeof arena - kv_at - kv_size;
    config = (nbs_config){.flash = flash,
                          .work = arena,
                          .work_size = work,
                          .cache = {.flags = flags,
                                    .mem = cache ? arena + cache_at : NULL,
                                    .mem_size = cache,
                                    .max_keys = keys,
                                    .check = REG(MBOX_CFG_CACHE_CHECK) != 0},
                          .read_only = read_only};
    memset(domains, 0, sizeof domains);
    txn_open = false;
    int rc = is_map ? nbs_map_mount(&map, &config) : nbs_queue_mount(&queue, &config);
    if (is_kv) {
        int bound = nbs_kv_init(&kv, &map, arena + kv_at, kv_size);
        if (!rc) rc = bound;
    }
    return rc;
}

static size_t capacity(void) {
    uint32_t c = REG(MBOX_CAPACITY);
    return c < MBOX_VALUE_ROOM ? c : MBOX_VALUE_ROOM;
}

/* The item MBOX_CURSOR items from the start, key and value into the mailbox. The iterator is
 * kept between calls, so that a walk costs one step per item when the host asks for items
 * 0, 1, 2, ... (after a pop, the same cursor names the next item); any other cursor walks
 * again from the start. */
static nbs_map_iter map_it;
static nbs_queue_iter queue_it;
static uint32_t next_cursor;
/* The walks of a kv store: a domain's keys (which handle) and the domain names, each kept as
 * the item iterator is, the key walk able to go on inside the names' walk. */
typedef struct kv_walk {
    nbs_kv_iter it;
    uint32_t next_cursor;
    uint32_t slot; /* MBOX_KV_SLOTS: the domain names */
} kv_walk;
static kv_walk key_walk, name_walk;

static int iterate_step(uint32_t command, size_t *key_len, size_t *len) {
    if (command == MBOX_CMD_KV_KEYS)
        return nbs_kv_keys_next(&key_walk.it, KEY, MBOX_KEY_ROOM, key_len);
    if (command == MBOX_CMD_KV_DOMAINS)
        return nbs_kv_domains_next(&name_walk.it, KEY, MBOX_KEY_ROOM, key_len);
    if (is_map)
        return nbs_map_iter_next(&map_it, KEY, MBOX_KEY_ROOM, key_len, VALUE, capacity(), len);
    return nbs_queue_iter_next(&queue_it, VALUE, capacity(), len);
}

/* Starts the walk `command` names again; NBS_E_KV_CLOSED for a key walk of a closed handle. */
static int iterate_init(uint32_t command, uint32_t slot) {
    if (command == MBOX_CMD_KV_KEYS) {
        key_walk.slot = slot;
        return nbs_kv_keys_init(&domains[slot], &key_walk.it);
    }
    if (command == MBOX_CMD_KV_DOMAINS)
        nbs_kv_domains_init(&kv, &name_walk.it);
    else if (is_map)
        nbs_map_iter_init(&map, &map_it);
    else
        nbs_queue_iter_init(&queue, &queue_it);
    return NBS_OK;
}

static int iterate(uint32_t command) {
    uint32_t cursor = REG(MBOX_CURSOR), slot = MBOX_KV_SLOTS;
    uint32_t *next = command == MBOX_CMD_KV_KEYS      ? &key_walk.next_cursor
                     : command == MBOX_CMD_KV_DOMAINS ? &name_walk.next_cursor
                                                      : &next_cursor;
    if (command == MBOX_CMD_KV_KEYS && (slot = REG(MBOX_KV_SLOT)) >= MBOX_KV_SLOTS)
        return NBS_E_INVAL;
    size_t key_len = 0, len = 0;
    int rc = NBS_OK;
    if (cursor == 0 || cursor != *next || (command == MBOX_CMD_KV_KEYS && slot != key_walk.slot)) {
        rc = iterate_init(command, slot);
        for (uint32_t i = 0; i < cursor && rc == NBS_OK; i++)
            rc = iterate_step(command, &key_len, &len);
    }
    if (rc == NBS_OK) rc = iterate_step(command, &key_len, &len);
    REG(MBOX_KEY_LEN) = key_len, REG(MBOX_VALUE_LEN) = len;
    *next = cursor + 1;
    return rc;
}

/* Pops the item the last MBOX_CMD_ITERATE returned (queues). */
static int iterate_pop(void) {
    next_cursor--;
    return nbs_queue_iter_pop_current(&queue_it);
}

/* ---- key-value domains and transactions ---- */

static nbs_kv_domain *slot_domain(void) {
    uint32_t slot = REG(MBOX_KV_SLOT);
    return is_kv && slot < MBOX_KV_SLOTS ? &domains[slot] : NULL;
}

static int run_kv(uint32_t command, nbs_kv_domain *d, size_t key_len, size_t len) {
    if (!d) return NBS_E_INVAL;
    nbs_kv_format format = (nbs_kv_format)REG(MBOX_KV_FORMAT);
    int rc;
    switch (command) {
    case MBOX_CMD_KV_OPEN: { /* a failed open leaves the handle as it was */
        nbs_kv_domain opened;
        rc = nbs_kv_open(&kv, &opened, KEY, key_len, REG(MBOX_FLAGS) == 1);
        if (!rc) *d = opened;
        return rc;
    }
    case MBOX_CMD_KV_CLOSE: return nbs_kv_close(d);
    case MBOX_CMD_KV_READ:
        rc = nbs_kv_read(d, KEY, key_len, format, VALUE, capacity(), &len, &format);
        REG(MBOX_VALUE_LEN) = len, REG(MBOX_KV_FORMAT) = format;
        return rc;
    case MBOX_CMD_KV_WRITE: return nbs_kv_write(d, KEY, key_len, format, VALUE, len);
    default: {
        bool existed = false;
        rc = nbs_kv_delete(d, KEY, key_len, &existed);
        REG(MBOX_FLAGS) = existed;
        return rc;
    }
    }
}

/* One record of a transaction staged: a map's store or removal, a kv write or delete. */
static int stage(nbs_map_txn *txn, const uint8_t *record, const uint8_t *end,
                 const uint8_t **next) {
    uint32_t value_len;
    if (end - record < (ptrdiff_t)MBOX_TXN_HEADER) return NBS_E_INVAL;
    memcpy(&value_len, record + 4, sizeof value_len);
    const uint8_t *key = record + MBOX_TXN_HEADER, *value = key + record[3];
    if (value > end || value_len > (size_t)(end - value)) return NBS_E_INVAL;
    *next = value + value_len;
    bool remove = record[0] & MBOX_TXN_REMOVE;
    if (!is_kv)
        return remove ? nbs_map_txn_remove(txn, key, record[3])
                      : nbs_map_txn_store(txn, key, record[3], value, value_len);
    if (record[1] >= MBOX_KV_SLOTS) return NBS_E_INVAL;
    nbs_kv_domain *d = &domains[record[1]];
    return remove ? nbs_kv_txn_delete(d, txn, key, record[3])
                  : nbs_kv_txn_write(d, txn, key, record[3], (nbs_kv_format)record[2], value,
                                     value_len);
}

/* Stages the records in the mailbox (a transaction begun unless one is open); commits unless
 * more are to come. A failure aborts the whole transaction. */
static int txn_commit(size_t len) {
    if (!is_map || len > MBOX_VALUE_ROOM) return NBS_E_INVAL;
    int rc = txn_open ? NBS_OK : nbs_map_txn_begin(&map, &txn, staging, staging_size);
    txn_open = rc == NBS_OK;
    const uint8_t *record = VALUE, *end = VALUE + len;
    for (uint32_t i = 0, n = REG(MBOX_COUNT); !rc && i < n; i++)
        rc = stage(&txn, record, end, &record);
    if (rc || (REG(MBOX_FLAGS) & MBOX_TXN_MORE)) {
        if (rc && txn_open) nbs_map_txn_abort(&txn);
        txn_open = rc == NBS_OK;
        return rc;
    }
    txn_open = false;
    return nbs_map_txn_commit(&txn);
}

/* ---- partitions and raw access ---- */

/* The scenario's device is the board's storage from `device_base` on (addresses from 0). */
static uint32_t device_base;
static nbs_sector_run runs[MBOX_RUNS_MAX];
static char part_names[MBOX_PART_MAX][MBOX_PART_NAME];
static nbs_partition parts[MBOX_PART_MAX];
static nbs_device device;
static nbs_part_table table;
static nbs_raw raws[MBOX_PART_MAX];

static int device_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    return counted_read(ctx, device_base + addr, buf, len);
}

static int device_program(void *ctx, uint32_t addr, const void *data, uint32_t len) {
    return board.program(ctx, device_base + addr, data, len);
}

static int device_erase(void *ctx, uint32_t addr) {
    return board.erase(ctx, device_base + addr);
}

static uint32_t word_at(const uint8_t *p) {
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* The table in the mailbox (MBOX_PART_ENTRY), checked as the host checked it; every handle
 * closed. */
static int part_table(size_t len) {
    const uint8_t *v = VALUE;
    if (len < 12) return NBS_E_INVAL;
    uint32_t run_count = word_at(v + 4), count = word_at(v + 8), size = 0;
    const uint8_t *entry = v + 12 + 8 * run_count;
    if (run_count > MBOX_RUNS_MAX || count > MBOX_PART_MAX ||
        len != 12 + 8 * run_count + MBOX_PART_ENTRY * count)
        return NBS_E_INVAL;
    device_base = word_at(v);
    for (uint32_t i = 0; i < run_count; i++) {
        runs[i] = (nbs_sector_run){word_at(v + 12 + 8 * i), word_at(v + 16 + 8 * i)};
        size += runs[i].count * runs[i].size;
    }
    for (uint32_t i = 0; i < count; i++, entry += MBOX_PART_ENTRY) {
        memcpy(part_names[i], entry + 9, MBOX_PART_NAME);
        part_names[i][MBOX_PART_NAME - 1] = '\0';
        parts[i] = (nbs_partition){part_names[i], word_at(entry), word_at(entry + 4), entry[8]};
    }
    nbs_flash flash = board;
    flash.read = device_read, flash.program = device_program, flash.erase = device_erase;
    flash.start = 0, flash.size = size;
    device = (nbs_device){flash, runs, run_count};
    table = (nbs_part_table){&device, parts, count};
    memset(raws, 0, sizeof raws);
    return nbs_part_check(&table, NULL);
}

static int run_raw(uint32_t command, size_t len) {
    uint32_t part = REG(MBOX_RAW_PART), got = 0;
    if (part >= table.count) return NBS_E_INVAL;
    nbs_raw *raw = &raws[part];
    int rc;
    switch (command) {
    case MBOX_CMD_RAW_OPEN: return nbs_raw_open(raw, &table, parts[part].name, REG(MBOX_FLAGS));
    case MBOX_CMD_RAW_CLOSE: nbs_raw_close(raw); return NBS_OK;
    case MBOX_CMD_RAW_STATUS: {
        nbs_raw_status s = {0};
        rc = nbs_raw_status_get(raw, &s);
        uint32_t figures[5] = {s.size, s.block_length, s.blocks, s.erase_value, s.write_align};
        memcpy(VALUE, figures, sizeof figures);
        return rc;
    }
    case MBOX_CMD_RAW_READ:
        rc = nbs_raw_read(raw, REG(MBOX_RAW_OFFSET), VALUE, capacity(), &got);
        REG(MBOX_VALUE_LEN) = got;
        return rc;
    case MBOX_CMD_RAW_WRITE: return nbs_raw_write(raw, REG(MBOX_RAW_OFFSET), VALUE, len);
    default: return nbs_raw_erase(raw, (int32_t)REG(MBOX_RAW_OFFSET), (int32_t)REG(MBOX_RAW_TO));
    }
}

static int run(uint32_t command) {
    size_t len = REG(MBOX_VALUE_LEN), key_len = REG(MBOX_KEY_LEN);
    int rc;
    switch (command) {
    case MBOX_CMD_MOUNT: return mount(false);
    case MBOX_CMD_MOUNT_READ_ONLY: return mount(true);
    case MBOX_CMD_FORMAT:
        if (is_kv) return nbs_kv_erase_all(&kv);
        return is_map ? nbs_map_erase_all(&map) : nbs_queue_erase_all(&queue);
    case MBOX_CMD_STORE: return nbs_map_store(&map, KEY, key_len, VALUE, len);
    case MBOX_CMD_FETCH:
        rc = nbs_map_fetch(&map, KEY, key_len, VALUE, capacity(), &len);
        REG(MBOX_VALUE_LEN) = len;
        return rc;
    case MBOX_CMD_REMOVE: return nbs_map_remove(&map, KEY, key_len);
    case MBOX_CMD_REMOVE_ALL: return nbs_map_remove_all(&map);
    case MBOX_CMD_HAS: {
        bool present = false;
        rc = nbs_map_has(&map, KEY, key_len, &present);
        REG(MBOX_FLAGS) = present;
        return rc;
    }
    case MBOX_CMD_PUSH:
        return nbs_queue_push(&queue, VALUE, len,
                              REG(MBOX_FLAGS) & MBOX_PUSH_DROP_OLDEST ? NBS_PUSH_DROP_OLDEST : 0);
    case MBOX_CMD_PEEK:
    case MBOX_CMD_POP:
        rc = command == MBOX_CMD_PEEK ? nbs_queue_peek(&queue, VALUE, capacity(), &len)
                                      : nbs_queue_pop(&queue, VALUE, capacity(), &len);
        REG(MBOX_VALUE_LEN) = len;
        return rc;
    case MBOX_CMD_COUNT: {
        uint32_t count = 0;
        rc = is_map ? nbs_map_count(&map, &count) : nbs_queue_count(&queue, &count);
        REG(MBOX_COUNT) = count;
        return rc;
    }
    case MBOX_CMD_ITERATE:
    case MBOX_CMD_KV_KEYS: return iterate(command);
    case MBOX_CMD_KV_DOMAINS: return is_kv ? iterate(command) : NBS_E_INVAL;
    case MBOX_CMD_KV_OPEN:
    case MBOX_CMD_KV_CLOSE:
    case MBOX_CMD_KV_READ:
    case MBOX_CMD_KV_WRITE:
    case MBOX_CMD_KV_DELETE: return run_kv(command, slot_domain(), key_len, len);
    case MBOX_CMD_TXN_COMMIT: return txn_commit(len);
    case MBOX_CMD_ITERATE_POP: return is_map ? NBS_E_INVAL : iterate_pop();
    case MBOX_CMD_PART_TABLE: return len > MBOX_VALUE_ROOM ? NBS_E_INVAL : part_table(len);
    case MBOX_CMD_RAW_OPEN:
    case MBOX_CMD_RAW_CLOSE:
    case MBOX_CMD_RAW_STATUS:
    case MBOX_CMD_RAW_READ:
    case MBOX_CMD_RAW_WRITE:
    case MBOX_CMD_RAW_ERASE: return run_raw(command, len);
    default: return NBS_E_INVAL;
    }
}

int main(void) {
    board_storage_flash(&board);
    REG(MBOX_COMMAND) = MBOX_CMD_NONE;
    REG(MBOX_ECC_READS) = 0;
    REG(MBOX_ARENA) = sizeof arena;
    REG(MBOX_HELLO) = MBOX_HELLO_VALUE;
    for (;;) {
        __asm volatile("wfi" ::: "memory");
        uint32_t command = REG(MBOX_COMMAND);
        if (command == MBOX_CMD_NONE) continue;
        REG(MBOX_STATUS) = (uint32_t)run(command);
        REG(MBOX_COMMAND) = MBOX_CMD_NONE;
    }
}
