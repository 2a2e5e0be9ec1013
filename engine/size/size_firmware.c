/* The smallest firmware that uses the whole engine, for `make size`: it takes the address of
 * every public function, so that a link with --gc-sections keeps each of them and everything
 * they reach, libgcc helpers included, and drops nothing a real product could call. It is only
 * linked, never run. */
#include "nbs.h"
#include "nbs_part.h"

#ifndef SIZE_FIRMWARE_CORE
#define SIZE_FIRMWARE_CORE 0
#endif

typedef void (*any_function)(void);

/* Every function of the public headers (nbs.h, nbs_part.h); built with
 * SIZE_FIRMWARE_CORE=1, only what a product that stores and queues needs: mount, store, fetch,
 * remove, push, peek and pop (no erase_all, counts, space figures, iteration or messages). */
static const any_function public_functions[] = {
    (any_function)nbs_map_mount,
    (any_function)nbs_map_store,
    (any_function)nbs_map_fetch,
    (any_function)nbs_map_remove,
    (any_function)nbs_queue_mount,
    (any_function)nbs_queue_push,
    (any_function)nbs_queue_peek,
    (any_function)nbs_queue_pop,
#if !SIZE_FIRMWARE_CORE
    (any_function)nbs_cache_bytes,
    (any_function)nbs_work_bytes_min,
    (any_function)nbs_item_overhead,
    (any_function)nbs_strerror,
    (any_function)nbs_map_erase_all,
    (any_function)nbs_map_remove_all,
    (any_function)nbs_map_has,
    (any_function)nbs_map_count,
    (any_function)nbs_map_space,
    (any_function)nbs_map_max_value,
    (any_function)nbs_map_iter_init,
    (any_function)nbs_map_iter_next,
    (any_function)nbs_queue_erase_all,
    (any_function)nbs_queue_count,
    (any_function)nbs_queue_max_push,
    (any_function)nbs_queue_space,
    (any_function)nbs_queue_max_item,
    (any_function)nbs_queue_iter_init,
    (any_function)nbs_queue_iter_next,
    (any_function)nbs_queue_iter_pop_current,
    (any_function)nbs_part_check,
    (any_function)nbs_part_find,
    (any_function)nbs_part_next,
    (any_function)nbs_raw_open,
    (any_function)nbs_raw_close,
    (any_function)nbs_raw_status_get,
    (any_function)nbs_raw_read,
    (any_function)nbs_raw_write,
    (any_function)nbs_raw_erase,
    (any_function)nbs_map_txn_begin,
    (any_function)nbs_map_txn_store,
    (any_function)nbs_map_txn_remove,
    (any_function)nbs_map_txn_commit,
    (any_function)nbs_map_txn_abort,
    (any_function)nbs_map_txn_member_bytes,
    (any_function)nbs_map_txn_max,
#endif
};

/* The entry point (-e): calls each function through a pointer the compiler cannot follow. */
void size_firmware_entry(void) {
    for (unsigned i = 0; i < sizeof public_functions / sizeof *public_functions; i++) {
        any_function volatile f = public_functions[i];
        f();
    }
}
