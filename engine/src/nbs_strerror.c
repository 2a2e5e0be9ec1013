/* Messages for the engine's error codes: one packed string (message i is error -i) instead of a
 * switch and a pointer table, which halves the size on Cortex-M (and needs no strlen). A product
 * that needs no text builds with NBS_WITH_MESSAGES=0 (`make size` counts the messages apart): every
 * code then gets the same short string. */
#include "nbs.h"

#ifndef NBS_WITH_MESSAGES
#define NBS_WITH_MESSAGES 1
#endif

#if NBS_WITH_MESSAGES

static const char messages[] = "success\0"
                               "invalid argument\0"
                               "key not found\0"
                               "buffer too small\0"
                               "item too big for a page\0"
                               "store full\0"
                               "queue empty\0"
                               "no more items\0"
                               "flash operation failed\0"
                               "flash ECC error\0"
                               "flash data corrupt\0"
                               "flash geometry not usable\0"
                               "work buffer too small\0"
                               "store not mounted\0"
                               "cache disagrees with flash\0"
                               "key length out of range\0"
                               "cache memory too small\0"
                               "store mounted read-only\0"
                               "partitions overlap\0"
                               "not aligned to a sector or the write unit\0"
                               "partition name bad, repeated or unknown\0"
                               "outside the partition or the device\0"
                               "value stored in another format\0"
                               "domain opened read-only\0"
                               "domain not open\0"
                               "no domain id left\0"
                               "no transaction open\0"
                               "transaction buffer full\0"
                               "key is write-once\0"
                               "an incremental set is open\0"
                               "store written since the iterator opened\0"
                               "key holds a forbidden character\0"
                               "write-back RAM full\0"
                               "update image incomplete\0"
                               "update image header or CRC bad\0"
                               "update state forbids it\0"
                               "update not open\0"
                               "bad path\0"
                               "path exists\0"
                               "not a directory\0"
                               "is a directory\0"
                               "is a symbolic link, not a file\0"
                               "directory not empty\0"
                               "file opened in another mode\0"
                               "file or directory handle closed\0"
                               "not a symbolic link\0"
                               "unknown error";

const char *nbs_strerror(int err) {
    unsigned index = err <= 0 && err >= NBS_E_FS_NOT_LINK ? (unsigned)-err : 1u - NBS_E_FS_NOT_LINK;
    const char *message = messages;
    while (index--)
        while (*message++) {
        }
    return message;
}
#else
const char *nbs_strerror(int err) {
    (void)err;
    return "nbs error (built without messages)";
}
#endif
