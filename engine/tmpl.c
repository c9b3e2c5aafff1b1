/*
 * tmpl.c — template text with {variable} placeholders.
 *
 * Syntax: "{name}" where name is [a-z_][a-z0-9_]* (at most 63 bytes) is
 * replaced by the variable's value; "{{" and "}}" are a literal '{' and '}';
 * any other brace is a syntax error reported with the byte offset of the
 * brace in err->field ("offset 17"). Values are inserted verbatim (no
 * recursive expansion). The rendered text is capped at TMPL_MAX_OUTPUT
 * bytes so a runaway value cannot make an unbounded message.
 */
#include "tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMPL_MAX_OUTPUT (64 * 1024)
#define TMPL_NAME_MAX   64            /* including the NUL */

typedef enum token_kind { TOKEN_END, TOKEN_TEXT, TOKEN_VARIABLE } token_kind;

/* One piece of a template: literal text to copy, or a variable name
 * (NUL-terminated in name). start/length point into the source. */
typedef struct tmpl_token {
    token_kind  kind;
    const char *start;
    size_t      length;
    char        name[TMPL_NAME_MAX];
} tmpl_token;

/* True when start[0..length) is a variable name: [a-z_][a-z0-9_]*, 1 to
 * TMPL_NAME_MAX - 1 bytes. */
