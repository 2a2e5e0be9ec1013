/* The bit-accurate NOR flash model: geometry, AND-only programming, write-count rules, ECC
 * words, erase counts and wear-out, datasheet timing, power cuts that tear operations,
 * copy-on-write snapshots, events, statistics and images. Knows nothing of any engine. */
#ifndef NORBENCH_NOR_H
#define NORBENCH_NOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errors: 0 or one of these negative values. nor_strerror() names each. */
enum {
    NOR_OK = 0,
    NOR_E_RANGE = -1,       /* address or length outside the device */
    NOR_E_ALIGN = -2,       /* address or length not a multiple of the write unit */
    NOR_E_POWER_OFF = -3,   /* power was cut; every call fails until nor_power_on() */
    NOR_E_ECC = -4,         /* a read touched an ECC word its ECC cannot correct */
    NOR_E_WRITE_COUNT = -5, /* the write-count policy refused the program (e.g. PROGERR) */
    NOR_E_VIOLATION = -6,   /* strict mode: the program needed a 0->1 transition */
    NOR_E_WORN = -7,        /* wear-out: the program or erase failed verification */
    NOR_E_NOT_SECTOR = -8,  /* erase address is not the start of a sector */
    NOR_E_CONFIG = -9,      /* the configuration is inconsistent */
    NOR_E_NOMEM = -10,      /* out of host memory */
    NOR_E_IO = -11,         /* host file error (images) */
    NOR_E_IMAGE = -12,      /* an image or its sidecar is malformed or does not match */
};
const char *nor_strerror(int err);

#define NOR_MAX_REGIONS 8
#define NOR_NAME_MAX    32

/* A run of `count` equal sectors of `size` bytes; sectors are listed from address 0 up. */
typedef struct nor_region {
    uint32_t count;
    uint32_t size;
    uint32_t erase_us_typ; /* 0: use nor_timing.erase_us_typ */
    uint32_t erase_us_max; /* 0: use nor_timing.erase_us_max */
} nor_region;

typedef enum nor_write_policy {
    NOR_WRITES_UNLIMITED,     /* any number of programs between erases */
    NOR_WRITES_LIMITED,       /* at most max_writes_per_unit; more fails with NOR_E_WRITE_COUNT */
    NOR_WRITES_ONCE,          /* ECC word: a second program breaks its ECC (reads -> NOR_E_ECC) */
    NOR_WRITES_ONCE_PLUS_ZERO /* once, then only an all-zero overwrite; else NOR_E_WRITE_COUNT */
} nor_write_policy;

typedef enum nor_timing_mode {
    NOR_TIMING_TYPICAL,
    NOR_TIMING_MAX,
    NOR_TIMING_RANDOM
} nor_timing_mode;

/* Datasheet times. A program costs program_us per program chunk touched (the SPI program
 * page when page_size > 0, else the write unit) plus program_ns_per_byte for each byte sent;
 * an erase costs the sector's erase time; a read costs read_ns_per_call (command, address and
 * bus turnaround) plus read_ns_per_byte for each byte. */
typedef struct nor_timing {
    uint32_t program_us_typ, program_us_max;
    uint32_t erase_us_typ, erase_us_max;
    uint32_t read_ns_per_byte;
    uint32_t program_ns_per_byte; /* 0: the program time does not grow with the bytes sent */
    uint32_t read_ns_per_call;    /* 0: reads cost only their bytes */
    nor_timing_mode mode;
} nor_timing;

/* Wear-out past endurance: each erase beyond `endurance` raises the failure probability of
 * later operations on that sector by `fail_ppm_per_cycle` (parts per million per cycle). */
typedef struct nor_wear {
    uint32_t endurance;          /* rated erase cycles per sector (0 = never wears out) */
    uint32_t fail_ppm_per_cycle; /* growth of failure probability past endurance */
} nor_wear;

/* The highest max_writes_per_unit a LIMITED part may have: the per-unit program count saturates
 * there. */
#define NOR_MAX_WRITES_PER_UNIT 127u

