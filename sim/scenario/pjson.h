/* A small JSON reader that remembers where every value and key starts (line and column), so
 * that the scenario validator can point at the exact spot of a problem. A pure function from
 * bytes to a tree or one error: no global state, bounded nesting, strict RFC 8259 syntax. */
#ifndef NORBENCH_PJSON_H
#define NORBENCH_PJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PJSON_OK = 0,
    PJSON_E_SYNTAX = -1, /* the text is not JSON (or breaks a limit); see the error */
    PJSON_E_NOMEM = -2,  /* out of host memory */
};

#define PJSON_MAX_DEPTH       64          /* nested arrays/objects */
#define PJSON_MAX_INPUT       (16u << 20) /* bytes */
#define PJSON_NUMBER_TEXT_MAX 32          /* characters of a number kept for messages */

typedef enum pjson_type {
    PJSON_NULL,
    PJSON_BOOL,
    PJSON_NUMBER,
    PJSON_STRING,
    PJSON_ARRAY,
    PJSON_OBJECT
} pjson_type;

/* 1-based; columns count characters (UTF-8 code points), a tab counts as one. */
typedef struct pjson_pos {
    uint32_t line, column;
} pjson_pos;

typedef struct pjson_node pjson_node;

typedef struct pjson_member {
    char *key; /* NUL-terminated; may also hold NULs (\u0000), see key_length */
    size_t key_length;
    pjson_pos key_pos;
    pjson_node *value;
} pjson_member;

struct pjson_node {
    pjson_type type;
    pjson_pos pos;
    bool boolean; /* PJSON_BOOL */
    /* PJSON_NUMBER: integers (no fraction, no exponent) are kept exactly as sign and
     * magnitude; other numbers only as text, since the scenario format has no fractions. */
    bool is_integer, negative, overflow; /* overflow: the magnitude does not fit in 64 bits */
    uint64_t magnitude;
    char number_text[PJSON_NUMBER_TEXT_MAX + 4]; /* as written, "..." when cut short */
    /* PJSON_STRING: decoded UTF-8, NUL-terminated, `length` bytes (may contain NULs). */
    char *string;
    size_t length;
    /* PJSON_ARRAY: items; PJSON_OBJECT: members in document order, duplicates kept. */
    pjson_node **items;
    pjson_member *members;
    size_t count;
};

typedef struct pjson_error {
    pjson_pos pos;
    char message[160];
} pjson_error;

/* Parses exactly one JSON value (surrounded by optional whitespace and an optional UTF-8
 * byte-order mark). On success *out owns the tree; on PJSON_E_SYNTAX *err says where and what. */
int pjson_parse(const void *text, size_t length, pjson_node **out, pjson_error *err);
void pjson_free(pjson_node *node);

/* "a string", "an object", ...: for messages. */
const char *pjson_type_phrase(pjson_type type);
/* The first member named `key` (NULL if none). */
const pjson_node *pjson_get(const pjson_node *object, const char *key);

#endif