static bool name_valid(const char *start, size_t length)
{
    if (length == 0 || length >= TMPL_NAME_MAX)
        return false;
    if (!((start[0] >= 'a' && start[0] <= 'z') || start[0] == '_'))
        return false;
    for (size_t i = 1; i < length; i++) {
        char c = start[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/*
 * Reads the token at src + *position and advances *position past it.
 * Returns 0 (token filled; TOKEN_END at the terminating NUL) or -EINVAL
 * for an unclosed '{', a lone '}' or an invalid variable name, with
 * err->field "offset N" naming the offending brace.
 */
static int next_token(const char *src, size_t *position, tmpl_token *token, dn_err *err)
{
    size_t at = *position;
    const char *p = src + at;
    token->start = p;
    if (p[0] == '\0') {
        token->kind = TOKEN_END;
        token->length = 0;
        return 0;
    }
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
        token->kind = TOKEN_TEXT;
        token->length = 1;
        *position = at + 2;
        return 0;
    }
    char field[32];
    snprintf(field, sizeof field, "offset %zu", at);
    if (p[0] == '}')
        return dn_err_set(err, -EINVAL, field,
                          "'}' at offset %zu has no matching '{' (write }} for a literal brace)",
                          at);
    if (p[0] == '{') {
        const char *close = strchr(p + 1, '}');
        if (!close)
            return dn_err_set(err, -EINVAL, field,
                              "'{' at offset %zu is never closed (write {{ for a literal brace)",
                              at);
        size_t length = (size_t)(close - (p + 1));
        if (!name_valid(p + 1, length))
            return dn_err_set(err, -EINVAL, field,
                              "invalid variable name \"%.*s\" at offset %zu (use lower-case "
                              "letters, digits and '_', at most %d characters)",
                              (int)(length > 40 ? 40 : length), p + 1, at, TMPL_NAME_MAX - 1);
        token->kind = TOKEN_VARIABLE;
        token->length = length + 2;
        memcpy(token->name, p + 1, length);
        token->name[length] = '\0';
        *position = at + length + 2;
        return 0;
    }
    token->kind = TOKEN_TEXT;
    token->length = strcspn(p, "{}");
    *position = at + token->length;
    return 0;
}

/*
 * Calls fn(arg, name) for every variable occurrence in src, in order
 * (a name used twice is reported twice). Stops at the first non-zero
 * result of fn and returns it. Returns 0, or -EINVAL for NULL src or a
 * syntax error (err->field "offset N"); fn is not called for variables
 * after a syntax error, but may have been called for ones before it.
 */
int tmpl_each_variable(const char *src, int (*fn)(void *arg, const char *name), void *arg,
                       dn_err *err)
{
    if (!src)
        return dn_err_set(err, -EINVAL, "template", "template text is missing");
    size_t position = 0;
    tmpl_token token;
    for (;;) {
        int rc = next_token(src, &position, &token, err);
        if (rc < 0)
            return rc;
        if (token.kind == TOKEN_END)
            return 0;
        if (token.kind == TOKEN_VARIABLE && fn) {
            rc = fn(arg, token.name);
            if (rc != 0)
                return rc;
        }
    }
}

/* A growing output buffer capped at TMPL_MAX_OUTPUT bytes of text. */
typedef struct output_buffer {
    char  *data;
    size_t length;
    size_t capacity;
} output_buffer;

/* Appends length bytes of text, keeping data NUL-terminated. Returns 0,
 * -E2BIG past the cap or -ENOMEM; on failure buffer is unchanged. */
static int output_append(output_buffer *buffer, const char *text, size_t length, dn_err *err)
{
    if (length > TMPL_MAX_OUTPUT - buffer->length)
        return dn_err_set(err, -E2BIG, "template",
                          "rendered text would exceed %d bytes", TMPL_MAX_OUTPUT);
    size_t needed = buffer->length + length + 1;
    if (needed > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        while (capacity < needed)
            capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (!grown)
            return dn_err_set(err, -ENOMEM, "template", "out of memory rendering a template");
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return 0;
}

/*
 * Renders src into a malloc'd NUL-terminated string in *out (caller frees).
 * lookup receives a buffer of TMPL_MAX_OUTPUT + 1 bytes and must return 0
 * with a NUL-terminated value, -ENOENT for an unknown variable, or another
 * negative errno (passed through). Returns 0; -EINVAL (syntax, err->field
 * "offset N"), -ENOENT (err->field is the variable name), -E2BIG (rendered
 * text over TMPL_MAX_OUTPUT bytes) or -ENOMEM; *out is NULL on failure.
 */
int tmpl_render(const char *src, dn_tmpl_lookup_fn lookup, void *arg, char **out, dn_err *err)
{
    output_buffer buffer = { NULL, 0, 0 };
    char *value = NULL;
    int rc;
    if (!out)
        return dn_err_set(err, -EINVAL, "template", "no output pointer given");
    *out = NULL;
    if (!src || !lookup) {
        rc = dn_err_set(err, -EINVAL, "template", "template text or lookup is missing");
        goto fail;
    }
    /* an empty template still renders to an allocated "" */
    rc = output_append(&buffer, "", 0, err);
    if (rc < 0)
        goto fail;

    size_t position = 0;
    tmpl_token token;
    for (;;) {
        rc = next_token(src, &position, &token, err);
        if (rc < 0)
            goto fail;
        if (token.kind == TOKEN_END)
            break;
        if (token.kind == TOKEN_TEXT) {
            rc = output_append(&buffer, token.start, token.length, err);
            if (rc < 0)
                goto fail;
            continue;
        }
        if (!value) {
            value = malloc(TMPL_MAX_OUTPUT + 1);
            if (!value) {
                rc = dn_err_set(err, -ENOMEM, "template", "out of memory rendering a template");
                goto fail;
            }
        }
        value[0] = '\0';
        rc = lookup(arg, token.name, value, TMPL_MAX_OUTPUT + 1);
        if (rc == -ENOENT) {
            rc = dn_err_set(err, -ENOENT, token.name, "unknown template variable \"%s\"",
                            token.name);
            goto fail;
        }
        if (rc < 0) {
            rc = dn_err_set(err, rc, token.name, "template variable \"%s\" could not be read",
                            token.name);
            goto fail;
        }
        value[TMPL_MAX_OUTPUT] = '\0';   /* a lookup that forgot the NUL stays bounded */
        rc = output_append(&buffer, value, strlen(value), err);
        if (rc < 0)
            goto fail;
    }
    *out = buffer.data;
    free(value);
    return 0;

fail:
    free(buffer.data);
    free(value);
    return rc;
}
