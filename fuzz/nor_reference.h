/* A deliberately plain reference of the NOR model's rules, for the "nor" fuzz target: one
 * byte array with the programming rule (AND, or OR for erase value 0x00), write-unit alignment,
 * SPI page wrap, per-unit write counts and their policies, ECC words broken by a second
 * program, sector erase and erase counts, and power cuts by operation count. Torn operations
 * (every torn mode, pre-programming erases too) leave bits, write counts and ECC marks the
 * reference cannot predict: it marks them unknown (until the next erase) and from then on
 * accepts either outcome for them; weak bits are among them, so settling at power-on and
 * programs that make weak bits solid need no rule of their own. A torn SECDED word may read
 * with one known bit flipped (a correction or miscorrection). Each call takes the model's
 * answer and says whether it is one the rules allow, then follows it. */
#ifndef NORBENCH_NOR_REFERENCE_H
#define NORBENCH_NOR_REFERENCE_H

#include "nor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOR_REFERENCE_WHY 256

typedef struct nor_reference {
    nor_config cfg;
    uint32_t size, unit;
    bool erased_ones; /* erase value 0xFF: programming ANDs */
    uint8_t *data;    /* the bits the rules say are stored */
    uint8_t *unknown; /* bits a tear left undetermined (until erased or poked) */
    uint8_t *count;   /* programs per write unit since its erase (saturating) */
    uint8_t *flags;   /* per write unit: REF_COUNT_UNKNOWN, REF_ECC_BROKEN, REF_ECC_UNKNOWN */
    uint32_t *erase_counts;
    bool powered;
    bool cut_armed;
    uint64_t cut_op; /* the operation index the armed cut tears */
    uint64_t op_count, program_calls, erase_calls;
    nor_torn_program torn_program;
    nor_torn_erase torn_erase;
    uint64_t violations;
    bool violations_known; /* false once a tear made a violation uncertain */
} nor_reference;

/* Returns false when out of memory. */
bool nor_reference_init(nor_reference *r, const nor_config *cfg);
void nor_reference_free(nor_reference *r);
/* A deep copy (for snapshots); false when out of memory. */
bool nor_reference_copy(nor_reference *dst, const nor_reference *src);

/* Each checks the model's answer `rc` (and read bytes) against the rules, writes why not into
 * `why` and returns false when the answer is impossible, else follows it and returns true. */
bool nor_reference_read(nor_reference *r, uint32_t addr, uint32_t len, int rc, const uint8_t *bytes,
                        char *why);
bool nor_reference_program(nor_reference *r, uint32_t addr, const uint8_t *data, uint32_t len,
                           int rc, char *why);
bool nor_reference_erase(nor_reference *r, uint32_t addr, int rc, char *why);
/* Raw access: poke sets bytes as they are; peek compares the stored bits. */
bool nor_reference_poke(nor_reference *r, uint32_t addr, const uint8_t *data, uint32_t len, int rc,
                        char *why);
bool nor_reference_peek(const nor_reference *r, uint32_t addr, uint32_t len, int rc,
                        const uint8_t *bytes, char *why);

void nor_reference_arm_cut(nor_reference *r, uint64_t ops);
void nor_reference_cut_now(nor_reference *r);
void nor_reference_power_on(nor_reference *r);
void nor_reference_set_torn_modes(nor_reference *r, nor_torn_program prog, nor_torn_erase erase);

/* Erase counts, call counters and (while they are certain) violations against the model. */
bool nor_reference_check_counters(const nor_reference *r, nor *dev, char *why);

#endif