typedef struct nor_config {
    char name[NOR_NAME_MAX];
    nor_region regions[NOR_MAX_REGIONS];
    uint32_t region_count;
    uint32_t write_unit; /* 1, 2, 4, 8, 16 or 32 bytes: alignment and length granularity */
    uint32_t page_size;  /* SPI NOR program page (wraps inside it); 0 = none */
    uint8_t erase_value; /* 0xFF (programming ANDs) or 0x00 (programming ORs) */
    nor_write_policy write_policy;
    uint32_t
        max_writes_per_unit; /* for NOR_WRITES_LIMITED (1..NOR_MAX_WRITES_PER_UNIT); 0 otherwise */
    bool ecc;    /* ECC words (SECDED): a torn word with one wrong bit (against what its ECC was
                    written for) reads corrected, two report NOR_E_ECC, an odd number from three
                    up is miscorrected (one more bit flipped, no error) or reported, as a hash
                    of the bits read decides; a repeated program breaks the word's ECC */
    bool strict; /* 0->1 transitions are errors instead of counted violations */
    bool erase_preprogram; /* erase runs as "program every bit, then erase": a progress cut in
                              the first half of its time leaves bits moving towards programmed,
                              in the second half towards erased */
    nor_timing timing;
    nor_wear wear;
    const char *source; /* where the figures come from (datasheet, manual; "(check)" notes) */
} nor_config;

uint32_t nor_config_total_bytes(const nor_config *cfg);
uint32_t nor_config_sector_count(const nor_config *cfg);
/* Checks a configuration: non-empty regions, write unit a power of two <= 32 dividing every
 * sector, page size a multiple of the write unit, erase value 0x00 or 0xFF, ... */
int nor_config_validate(const nor_config *cfg);

/* Presets (w25q128jv, w25q16jv, stm32f4-1m, stm32l4-1m, stm32h7-2m, nrf52840, samd21, tiny). */
size_t nor_preset_count(void);
const nor_config *nor_preset_at(size_t index);
const nor_config *nor_preset_find(const char *name); /* NULL when unknown */

/* How a cut tears the program or erase it lands in. The last four place the cut at a point p
 * of the operation's duration (early: p in [0.05, 0.15), middle: 0.5, late: [0.85, 0.95),
 * spread: [0, 1), drawn from the device PRNG; a cut armed by time falls where the time says).
 * Cells move during the middle 80% of the operation with uniformly spread thresholds: unit
 * after unit in sending order on internal flash (page_size 0), all at once for an SPI page
 * program or an erase. Bits whose threshold is before p are done; the bits nearest to p are
 * left weak (1 to 3 for a program, one in 2048 of the sector for an erase). The old modes place
 * the cut half way. See docs/nor-model.md. */
typedef enum nor_torn_program {
    NOR_TORN_PROG_NONE,       /* nothing written */
    NOR_TORN_PROG_FULL,       /* everything written, then off */
    NOR_TORN_PROG_PREFIX,     /* the first k bytes (k seeded) written */
    NOR_TORN_PROG_BITS,       /* a seeded random subset of the 1->0 transitions */
    NOR_TORN_PROG_METASTABLE, /* like BITS, and some target bits weak until the next erase */
    NOR_TORN_PROG_EARLY,      /* cut soon after the start: a few cells done, marginal ones weak */
    NOR_TORN_PROG_MIDDLE,     /* cut half way */
    NOR_TORN_PROG_LATE,       /* cut near the end: all but a few marginal (weak) cells done */
    NOR_TORN_PROG_SPREAD,     /* cut at a seeded point of the duration */
    NOR_TORN_PROG_MODES
} nor_torn_program;

typedef enum nor_torn_erase {
    NOR_TORN_ERASE_NONE,    /* nothing erased */
    NOR_TORN_ERASE_FULL,    /* fully erased, then off */
    NOR_TORN_ERASE_PARTIAL, /* a seeded random subset of the bits erased, the rest old */
    NOR_TORN_ERASE_WEAK,    /* reads erased, but some bits are weak until the next erase */
    NOR_TORN_ERASE_EARLY,   /* cut soon after the start (with erase_preprogram: in the
                               pre-program phase) */
    NOR_TORN_ERASE_MIDDLE,  /* cut half way */
    NOR_TORN_ERASE_LATE,    /* cut near the end: reads almost erased, marginal cells weak */
    NOR_TORN_ERASE_SPREAD,  /* cut at a seeded point of the duration */
    NOR_TORN_ERASE_MODES
} nor_torn_erase;

/* The one table of torn-mode names ("none", "full", "prefix", "bits", "metastable", "early",
 * "middle", "late", "spread"; erases: "none", "full", "partial", "weak", "early", "middle",
 * "late", "spread"). A name returns NULL for a mode out of range; a lookup returns -1 for an
 * unknown name, else the mode. */
