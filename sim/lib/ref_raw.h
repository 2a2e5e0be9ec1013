/* The reference model of raw flash access (scenario steps raw_*): what a partition's bytes
 * must read after the raw writes and erases a run made, from the device's rules alone (the
 * erase value, the write unit, the write-count policy, strict mode, the SPI program page),
 * written apart from the NOR model's code so that the two check each other. Bytes a power cut
 * or a fault may have changed are unknown until their block is erased again. */
#ifndef NORBENCH_REF_RAW_H
#define NORBENCH_REF_RAW_H

#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ref_raw_policy {
    REF_RAW_UNLIMITED,     /* any number of programs of a unit between erases */
    REF_RAW_LIMITED,       /* at most max_writes; one more is refused (nothing written) */
    REF_RAW_ONCE,          /* ECC words: a second program breaks the word, reads report ECC */
    REF_RAW_ONCE_PLUS_ZERO /* once, then only all-programmed data; anything else is refused */
} ref_raw_policy;

typedef struct ref_raw_rules {
    uint32_t write_unit;
    uint8_t erase_value;
    ref_raw_policy policy;
    uint32_t max_writes;
    bool strict;           /* a program asking for a bit back to the erase value is refused */
    uint32_t program_page; /* a write is sent as one program per SPI page it touches (0: one) */
} ref_raw_rules;

/* The rules of a NOR model device configuration, as the model reads them. */
ref_raw_rules ref_raw_rules_of(const nor_config *cfg);

/* One partition's bytes, at device address `base`. */
typedef struct ref_raw_image {
    uint32_t base, size;
    uint8_t *bytes;    /* what must read back where known */
    uint8_t *unknown;  /* per byte: anything may read (and a read may report ECC) */
    uint8_t *programs; /* per write unit: programs since the last erase (saturating) */
    uint8_t *broken;   /* per write unit: an ECC word written twice */
} ref_raw_image;

/* An answer the model predicts: `rc` exactly, or any answer when `any` (unknown cells). */
typedef struct ref_raw_outcome {
    int rc;
    bool any;
} ref_raw_outcome;

/* Erased and known (known false: every byte unknown). Returns false when out of memory. */
bool ref_raw_init(ref_raw_image *img, const ref_raw_rules *rules, uint32_t base, uint32_t size,
                  bool known);
void ref_raw_free(ref_raw_image *img);
bool ref_raw_copy(ref_raw_image *dst, const ref_raw_image *src, const ref_raw_rules *rules);

/* [offset, offset+length) of the partition: erased (known again), or unknown. */
void ref_raw_erase(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                   uint32_t length);
void ref_raw_forget(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                    uint32_t length);
/* The device range [addr, addr+length) made unknown where it meets the partition. */
void ref_raw_forget_device(ref_raw_image *img, const ref_raw_rules *rules, uint32_t addr,
                           uint32_t length);

/* A write the caller found in range and aligned, on a powered device: applies it and says what
 * the flash answers (0, or NBS_E_IO for a program the rules refuse; the pages before it are
 * written). Any answer when it meets unknown units (which it leaves unknown). */
ref_raw_outcome ref_raw_write(ref_raw_image *img, const ref_raw_rules *rules, uint32_t offset,
                              const uint8_t *data, uint32_t length);

/* A read of [offset, offset+length) that answered `rc` with `got`: NULL when it agrees with
 * the model, else what disagrees (written into `why`). */
const char *ref_raw_check_read(const ref_raw_image *img, const ref_raw_rules *rules,
                               uint32_t offset, uint32_t length, int rc, const uint8_t *got,
                               char *why, size_t why_size);
/* Whether any byte of the range is unknown. */
bool ref_raw_any_unknown(const ref_raw_image *img, uint32_t offset, uint32_t length);

#endif
