/* Firmware update slots of the norbench storage engine, shaped after ECMA-419's embedded:update
 * (open in mode "a" or "w", write, complete, close = abort) with MCUboot's test boots: a
 * primary slot that runs, a secondary slot that receives, a scratch sector for a swap that a
 * power cut at any flash operation cannot break, and the update's state as one key of a map of
 * its own. Freestanding C11 like nbs.h: no malloc, no globals, every buffer caller-owned.
 * engine/SPEC.md section 11; docs/update.md. */
#ifndef NBS_UPDATE_H
#define NBS_UPDATE_H

#include "nbs.h"
#include "nbs_part.h"

/* ---- the image header (the first NBS_IMAGE_HEADER_BYTES of an image) ------------------- */

#define NBS_IMAGE_HEADER_BYTES 32u
#define NBS_IMAGE_MAGIC        0x5544424Eu /* "NBDU" little-endian */

typedef struct nbs_image_version {
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
} nbs_image_version;

typedef struct nbs_image_header {
    uint32_t size; /* bytes of the body after the header */
    nbs_image_version version;
    uint32_t crc; /* CRC-32C of the body */
} nbs_image_header;

/* The header's bytes (what an image tool writes first; here for tools, tests and the simulator). */
void nbs_image_header_encode(const nbs_image_header *header, uint8_t out[NBS_IMAGE_HEADER_BYTES]);
/* NBS_E_UPDATE_IMAGE: the magic, the header length or the header's own CRC is wrong. */
int nbs_image_header_decode(const uint8_t in[NBS_IMAGE_HEADER_BYTES], nbs_image_header *header);
/* The CRC-32C of `len` body bytes continued from `crc` (start with 0): what the header holds. */
uint32_t nbs_image_crc(uint32_t crc, const void *data, size_t len);

/* ---- the slots --------------------------------------------------------------------------- */

/* Where the update lives. Primary and secondary: partitions of equal size and equal sectors
 * (a raw view each: NBS_E_GEOMETRY otherwise); scratch: a partition whose sectors are at least
 * as large as theirs (its first sector is used). `state`: a mounted map on a partition of its
 * own that holds the update's state (one key, SPEC 11.3), read-write. `buffer`: RAM for the
 * copies of a swap and the CRC of an image, at least NBS_UPDATE_BUFFER_MIN bytes and a
 * multiple of the write unit (a larger one takes fewer flash calls). */
#define NBS_UPDATE_BUFFER_MIN 32u
typedef struct nbs_update_slots {
    const nbs_part_table *table;
    const char *primary, *secondary, *scratch;
    nbs_map *state;
    uint8_t *buffer;
    uint32_t buffer_size;
} nbs_update_slots;

/* Checks the slots' geometry and arguments without writing: NBS_E_INVAL (a NULL member, a
 * buffer too small or off the write unit), NBS_E_PART_NAME, NBS_E_GEOMETRY. */
int nbs_update_slots_check(const nbs_update_slots *slots);

/* ---- the state ----------------------------------------------------------------------------- */

typedef enum nbs_update_state {
    NBS_UPDATE_IDLE = 0,    /* the primary runs, confirmed (or no update ever happened) */
    NBS_UPDATE_PENDING = 1, /* a complete image waits in the secondary for the next boot */
    NBS_UPDATE_INSTALL = 2, /* a swap installing the secondary's image is under way */
    NBS_UPDATE_TEST = 3,    /* the new image runs unconfirmed; the secondary holds the old one */
    NBS_UPDATE_REVERT = 4,  /* a swap bringing the old image back is under way */
} nbs_update_state;
const char *nbs_update_state_name(nbs_update_state state);

typedef struct nbs_update_status {
    nbs_update_state state;
    uint32_t sectors; /* INSTALL, TEST, REVERT: slot sectors the swap exchanges */
    uint32_t sector;  /* INSTALL, REVERT: the sector in progress */
    uint8_t step;     /* INSTALL, REVERT: its steps done, 0..2 (SPEC 11.4) */
} nbs_update_status;
/* The recorded state (a map without the key is IDLE); NBS_E_CORRUPT for a value no version of
 * this layer writes. */