const char *nor_torn_program_name(nor_torn_program mode);
const char *nor_torn_erase_name(nor_torn_erase mode);
int nor_torn_program_find(const char *name, size_t len);
int nor_torn_erase_find(const char *name, size_t len);

typedef enum nor_event_kind {
    NOR_EV_READ,
    NOR_EV_PROGRAM,
    NOR_EV_ERASE,
    NOR_EV_CUT, /* the power was cut (addr/len: the torn operation, if any) */
    NOR_EV_POWER_ON,
    NOR_EV_VIOLATION /* a 0->1 transition or a write-count / ECC rule broken */
} nor_event_kind;

typedef struct nor_event {
    nor_event_kind kind;
    uint32_t addr, len;
    uint64_t time_us;  /* simulated time when the operation ended */
    int result;        /* 0 or the NOR_E_* the call returned */
    uint64_t op_index; /* program+erase calls made before this one (cut points count these) */
} nor_event;

typedef void (*nor_event_fn)(void *ctx, const nor_event *ev);
/* Asked before each program or erase: return true to cut the power inside that operation. */
typedef bool (*nor_cut_fn)(void *ctx, const nor_event *op);

typedef struct nor_stats {
    uint64_t read_calls, read_bytes;
    uint64_t program_calls, program_bytes;
    uint64_t erase_calls;
    uint64_t violations; /* 0->1 attempts, refused or ECC-breaking programs */
    uint64_t ecc_errors; /* reads that returned NOR_E_ECC */
    uint64_t worn_failures;
    uint64_t cuts;
    uint64_t time_us;
    uint32_t erase_min, erase_max; /* over sectors */
    double erase_mean;
} nor_stats;

typedef struct nor nor; /* one simulated device, created from a config and a seed */

int nor_create(nor **out, const nor_config *cfg, uint64_t seed);
void nor_destroy(nor *dev);
const nor_config *nor_get_config(const nor *dev);

/* Flash operations. Reads of weak bits draw from the device PRNG; reads of torn SECDED words
 * decode them (see `ecc`). */
int nor_read(nor *dev, uint32_t addr, void *buf, uint32_t len);
int nor_program(nor *dev, uint32_t addr, const void *data, uint32_t len);
int nor_erase(nor *dev, uint32_t sector_addr);

/* Geometry. */
uint32_t nor_size(const nor *dev);
uint32_t nor_sector_count(const nor *dev);
int nor_sector_at(const nor *dev, uint32_t addr, uint32_t *index, uint32_t *start, uint32_t *size);
uint32_t nor_erase_count(const nor *dev, uint32_t sector_index);

/* Power. A cut is armed by operation count (after `ops` more program/erase calls, the next
 * one is torn), by simulated time (the operation running at that time is torn), or by the
 * callback. nor_power_on() restores power and disarms; weak cells settle then: each weak bit,
 * with p = 1/4, becomes solid, programmed or erased with p = 1/2 each (seeded). */
void nor_set_torn_modes(nor *dev, nor_torn_program prog, nor_torn_erase erase);
void nor_arm_cut_after_ops(nor *dev, uint64_t ops);
void nor_arm_cut_at_time(nor *dev, uint64_t time_us);
void nor_set_cut_fn(nor *dev, nor_cut_fn fn, void *ctx);
void nor_disarm_cut(nor *dev);
void nor_cut_now(nor *dev); /* power off between operations */
void nor_power_on(nor *dev);
/* Mixes `salt` into the device's random stream, so that cuts placed at different operations
 * tear in different ways while the same salt still gives the same bytes. */
void nor_mix_seed(nor *dev, uint64_t salt);
/* The device's random stream, taken and put back: reads whose weak-bit draws must leave no trace
 * on what later operations draw (a checker's own reads between two of a run's) go between. */
typedef struct nor_random_state {
    uint64_t s[4];
} nor_random_state;
void nor_get_random_state(const nor *dev, nor_random_state *out);
void nor_set_random_state(nor *dev, const nor_random_state *in);
bool nor_is_powered(const nor *dev);
bool nor_cut_armed(const nor *dev);    /* a cut by operation count or time waits to land */
uint64_t nor_op_count(const nor *dev); /* program+erase calls so far */

/* Simulated clock. */
uint64_t nor_time_us(const nor *dev);
void nor_advance_time(nor *dev, uint64_t us);

