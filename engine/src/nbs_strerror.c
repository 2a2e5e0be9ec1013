/* Messages for the engine's error codes. */
#include "nbs.h"

const char *nbs_strerror(int err) {
    switch (err) {
    case NBS_OK: return "success";
    case NBS_E_INVAL: return "invalid argument";
    case NBS_E_NOT_FOUND: return "key not found";
    case NBS_E_BUFFER_TOO_SMALL: return "buffer too small for the item";
    case NBS_E_TOO_BIG: return "item too big for one page of this geometry";
    case NBS_E_FULL: return "store full";
    case NBS_E_EMPTY: return "queue empty";
    case NBS_E_END: return "no more items";
    case NBS_E_IO: return "flash operation failed";
    case NBS_E_ECC: return "flash ECC error";
    case NBS_E_CORRUPT: return "flash holds data the format does not allow";
    case NBS_E_GEOMETRY: return "flash geometry not usable";
    case NBS_E_WORK_BUFFER: return "work buffer too small";
    case NBS_E_NOT_MOUNTED: return "store not mounted";
    case NBS_E_CACHE_MISMATCH: return "cache disagrees with flash";
    case NBS_E_KEY_LEN: return "key length out of range";
    case NBS_E_CACHE_MEM: return "cache memory too small";
    default: return "unknown error";
    }
}
