/* Shared by the scenario validator's files: the validation context (error list, the JSON path
 * being checked, what is known of the flash and engine so far) and the checking helpers that
 * turn JSON nodes into typed values or one error each. Not a public API. */
#ifndef NORBENCH_SCENARIO_INTERNAL_H
#define NORBENCH_SCENARIO_INTERNAL_H

#include "pjson.h"
#include "scenario.h"

#include <stdarg.h>

typedef struct scenario_ctx {
    scenario_errors *errors;
    char path[SCENARIO_PATH_MAX];
    size_t path_length;
    int status;         /* SCENARIO_E_NOMEM once memory ran out (sticky) */
    scenario *sc;       /* being filled in */
    bool flash_ok;      /* sc->flash is valid: addresses can be checked */
    bool engine_ok;     /* sc->engine is valid: operations can be checked against it */
    bool partitions_ok; /* sc->partitions passed (also when there are none) */
    const char *file;   /* as given: relative image paths start from it */
    const scenario_load_options *options;       /* NULL: none */
    bool update_slots_checked, update_slots_ok; /* scenario_update.c: the slots, once */
} scenario_ctx;

/* A name and its value, for every closed set of names in the format (fields, operations,
 * modes, error codes). For field lists, value is FIELD_REQUIRED or FIELD_OPTIONAL. */
typedef struct scenario_name {
    const char *name;
    int value;
} scenario_name;
enum { FIELD_OPTIONAL = 0, FIELD_REQUIRED = 1 };
#define NAME_COUNT(table) (sizeof(table) / sizeof((table)[0]))

void ctx_report(scenario_ctx *c, pjson_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ctx_out_of_memory(scenario_ctx *c);
/* Appends ".key" or "[index]" to the path; ctx_path_restore(c, mark) undoes it. */
size_t ctx_path_key(scenario_ctx *c, const char *key);
size_t ctx_path_index(scenario_ctx *c, size_t index);
void ctx_path_restore(scenario_ctx *c, size_t mark);
char *ctx_path_copy(scenario_ctx *c); /* malloc'd copy of the current path */

/* `text` made printable for a message: quoted-safe, at most ~40 characters. */
void quote_for_message(const char *text, size_t length, char *out, size_t size);
/* The closest name within a small edit distance, or NULL. */
const char *nearest_name(const char *word, const scenario_name *names, size_t count);
/* Looks `word` up; returns the entry or NULL. */
const scenario_name *find_name(const char *word, size_t length, const scenario_name *names,
                               size_t count);

/* Checks that node is an object whose members are all in `fields`, none twice, and that the
 * required ones are there. `what` names the object in messages ("flash", "'store'"). */
bool check_object(scenario_ctx *c, const pjson_node *node, const char *what,
                  const scenario_name *fields, size_t count);
/* The same for an object whose keys are names from a table (statistics, operators): every key
 * must be one of `names`, none twice; none is required. */
bool check_keys(scenario_ctx *c, const pjson_node *node, const char *what,
                const scenario_name *names, size_t count);
/* A step's keys: operations plus "expect" and "comment"; unknown ones are reported as unknown
 * operations. */
bool check_step_keys(scenario_ctx *c, const pjson_node *node, const scenario_name *keys,
                     size_t count);
/* Reports "expected WHAT, got a string" at node. */
void report_type(scenario_ctx *c, const pjson_node *node, const char *expected);

/* Typed getters for a member of an object. Absent: *out = fallback (or untouched for the
 * pointer ones) and true. Present and wrong: one error and false. Each pushes the member's
 * key onto the path while it checks. */
bool field_u64(scenario_ctx *c, const pjson_node *obj, const char *key, uint64_t min, uint64_t max,
               uint64_t fallback, uint64_t *out);
bool field_u32(scenario_ctx *c, const pjson_node *obj, const char *key, uint32_t min, uint32_t max,
               uint32_t fallback, uint32_t *out);
bool field_bool(scenario_ctx *c, const pjson_node *obj, const char *key, bool fallback, bool *out);
bool field_duration(scenario_ctx *c, const pjson_node *obj, const char *key, uint64_t fallback,
                    uint64_t *out);
/* A size in bytes or [min, max], within 0..SCENARIO_MAX_VALUE_BYTES. */
bool field_range(scenario_ctx *c, const pjson_node *obj, const char *key, scenario_range fallback,
                 scenario_range *out);
/* A name from `names`; `what` says what kind of name ("write policy"). */
bool field_name(scenario_ctx *c, const pjson_node *obj, const char *key, const char *what,
                const scenario_name *names, size_t count, int fallback, int *out);
/* "mode", an open mode from `names` (r, r+, and for fs_open w, w+); another API's spelling of
 * one ("rw", "wb", ...) is answered with the mode that means it. */
bool field_open_mode(scenario_ctx *c, const pjson_node *obj, const char *what,
                     const scenario_name *names, size_t count, int fallback, int *out);
/* "torn_program" and "torn_erase" (defaults bits and partial), as power_cut and cut take them. */
bool field_torn_modes(scenario_ctx *c, const pjson_node *obj, nor_torn_program *program,
                      nor_torn_erase *erase);

/* The same checks on a node (path already set by the caller). */
bool node_u64(scenario_ctx *c, const pjson_node *node, uint64_t min, uint64_t max, uint64_t *out);
bool node_i64(scenario_ctx *c, const pjson_node *node, int64_t min, int64_t max, int64_t *out);
bool node_duration(scenario_ctx *c, const pjson_node *node, uint64_t *out);
bool node_name(scenario_ctx *c, const pjson_node *node, const char *what,
               const scenario_name *names, size_t count, int *out);
/* "[min, max]" or a single integer, within 0..limit. */
bool node_range(scenario_ctx *c, const pjson_node *node, uint32_t limit, scenario_range *out);

/* Values (scenario_values.c). */
bool parse_value(scenario_ctx *c, const pjson_node *node, uint32_t min_length, uint32_t max_length,
                 scenario_value *out);
bool field_value(scenario_ctx *c, const pjson_node *obj, const char *key, uint32_t min_length,
                 uint32_t max_length, scenario_value *out);
void value_free(scenario_value *v);
/* An integer `node` as the little-endian bytes of `form` ("u8".."u64", "i8".."i64"), its range
 * checked. */
bool parse_integer_form(scenario_ctx *c, const pjson_node *node, const char *form,
                        scenario_value *out);

/* Key-value steps (scenario_kv.c): the arguments of every kv_* operation, a value given in a
 * format (kv_write's value, kv_read's expected value), and freeing them. */
bool parse_kv_step(scenario_ctx *c, const pjson_node *args, scenario_step *step);
bool parse_kv_value(scenario_ctx *c, const pjson_node *node, scenario_kv_format format,
                    scenario_value *out);
void kv_args_free(scenario_kv_args *a);

/* The Map façade (scenario_kvmap.c): the engine's "write_back" object (kvmap engines only). */
bool parse_write_back(scenario_ctx *c, const pjson_node *engine, scenario_engine *e);
/* Steps of the TDBStore-shaped store (scenario_tdb.c): their arguments, tdb_info's expected
 * value, and freeing them. */
bool parse_tdb_step(scenario_ctx *c, const pjson_node *args, scenario_step *step);
bool parse_tdb_info_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e);
void tdb_args_free(scenario_tdb_args *a);

