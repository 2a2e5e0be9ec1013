/* The position-keeping JSON reader: a recursive-descent parser over a byte buffer that tracks
 * line and column as it goes and stops at the first problem with one message saying where,
 * what it found and what it expected. */
#include "pjson.h"
#include "grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const uint8_t *p, *end;
    pjson_pos pos;
    int depth;
    pjson_error *err;
    int status; /* PJSON_OK until the first error */
} parser;

typedef struct text_buffer {
    char *data;
    size_t length, capacity;
} text_buffer;

static void fail_at(parser *ps, pjson_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(parser *ps, pjson_pos pos, const char *fmt, ...) {
    if (ps->status != PJSON_OK) return;
    ps->status = PJSON_E_SYNTAX;
    ps->err->pos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
}

static void fail_nomem(parser *ps) {
    if (ps->status != PJSON_OK) return;
    ps->status = PJSON_E_NOMEM;
    ps->err->pos = ps->pos;
    snprintf(ps->err->message, sizeof ps->err->message, "out of memory");
}

static bool at_end(const parser *ps) {
    return ps->p >= ps->end;
}

static void advance(parser *ps) {
    uint8_t c = *ps->p++;
    if (c == '\n') {
        ps->pos.line++;
        ps->pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
        ps->pos.column++;
    }
}

/* "'x'", "byte 0x89" or "the end of the input": what the parser found where it stopped. */
static const char *describe_next(const parser *ps, char *buf, size_t size) {
    if (at_end(ps)) return "the end of the input";
    uint8_t c = *ps->p;
    if (c >= 0x21 && c <= 0x7E)
        snprintf(buf, size, "'%c'", c);
    else
        snprintf(buf, size, "byte 0x%02X", c);
    return buf;
}

static void fail_expected(parser *ps, const char *expected) {
    char found[24];
    fail_at(ps, ps->pos, "expected %s, found %s", expected, describe_next(ps, found, sizeof found));
}

static void skip_whitespace(parser *ps) {
    while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        advance(ps);
}

static bool buffer_push(parser *ps, text_buffer *b, const uint8_t *bytes, size_t n) {
    if (b->length + n + 1 > b->capacity) {
        size_t cap = b->capacity ? b->capacity : 16;
        while (cap < b->length + n + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            fail_nomem(ps);
            return false;
        }
        b->data = grown;
        b->capacity = cap;
    }
    memcpy(b->data + b->length, bytes, n);
    b->length += n;
    b->data[b->length] = '\0';
    return true;
}

static bool push_code_point(parser *ps, text_buffer *b, uint32_t cp) {
    uint8_t out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (uint8_t)(0xF0 | (cp >> 18));
        out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buffer_push(ps, b, out, n);
}

/* Length of the well-formed UTF-8 sequence at p (no overlongs, no surrogates, <= U+10FFFF),
 * or 0 when it is malformed. */
static size_t utf8_sequence_length(const uint8_t *p, const uint8_t *end) {
    uint8_t c = p[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u"; ps->p is on the first digit. */
static bool read_hex4(parser *ps, pjson_pos escape_pos, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = at_end(ps) ? -1 : hex_digit(*ps->p);
        if (d < 0) {
            fail_at(ps, escape_pos, "invalid \\u escape in a string; expected 4 hex digits");
            return false;
        }
        v = v * 16 + (uint32_t)d;
        advance(ps);
    }
    *out = v;
    return true;
}

static bool read_escape(parser *ps, text_buffer *b) {
    pjson_pos escape_pos = ps->pos;
    advance(ps);                 /* the backslash */
    if (at_end(ps)) return true; /* reported as an unterminated string */
    uint8_t c = *ps->p;
    static const char plain_from[] = "\"\\/bfnrt";
    static const char plain_to[] = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(plain_from, c) : NULL;
    if (hit) {
        advance(ps);
        uint8_t out = (uint8_t)plain_to[hit - plain_from];
        return buffer_push(ps, b, &out, 1);
    }
    if (c != 'u') {
        char found[24];
        fail_at(ps, escape_pos,
                "invalid escape '\\%s' in a string; expected one of \\\" \\\\ \\/ "
                "\\b \\f \\n \\r \\t \\uXXXX",
                (c >= 0x21 && c <= 0x7E) ? (snprintf(found, sizeof found, "%c", c), found)
                                         : (snprintf(found, sizeof found, "x%02X", c), found));
        return false;
    }
    advance(ps);
    uint32_t cp;
    if (!read_hex4(ps, escape_pos, &cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail_at(ps, escape_pos, "invalid \\u escape: a low surrogate without a high one");
        return false;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if ((size_t)(ps->end - ps->p) < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
            fail_at(ps, escape_pos, "invalid \\u escape: a high surrogate without a low one");
            return false;
        }
        advance(ps);
        advance(ps);
        if (!read_hex4(ps, escape_pos, &low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) {
            fail_at(ps, escape_pos, "invalid \\u escape: a high surrogate without a low one");
            return false;
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    return push_code_point(ps, b, cp);
}

/* ps->p is on the opening quote. */
static bool read_string(parser *ps, char **out, size_t *out_length) {
    pjson_pos start = ps->pos;
    text_buffer b = {0};
    advance(ps);
    if (!buffer_push(ps, &b, (const uint8_t *)"", 0)) return false;
    while (ps->status == PJSON_OK) {
        if (at_end(ps)) {
            fail_at(ps, start, "unterminated string (no closing '\"' before the end of the input)");
            break;
        }
        uint8_t c = *ps->p;
        if (c == '"') {
            advance(ps);
            *out = b.data;
            *out_length = b.length;
            return true;
        }
        if (c == '\\') {
            read_escape(ps, &b);
            continue;
        }
        if (c < 0x20) {
            if (c == '\n')
                fail_at(ps, start, "unterminated string (a line ends before the closing '\"')");
            else
                fail_at(ps, ps->pos, "control character 0x%02X in a string; escape it", c);
            break;
        }
        size_t n = utf8_sequence_length(ps->p, ps->end);
        if (n == 0) {
            fail_at(ps, ps->pos, "invalid UTF-8 byte 0x%02X in a string", c);
            break;
        }
        if (!buffer_push(ps, &b, ps->p, n)) break;
        for (size_t i = 0; i < n; i++) advance(ps);
    }
    free(b.data);
    return false;
}

static bool is_digit(const parser *ps) {
    return !at_end(ps) && *ps->p >= '0' && *ps->p <= '9';
}

static void read_number(parser *ps, pjson_node *node) {
    const uint8_t *start = ps->p;
    node->is_integer = true;
    if (*ps->p == '-') {
        node->negative = true;
        advance(ps);
    }
    if (!is_digit(ps)) {
        fail_expected(ps, "a digit after '-'");
        return;
    }
    if (*ps->p == '0') {
        advance(ps);
        if (is_digit(ps)) {
            fail_at(ps, node->pos, "invalid number: a leading zero is not allowed");
            return;
        }
    } else {
        while (is_digit(ps)) {
            uint64_t d = (uint64_t)(*ps->p - '0');
            if (node->magnitude > (UINT64_MAX - d) / 10)
                node->overflow = true;
            else
                node->magnitude = node->magnitude * 10 + d;
            advance(ps);
        }
    }
    if (!at_end(ps) && *ps->p == '.') {
        node->is_integer = false;
        advance(ps);
        if (!is_digit(ps)) {
            fail_expected(ps, "a digit after '.' in a number");
            return;
        }
        while (is_digit(ps)) advance(ps);
    }
    if (!at_end(ps) && (*ps->p == 'e' || *ps->p == 'E')) {
        node->is_integer = false;
        advance(ps);
        if (!at_end(ps) && (*ps->p == '+' || *ps->p == '-')) advance(ps);
        if (!is_digit(ps)) {
            fail_expected(ps, "a digit in the exponent of a number");
            return;
        }
        while (is_digit(ps)) advance(ps);
    }
    size_t n = (size_t)(ps->p - start);
    if (n > PJSON_NUMBER_TEXT_MAX) {
        memcpy(node->number_text, start, PJSON_NUMBER_TEXT_MAX);
        memcpy(node->number_text + PJSON_NUMBER_TEXT_MAX, "...", 4);
    } else {
        memcpy(node->number_text, start, n);
        node->number_text[n] = '\0';
    }
}

static bool is_word_byte(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void read_word(parser *ps, pjson_node *node) {
    const uint8_t *start = ps->p;
    while (!at_end(ps) && is_word_byte(*ps->p)) advance(ps);
    size_t n = (size_t)(ps->p - start);
    if (n == 4 && memcmp(start, "true", 4) == 0) {
        node->type = PJSON_BOOL;
        node->boolean = true;
    } else if (n == 5 && memcmp(start, "false", 5) == 0) {
        node->type = PJSON_BOOL;
    } else if (n == 4 && memcmp(start, "null", 4) == 0) {
        node->type = PJSON_NULL;
    } else {
        fail_at(ps, node->pos,
                "unknown word '%.*s'; expected a JSON value (strings need double quotes; "
                "literals are true, false and null)",
                (int)(n > 32 ? 32 : n), (const char *)start);
    }
}

static pjson_node *parse_value(parser *ps);

static bool append_item(parser *ps, pjson_node *array, pjson_node *item, size_t *capacity) {
    if (!grow_array(&array->items, capacity, array->count, sizeof *array->items, 4)) {
        fail_nomem(ps);
        return false;
    }
    array->items[array->count++] = item;
    return true;
}

static void parse_array(parser *ps, pjson_node *node) {
    size_t capacity = 0;
    advance(ps); /* '[' */
    skip_whitespace(ps);
    if (!at_end(ps) && *ps->p == ']') {
        advance(ps);
        return;
    }
    for (;;) {
        pjson_node *item = parse_value(ps);
        if (!item) return;
        if (!append_item(ps, node, item, &capacity)) {
            pjson_free(item);
            return;
        }
        skip_whitespace(ps);
        if (!at_end(ps) && *ps->p == ']') {
            advance(ps);
            return;
        }
        if (at_end(ps) || *ps->p != ',') {
            fail_expected(ps, "',' or ']' after an array item");
            return;
        }
        advance(ps);
        skip_whitespace(ps);
        if (!at_end(ps) && *ps->p == ']') {
            fail_at(ps, ps->pos, "trailing comma: expected another item after ','");
            return;
        }
    }
}

static bool append_member(parser *ps, pjson_node *object, pjson_member member, size_t *capacity) {
    if (!grow_array(&object->members, capacity, object->count, sizeof *object->members, 4)) {
        fail_nomem(ps);
        return false;
    }
    object->members[object->count++] = member;
    return true;
}

static void parse_object(parser *ps, pjson_node *node) {
    size_t capacity = 0;
    advance(ps); /* '{' */
    skip_whitespace(ps);
    if (!at_end(ps) && *ps->p == '}') {
        advance(ps);
        return;
    }
    for (;;) {
        pjson_member member = {0};
        if (at_end(ps) || *ps->p != '"') {
            fail_expected(ps, "a key in double quotes");
            return;
        }
        member.key_pos = ps->pos;
        if (!read_string(ps, &member.key, &member.key_length)) return;
        skip_whitespace(ps);
        if (at_end(ps) || *ps->p != ':') {
            free(member.key);
            fail_expected(ps, "':' after the key");
            return;
        }
        advance(ps);
        member.value = parse_value(ps);
        if (!member.value || !append_member(ps, node, member, &capacity)) {
            free(member.key);
            pjson_free(member.value);
            return;
        }
        skip_whitespace(ps);
        if (!at_end(ps) && *ps->p == '}') {
            advance(ps);
            return;
        }
        if (at_end(ps) || *ps->p != ',') {
            fail_expected(ps, "',' or '}' after an object member");
            return;
        }
        advance(ps);
        skip_whitespace(ps);
        if (!at_end(ps) && *ps->p == '}') {
            fail_at(ps, ps->pos, "trailing comma: expected another member after ','");
            return;
        }
    }
}

/* Returns the value, or NULL after recording an error. */
static pjson_node *parse_value(parser *ps) {
    skip_whitespace(ps);
    if (ps->status != PJSON_OK) return NULL;
    pjson_node *node = calloc(1, sizeof *node);
    if (!node) {
        fail_nomem(ps);
        return NULL;
    }
    node->pos = ps->pos;
    uint8_t c = at_end(ps) ? 0 : *ps->p;
    if (at_end(ps)) {
        fail_expected(ps, "a JSON value");
    } else if (c == '{' || c == '[') {
        if (ps->depth >= PJSON_MAX_DEPTH) {
            fail_at(ps, ps->pos, "nesting deeper than %d levels of arrays and objects",
                    PJSON_MAX_DEPTH);
        } else {
            ps->depth++;
            node->type = c == '{' ? PJSON_OBJECT : PJSON_ARRAY;
            if (c == '{')
                parse_object(ps, node);
            else
                parse_array(ps, node);
            ps->depth--;
        }
    } else if (c == '"') {
        node->type = PJSON_STRING;
        read_string(ps, &node->string, &node->length);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        node->type = PJSON_NUMBER;
        read_number(ps, node);
    } else if (is_word_byte(c)) {
        read_word(ps, node);
    } else {
        fail_expected(ps, "a JSON value (object, array, string, number, true, false or null)");
    }
    if (ps->status != PJSON_OK) {
        pjson_free(node);
        return NULL;
    }
    return node;
}

int pjson_parse(const void *text, size_t length, pjson_node **out, pjson_error *err) {
    parser ps = {.p = text, .end = (const uint8_t *)text + length, .pos = {1, 1}, .err = err};
    *out = NULL;
    memset(err, 0, sizeof *err);
    if (!text && length) length = 0, ps.end = ps.p;
    if (length > PJSON_MAX_INPUT) {
        fail_at(&ps, ps.pos, "the input is larger than %u bytes", PJSON_MAX_INPUT);
        return ps.status;
    }
    if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ps.p += 3;
    skip_whitespace(&ps);
    if (at_end(&ps)) {
        fail_at(&ps, (pjson_pos){1, 1}, "the input is empty; expected a JSON value");
        return ps.status;
    }
    pjson_node *root = parse_value(&ps);
    if (!root) return ps.status;
    skip_whitespace(&ps);
    if (!at_end(&ps)) {
        char found[24];
        fail_at(&ps, ps.pos, "unexpected %s after the end of the JSON value",
                describe_next(&ps, found, sizeof found));
        pjson_free(root);
        return ps.status;
    }
    *out = root;
    return PJSON_OK;
}

void pjson_free(pjson_node *node) {
    if (!node) return;
    free(node->string);
    for (size_t i = 0; node->type == PJSON_ARRAY && i < node->count; i++)
        pjson_free(node->items[i]);
    for (size_t i = 0; node->type == PJSON_OBJECT && i < node->count; i++) {
        free(node->members[i].key);
        pjson_free(node->members[i].value);
    }
    free(node->items);
    free(node->members);
    free(node);
}

const char *pjson_type_phrase(pjson_type type) {
    switch (type) {
    case PJSON_NULL: return "null";
    case PJSON_BOOL: return "a boolean";
    case PJSON_NUMBER: return "a number";
    case PJSON_STRING: return "a string";
    case PJSON_ARRAY: return "an array";
    case PJSON_OBJECT: return "an object";
    }
    return "a value";
}

const pjson_node *pjson_get(const pjson_node *object, const char *key) {
    if (!object || object->type != PJSON_OBJECT) return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (strcmp(object->members[i].key, key) == 0 &&
            strlen(object->members[i].key) == object->members[i].key_length)
            return object->members[i].value;
    return NULL;
}
