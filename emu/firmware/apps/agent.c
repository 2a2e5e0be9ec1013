/* The agent: runs the storage engine's operations that the host sends through the mailbox
 * (emu_mailbox.h), one per call, so that `norbench run --target BOARD` drives the engine
 * cross-compiled for the board with the scenario's configuration. The engine's range and
 * caches come with the mount command (read-write or read-only); its work and cache memory come from
 * a static arena. Between calls the core waits in a WFI, which hands control back to the host. */
#include "board.h"
#include "emu_mailbox.h"
#include "nbs.h"

#include <string.h>

#define REG(offset) (*(volatile uint32_t *)(MBOX_BASE + (offset)))
#define KEY         ((uint8_t *)(MBOX_BASE + MBOX_KEY))
#define VALUE       ((uint8_t *)(MBOX_BASE + MBOX_VALUE))

/* Not zeroed at each boot (no .bss): the engine never trusts what RAM holds at a mount. */
static uint8_t arena[96 * 1024] __attribute__((aligned(8), section(".noinit")));
static nbs_config config;
static nbs_map map;
static nbs_queue queue;
static bool is_map;

/* The engine's reads go through the board's, counting those that met an ECC error (the host
 * compares the count with its NOR model's). */
static int (*board_read)(void *ctx, uint32_t addr, void *buf, uint32_t len);
static uint32_t ecc_reads;

static int counted_read(void *ctx, uint32_t addr, void *buf, uint32_t len) {
    int rc = board_read(ctx, addr, buf, len);
    if (rc == NBS_E_ECC) REG(MBOX_ECC_READS) = ++ecc_reads;
    return rc;
}

static int mount(bool read_only) {
    nbs_flash flash;
    board_storage_flash(&flash);
    board_read = flash.read;
    flash.read = counted_read;
    if (REG(MBOX_CFG_WRITE_UNIT) != flash.write_unit) return NBS_E_GEOMETRY;
    flash.start = REG(MBOX_CFG_START);
    flash.size = REG(MBOX_CFG_SIZE);
    flash.page_size = REG(MBOX_CFG_PAGE);
    is_map = REG(MBOX_CFG_KIND) == MBOX_KIND_MAP;
    size_t work = nbs_work_bytes_min(&flash);
    unsigned flags = REG(MBOX_CFG_CACHE_FLAGS);
    uint32_t keys = REG(MBOX_CFG_CACHE_KEYS);
    size_t cache =
        flags && flash.page_size ? nbs_cache_bytes(flags, flash.size / flash.page_size, keys) : 0;
    size_t cache_at = (work + 7u) & ~(size_t)7u; /* the cache memory is 8-byte aligned */
    if (cache_at + cache > sizeof arena) return NBS_E_CACHE_MEM;
    config = (nbs_config){.flash = flash,
                          .work = arena,
                          .work_size = work,
                          .cache = {.flags = flags,
                                    .mem = cache ? arena + cache_at : NULL,
                                    .mem_size = cache,
                                    .max_keys = keys,
                                    .check = REG(MBOX_CFG_CACHE_CHECK) != 0},
                          .read_only = read_only};
    return is_map ? nbs_map_mount(&map, &config) : nbs_queue_mount(&queue, &config);
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

static int iterate_step(size_t *key_len, size_t *len) {
    if (is_map)
        return nbs_map_iter_next(&map_it, KEY, MBOX_KEY_ROOM, key_len, VALUE, capacity(), len);
    return nbs_queue_iter_next(&queue_it, VALUE, capacity(), len);
}

static int iterate(void) {
    uint32_t cursor = REG(MBOX_CURSOR);
    size_t key_len = 0, len = 0;
    int rc = NBS_OK;
    if (cursor == 0 || cursor != next_cursor) {
        if (is_map)
            nbs_map_iter_init(&map, &map_it);
        else
            nbs_queue_iter_init(&queue, &queue_it);
        for (uint32_t i = 0; i < cursor && rc == NBS_OK; i++) rc = iterate_step(&key_len, &len);
    }
    if (rc == NBS_OK) rc = iterate_step(&key_len, &len);
    REG(MBOX_KEY_LEN) = key_len, REG(MBOX_VALUE_LEN) = len;
    next_cursor = cursor + 1;
    return rc;
}

/* Pops the item the last MBOX_CMD_ITERATE returned (queues). */
static int iterate_pop(void) {
    next_cursor--;
    return nbs_queue_iter_pop_current(&queue_it);
}

static int run(uint32_t command) {
    size_t len = REG(MBOX_VALUE_LEN), key_len = REG(MBOX_KEY_LEN);
    int rc;
    switch (command) {
    case MBOX_CMD_MOUNT: return mount(false);
    case MBOX_CMD_MOUNT_READ_ONLY: return mount(true);
    case MBOX_CMD_FORMAT: return is_map ? nbs_map_erase_all(&map) : nbs_queue_erase_all(&queue);
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
    case MBOX_CMD_ITERATE: return iterate();
    case MBOX_CMD_ITERATE_POP: return is_map ? NBS_E_INVAL : iterate_pop();
    default: return NBS_E_INVAL;
    }
}

int main(void) {
    REG(MBOX_COMMAND) = MBOX_CMD_NONE;
    REG(MBOX_ECC_READS) = 0;
    REG(MBOX_HELLO) = MBOX_HELLO_VALUE;
    for (;;) {
        __asm volatile("wfi" ::: "memory");
        uint32_t command = REG(MBOX_COMMAND);
        if (command == MBOX_CMD_NONE) continue;
        REG(MBOX_STATUS) = (uint32_t)run(command);
        REG(MBOX_COMMAND) = MBOX_CMD_NONE;
    }
}
