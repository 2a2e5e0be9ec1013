/* Messages for the NOR model's error codes. */
#include "nor.h"

const char *nor_strerror(int err) {
    switch (err) {
    case NOR_OK: return "success";
    case NOR_E_RANGE: return "address or length outside the device";
    case NOR_E_ALIGN: return "address or length not a multiple of the write unit";
    case NOR_E_POWER_OFF: return "power is off (cut); call nor_power_on() first";
    case NOR_E_ECC: return "ECC error: the read touched a word its ECC cannot correct";
    case NOR_E_WRITE_COUNT: return "write-count rule refused the program";
    case NOR_E_VIOLATION: return "program needs a bit to go back to the erased state";
    case NOR_E_WORN: return "worn out: the operation failed verification";
    case NOR_E_NOT_SECTOR: return "erase address is not the start of a sector";
    case NOR_E_CONFIG: return "inconsistent flash configuration";
    case NOR_E_NOMEM: return "out of memory";
    case NOR_E_IO: return "file error";
    case NOR_E_IMAGE: return "flash image or its sidecar is malformed or does not match";
    default: return "unknown NOR error";
    }
}