int nbs_update_status_get(const nbs_update_slots *slots, nbs_update_status *status);

/* ---- writing an image into the secondary (ECMA-419 embedded:update) ---------------------- */

typedef struct nbs_update {
    /* private */
    const nbs_update_slots *slots;
    nbs_raw raw;          /* the secondary, r+ */
    uint32_t byte_length; /* 0: not given (mode "a" only) */
    uint32_t written;     /* bytes taken by write calls */
    uint32_t offset;      /* mode "a": where the next byte goes */
    uint8_t unit[32];     /* mode "a": the bytes of a write unit not programmed yet */
    uint32_t unit_fill;
    bool append, open, completed;
    bool ended; /* mode "a": complete programmed the last unit; no more writes */
} nbs_update;

/* Opens an update: mode "a" (append) or "w" (random access: byte_length required), byte_length
 * 0 = unknown. Refused with NBS_E_UPDATE_STATE while a test image is unconfirmed or a swap is
 * recorded (a boot finishes it); NBS_E_RANGE when byte_length exceeds the slot;
 * NBS_E_READ_ONLY when the secondary is a read-only partition. A PENDING image is withdrawn
 * first (the state becomes IDLE), then the secondary's sectors that byte_length needs (all when
 * it is 0) are erased. */
int nbs_update_open(nbs_update *u, const nbs_update_slots *slots, char mode, uint32_t byte_length);
/* Mode "a": the next `count` bytes. NBS_E_RANGE past byte_length or the slot. */
int nbs_update_write(nbs_update *u, const void *data, uint32_t count);
/* Mode "w": `count` bytes at `offset`; offset a multiple of the write unit, and count too unless
 * the write ends at byte_length (NBS_E_ALIGN); each byte once (flash writes once). */
int nbs_update_write_at(nbs_update *u, uint32_t offset, const void *data, uint32_t count);
/* Bytes taken so far and byte_length (0: not given). */
int nbs_update_progress(const nbs_update *u, uint32_t *written, uint32_t *byte_length);
/* Ends the image and activates it for a test boot (state PENDING), or refuses and activates
 * nothing: NBS_E_UPDATE_INCOMPLETE (fewer bytes than byte_length or the header's size says, or
 * more), NBS_E_UPDATE_IMAGE (a bad header, or a body whose CRC-32C is not the header's). Short
 * of byte_length, writing may go on; otherwise an append update takes no more writes after a
 * complete (its last write unit is programmed): NBS_E_UPDATE_CLOSED. */
int nbs_update_complete(nbs_update *u);
/* Ends the update; without a successful complete it is aborted (nothing activated). */
void nbs_update_close(nbs_update *u);

/* Every call on a handle that is not open, or a write after complete: NBS_E_UPDATE_CLOSED. */

/* ---- boot and confirm ---------------------------------------------------------------------- */

typedef enum nbs_boot_action {
    NBS_BOOT_RAN = 0,       /* nothing to do: the primary runs */
    NBS_BOOT_INSTALLED = 1, /* a pending image was swapped in and runs as a test boot */
    NBS_BOOT_REVERTED = 2,  /* an unconfirmed test image was swapped out: the old one runs */
    NBS_BOOT_REJECTED = 3,  /* a pending image was invalid: not installed, the primary runs */
} nbs_boot_action;

typedef struct nbs_boot_info {
    nbs_boot_action action;
    bool test;      /* the image runs as a test: confirm it or the next boot reverts it */
    bool has_image; /* the primary holds an image whose header and CRC check */
    nbs_image_version version;
} nbs_boot_info;

/* What a bootloader does at reset: finishes a swap a power cut interrupted, installs a pending
 * image (after checking its header and CRC), reverts an unconfirmed test image, and says which
 * image runs. Every step is resumable: a cut at any flash operation leaves a state the next
 * boot finishes (SPEC 11.5). */
int nbs_update_boot(const nbs_update_slots *slots, nbs_boot_info *info);
/* The running test image keeps its place (state TEST -> IDLE). IDLE: nothing to do (0);
 * PENDING, INSTALL, REVERT: NBS_E_UPDATE_STATE. */
int nbs_update_confirm(const nbs_update_slots *slots);

#endif