/* Steps of the file system (scenario_fs.c): their arguments, the expectations of fs_status and
 * fs_file_status ({"type", "size"}) and of fs_scan (names and types), and freeing them. */
bool parse_fs_step(scenario_ctx *c, const pjson_node *args, scenario_step *step);
bool parse_fs_status_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e);
bool parse_fs_entries_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e);
void fs_args_free(scenario_fs_args *a);
/* Whole steps (parsed without an error): an fs_open or fs_dir_open that would hold one handle
 * more than SCENARIO_FS_OPEN_MAX of its kind is reported at its step. */
void check_fs_handles(scenario_ctx *c, const scenario_steps *steps);

/* The "txn" step's argument (scenario_txn.c). */
bool scenario_parse_txn(scenario_ctx *c, const pjson_node *args, scenario_step *step);

/* Name tables (scenario_names.c). */
extern const scenario_name scenario_error_names[];
extern const size_t scenario_error_name_count;
extern const scenario_name scenario_stat_names[];
extern const scenario_name scenario_compare_names[];

/* Steps (scenario_steps.c); the check of a step that takes no arguments ({}). */
bool parse_no_args(scenario_ctx *c, const pjson_node *args, scenario_step *step);
bool parse_steps(scenario_ctx *c, const pjson_node *array, scenario_steps *out);
void steps_free(scenario_steps *steps);

/* Partitions and raw steps (scenario_partitions.c): the top-level array, engine.partition
 * (start and size from the partition named; false after an error), a raw step's arguments, and
 * the value of raw_status's and partitions' expect. */
bool parse_partitions(scenario_ctx *c, const pjson_node *array, scenario *sc);
bool resolve_engine_partition(scenario_ctx *c, const pjson_node *engine, scenario_engine *e);
bool parse_raw_step(scenario_ctx *c, const pjson_node *args, scenario_step *step);

/* scenario_update.c: the firmware update steps' arguments. */
bool parse_update_step(scenario_ctx *c, const pjson_node *args, scenario_step *step);
bool parse_raw_expect(scenario_ctx *c, const pjson_node *node, scenario_expect *e);

/* Flash geometry helpers (scenario_flash.c). */
bool parse_flash(scenario_ctx *c, const pjson_node *node, scenario *sc);
bool parse_engine(scenario_ctx *c, const pjson_node *node, scenario *sc);
bool parse_cut(scenario_ctx *c, const pjson_node *node, scenario_cut *out);
/* scenario_matrix.c: the "matrix" object, and the preset a load's options put instead of the
 * file's (NULL: keep it). */
bool parse_matrix(scenario_ctx *c, const pjson_node *node, scenario_matrix *out);
const char *ctx_preset_override(const scenario_ctx *c);
/* scenario_image.c: the path in obj's `key`, resolved against the file's folder (malloc'd into
 * *out, where it was named in *where); absent: true and *out untouched. `what` is the expected
 * value in the message for a bad one. */
bool field_file_path(scenario_ctx *c, const pjson_node *obj, const char *key, const char *what,
                     char **out, pjson_pos *where);
/* scenario_image.c: "flash.image" resolved against the file's folder, and checked against
 * the resolved flash once the file is parsed (a load, not a parse: it reads the image). */
bool parse_image_path(scenario_ctx *c, const pjson_node *flash, scenario *sc);
int check_image(scenario *sc, scenario_errors *errors);
uint32_t flash_total_bytes(const nor_config *cfg);
/* The presets as a name table (value: index for nor_preset_at); returns how many. */
#define PRESET_NAMES_MAX 64
size_t preset_names(scenario_name names[PRESET_NAMES_MAX]);
/* The sector holding addr: index, start and size; false when addr is past the end. */
bool flash_sector_at(const nor_config *cfg, uint32_t addr, uint32_t *index, uint32_t *start,
                     uint32_t *size);

#endif