/* What reads have seen of the cells the last cut tore, since that cut: whether a read saw them
 * exactly as the torn operation meant them (a torn record that reads valid), and whether a
 * byte read differently from an earlier read of it (a reading that changes). Restarts at
 * every cut (a cut between operations, nor_cut_now, tears nothing and ends it); restoring a
 * snapshot or loading an image stops it. Only nor_read counts, not nor_peek; once a later program
 * or erase reaches the range, its cells hold something else and reads stop counting (the figures
 * stay). */
typedef struct nor_tear_watch {
    bool active;         /* a cut tore a program or an erase, and its cells are watched */
    nor_event_kind kind; /* NOR_EV_PROGRAM or NOR_EV_ERASE */
    uint32_t addr, len;  /* the torn range (a program that wraps in its SPI page: the page) */
    uint64_t reads;      /* reads that touched it */
    bool read_complete;  /* some read returned NOR_OK and saw every byte of the range it
                            touched as intended (old data AND the program's data, or erased with
                            stuck bits programmed) */
    bool read_changed;   /* some byte read differently from an earlier read of it */
} nor_tear_watch;
void nor_get_tear_watch(const nor *dev, nor_tear_watch *out);

/* Events and statistics. */
void nor_set_event_fn(nor *dev, nor_event_fn fn, void *ctx);
void nor_get_stats(const nor *dev, nor_stats *out);
void nor_reset_stats(nor *dev); /* counters and clock stay; call/byte counters restart */

/* Raw access for fault injection and inspection (not counted, never torn). */
int nor_peek(const nor *dev, uint32_t addr, void *buf, uint32_t len);  /* stored bits, no weak */
int nor_poke(nor *dev, uint32_t addr, const void *data, uint32_t len); /* set bytes as they are */
int nor_flip_bit(nor *dev, uint32_t addr, unsigned bit);
/* A mask per byte of the bits that are weak (read randomly until the next erase: a torn
 * program's or erase's marginal cells); 0 where none. (nor_weak.c) */
int nor_peek_weak(const nor *dev, uint32_t addr, uint8_t *mask, uint32_t len);

/* Snapshots: the complete state, copy-on-write per sector. A snapshot stays valid while the
 * device lives; restoring one does not consume it. */
typedef struct nor_snapshot nor_snapshot;
int nor_snapshot_take(nor *dev, nor_snapshot **out);
int nor_snapshot_restore(nor *dev, const nor_snapshot *snap);
void nor_snapshot_free(nor_snapshot *snap);

/* Images: PATH holds the raw contents, PATH.json the geometry and per-sector erase counts. */
int nor_image_save(const nor *dev, const char *path);
int nor_image_load(nor *dev, const char *path); /* geometry must match the device */

/* What an image's sidecar says, read without a device (nor_image_info.c). Every length in it
 * is input: region and sector counts are bounded, the regions must add up to total_bytes,
 * and there must be one erase count per sector. */
#define NOR_IMAGE_WHY_MAX     240
#define NOR_IMAGE_MAX_SECTORS (1u << 20)
typedef struct nor_image_info {
    char preset[NOR_NAME_MAX]; /* informational; cut to fit */
    uint32_t total_bytes;
    uint32_t region_count;
    nor_region regions[NOR_MAX_REGIONS]; /* count and size only */
    uint32_t write_unit;
    uint8_t erase_value;
    uint32_t sector_count;
    uint32_t *erase_counts; /* sector_count of them (owned) */
} nor_image_info;
/* Parses sidecar text (`length` bytes, no NUL needed). NOR_E_IMAGE with `why` saying which
 * field is wrong and how; NOR_E_NOMEM. */
int nor_image_parse_sidecar(const char *text, size_t length, nor_image_info *info, char *why,
                            size_t why_size);
/* Reads PATH.json and checks that PATH holds exactly total_bytes. NOR_E_IO (a file cannot be
 * read: PATH first, so a missing image is named as such; a folder is named as one) or
 * NOR_E_IMAGE, with `why` naming the file and the problem (for NOR_E_IO, strerror's reason). */
int nor_image_read_info(const char *path, nor_image_info *info, char *why, size_t why_size);
void nor_image_info_free(nor_image_info *info);
/* NOR_E_IMAGE when the image's geometry is not the configuration's, with `why` saying what
 * differs (total size, a region's sectors, the write unit, the erase value). */
int nor_image_check_config(const nor_image_info *info, const nor_config *cfg, char *why,
                           size_t why_size);
/* nor_image_load with the reason for a refusal in `why`. */
int nor_image_load_explained(nor *dev, const char *path, char *why, size_t why_size);

#endif
