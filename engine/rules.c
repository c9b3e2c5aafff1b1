/*
 * rules.c — loading, checking, deciding, rendering and rule tests for the
 * analysts' Lua rule sets (docs/rules-guide.md). The sandbox itself is in
 * rules_sandbox.c and the customer table `c` in rules_facts.c.
 *
 * A rule set keeps an in-memory copy of its files. Running them in a fresh
 * sandboxed state yields a rules_runtime: settings, segments and ladders as
 * C arrays (each `when`, `match`, `decide` and `classify` a registry
 * reference), so a decision walks C data and calls Lua only for the
 * functions the analysts wrote. After a timeout or out-of-memory the
 * runtime is thrown away and rebuilt from the same files before the next
 * customer.
 */
#include "rules.h"

#include <assert.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "money.h"
#include "rules-internal.h"
#include "sms.h"
#include "tmpl.h"
#include "tz.h"

static dn_rule_limits rules_limits = {
    .instructions = 1000000,
    .memory_bytes = 64u * 1024 * 1024,
    .wall_ms = 1000,
};

static const char *const channel_names[] = { "sms", "email", "voice", "chat",
                                             "letter", "crm", "agent", NULL };
static const char *const tone_names[] = { "friendly", "neutral", "firm", "urgent", "gentle", NULL };
static const char *const persona_names[] = { "friendly", "businessman", "invisible", "fighter",
                                             NULL };
static const char *const template_variables[] = {
    "name", "first_name", "amount", "amount_minor", "currency", "due_date", "days_overdue",
    "company", "pay_link", "customer_id", "invoice_id", "invoices_count", "opt_out", NULL,
};
static const char *const step_fields[] = { "day", "channel", "template", "tone", "voice",
                                           "hours", "fallback", "when", "language",
                                           "transliterate", "purpose", NULL };

void rules_set_limits(const dn_rule_limits *l)
{
    if (l->instructions > 0)
        rules_limits.instructions = l->instructions;
    if (l->memory_bytes >= 1024 * 1024)
        rules_limits.memory_bytes = l->memory_bytes;
    if (l->wall_ms > 0)
        rules_limits.wall_ms = l->wall_ms;
}

static bool name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

/* ---- small text helpers ---- */

/* "HH:MM" -> minutes of the day, or -1. */
int rules_parse_hhmm(const char *s)
{
    if (strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int hours = (s[0] - '0') * 10 + (s[1] - '0');
    int minutes = (s[3] - '0') * 10 + (s[4] - '0');
    if (hours > 23 || minutes > 59)
        return -1;
    return hours * 60 + minutes;
}

/* Line (1-based) of the first occurrence of needle in text, or 1. */
int rules_text_line(const char *text, size_t len, const char *needle)
{
    const char *hit = memmem(text, len, needle, strlen(needle));
    int line = 1;
    if (!hit)
        return 1;
    for (const char *p = text; p < hit; p++)
        line += *p == '\n';
    return line;
}

/* Skips a long bracket "[[", "[==[" at text[i]; returns the index after its
 * closing bracket (counting lines), or i if text[i] opens none. */
static size_t scan_long_bracket(const char *text, size_t len, size_t i, int *line)
{
    size_t j = i + 1;
    int level = 0;
    while (j < len && text[j] == '=') {
        level++;
        j++;
    }
    if (j >= len || text[j] != '[')
        return i;
    for (j++; j < len; j++) {
        if (text[j] == '\n')
            (*line)++;
        if (text[j] == ']') {
            size_t k = j + 1;
            int close = 0;
            while (k < len && text[k] == '=') {
                close++;
                k++;
            }
            if (close == level && k < len && text[k] == ']')
                return k + 1;
        }
    }
    return len;
}

/*
 * Finds `key = {` in Lua source (outside strings and comments) and writes the
 * line of each table constructor directly inside that table, in order, so
 * the k-th literal entry of a list gets its line. Returns how many were
 * found (at most max); *key_line is the line of the key (0 if not found).
 * Entries built by calls or variables are not seen: callers compare the
 * count with the real number of entries and fall back to *key_line.
 */
int rules_scan_list_lines(const char *text, size_t len, const char *key, int *key_line,
                          int *lines, int max)
{
    enum { LOOKING, AFTER_KEY, AFTER_EQUALS, INSIDE } state = LOOKING;
    size_t key_len = strlen(key);
    int line = 1, depth = 0, list_depth = 0, found = 0;

    *key_line = 0;
    for (size_t i = 0; i < len;) {
        char c = text[i];
        if (c == '\n') {
            line++;
            i++;
        } else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            size_t after = i + 2 < len && text[i + 2] == '['
                               ? scan_long_bracket(text, len, i + 2, &line) : i + 2;
            if (after == i + 2)
                while (after < len && text[after] != '\n')
                    after++;
            i = after;
        } else if (c == '"' || c == '\'') {
            for (i++; i < len && text[i] != c && text[i] != '\n'; i++)
                if (text[i] == '\\' && i + 1 < len) {
                    if (text[i + 1] == '\n')
                        line++;
                    i++;
                }
            i++;
        } else if (c == '[' && scan_long_bracket(text, len, i, &line) != i) {
            i = scan_long_bracket(text, len, i, &line);
        } else if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t start = i;
            while (i < len && (text[i] == '_' || (text[i] >= 'a' && text[i] <= 'z') ||
                               (text[i] >= 'A' && text[i] <= 'Z') ||
                               (text[i] >= '0' && text[i] <= '9')))
                i++;
            if (state == LOOKING && i - start == key_len && memcmp(text + start, key, key_len) == 0) {
                state = AFTER_KEY;
                *key_line = line;
            } else if (state == AFTER_KEY || state == AFTER_EQUALS) {
                state = LOOKING;
            }
        } else if (c == '=') {
            bool double_equals = i + 1 < len && text[i + 1] == '=';
            state = state == AFTER_KEY && !double_equals ? AFTER_EQUALS
                    : state == INSIDE ? INSIDE : LOOKING;
            i += double_equals ? 2 : 1;
        } else if (c == '{') {
            if (state == AFTER_EQUALS) {
                state = INSIDE;
                list_depth = depth + 1;
            } else if (state == INSIDE && depth == list_depth && found < max) {
                lines[found++] = line;
            } else if (state == AFTER_KEY) {
                state = LOOKING;
            }
            depth++;
            i++;
        } else if (c == '}') {
            depth--;
            i++;
            if (state == INSIDE && depth < list_depth)
                return found;
        } else {
            if ((state == AFTER_KEY || state == AFTER_EQUALS) && c != ' ' && c != '\t' &&
                c != '\r')
                state = LOOKING;
            i++;
        }
    }
    return found;
}

/* ---- errors ---- */

static void errs_add(dn_rule_errors *errs, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void errs_add(dn_rule_errors *errs, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (errs->n >= (int)(sizeof errs->items / sizeof errs->items[0]))
        return;
    char *item = errs->items[errs->n++];
    int used = snprintf(item, sizeof errs->items[0], "%s:%d: ", file, line);
    if (used < 0 || (size_t)used >= sizeof errs->items[0])
        return;
    va_start(ap, fmt);
    vsnprintf(item + used, sizeof errs->items[0] - (size_t)used, fmt, ap);
    va_end(ap);
}

/* Adds a failure of the sandbox: messages that already start with a
 * position are kept as they are; others get err->field (or file:1). */
static void errs_add_failure(dn_rule_errors *errs, const char *file, const dn_err *err)
{
    const char *colon = strchr(err->msg, ':');
    bool positioned = colon && strstr(err->msg, ".lua:") && colon[1] >= '0' && colon[1] <= '9';
    if (errs->n >= (int)(sizeof errs->items / sizeof errs->items[0]))
        return;
    if (positioned)
        snprintf(errs->items[errs->n++], sizeof errs->items[0], "%s", err->msg);
    else if (err->field[0])
        snprintf(errs->items[errs->n++], sizeof errs->items[0], "%.96s: %.300s", err->field, err->msg);
    else
        errs_add(errs, file, 1, "%s", err->msg);
}

/* ---- files and version ---- */

static int file_compare(const void *a, const void *b)
{
    return strcmp(((const rules_file *)a)->path, ((const rules_file *)b)->path);
}

static void files_free(rules_file *files, int n)
{
    for (int i = 0; i < n; i++)
        free(files[i].text);
    free(files);
}

static int file_read(const char *full, rules_file *file, dn_rule_errors *errs)
{
    FILE *in = fopen(full, "rb");
    int rc = 0;

    if (!in) {
        errs_add(errs, file->path, 1, "cannot open: %s", strerror(errno));
        return -EIO;
    }
    file->text = malloc(RULES_FILE_MAX + 1);
    if (!file->text) {
        rc = -ENOMEM;
        goto done;
    }
    file->len = fread(file->text, 1, RULES_FILE_MAX + 1, in);
    if (ferror(in)) {
        errs_add(errs, file->path, 1, "cannot read: %s", strerror(errno));
        rc = -EIO;
        goto done;
    }
    if (file->len > RULES_FILE_MAX) {
        errs_add(errs, file->path, 1, "file is larger than %d bytes", RULES_FILE_MAX);
        rc = -E2BIG;
        goto done;
    }
    char *shrunk = realloc(file->text, file->len + 1);
    if (shrunk)
        file->text = shrunk;
    file->text[file->len] = '\0';
    if (!EVP_Digest(file->text, file->len, file->sha256, NULL, EVP_sha256(), NULL))
        rc = -ENOMEM;
done:
    fclose(in);
    return rc;
}

/* Reads every regular, non-hidden file of dir and its subdirectories (one
 * level), sorted by relative path. */

/* Files an editor leaves beside the one being edited (backups, swap and
 * lock files) are not part of the rule set: saving in vim or emacs must
 * not change the version or load a half-written copy. */
static bool editor_leftover(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '#' || (n > 0 && name[n - 1] == '~') ||
           (n > 4 && (strcmp(name + n - 4, ".swp") == 0 || strcmp(name + n - 4, ".swx") == 0 ||
                      strcmp(name + n - 4, ".tmp") == 0));
}

static int files_load(dn_ruleset *rs, dn_rule_errors *errs)
{
    const char *subdirs[RULES_MAX_FILES];
    int n_subdirs = 1, rc = 0;
    char full[1024];

    rs->files = calloc(RULES_MAX_FILES, sizeof *rs->files);
    if (!rs->files)
        return -ENOMEM;
    subdirs[0] = "";
    char *names = NULL;         /* subdirectory names, NUL-separated */
    size_t names_used = 0;
    names = malloc(RULES_MAX_FILES * 64);
    if (!names) {
        rc = -ENOMEM;
        goto done;
    }
    for (int d = 0; d < n_subdirs; d++) {
        snprintf(full, sizeof full, "%s%s%s", rs->dir, subdirs[d][0] ? "/" : "", subdirs[d]);
        DIR *dir = opendir(full);
        if (!dir) {
            errs_add(errs, subdirs[d][0] ? subdirs[d] : rs->dir, 1, "cannot open directory: %s",
                     strerror(errno));
            rc = -ENOENT;
            goto done;
        }
        struct dirent *entry;
        while ((entry = readdir(dir))) {
            struct stat st;
            char rel[256];
            if (entry->d_name[0] == '.' || editor_leftover(entry->d_name))
                continue;
            if (snprintf(rel, sizeof rel, "%s%s%s", subdirs[d], subdirs[d][0] ? "/" : "",
                         entry->d_name) >= (int)sizeof rel)
                continue;
            snprintf(full, sizeof full, "%s/%s", rs->dir, rel);
            if (stat(full, &st) < 0)
                continue;
            if (S_ISDIR(st.st_mode) && d == 0 && n_subdirs < RULES_MAX_FILES &&
                strlen(rel) < 64) {
                memcpy(names + names_used, rel, strlen(rel) + 1);
                subdirs[n_subdirs++] = names + names_used;
                names_used += 64;
            } else if (S_ISREG(st.st_mode)) {
                if (rs->n_files == RULES_MAX_FILES) {
                    errs_add(errs, rel, 1, "too many files (at most %d)", RULES_MAX_FILES);
                    rc = -E2BIG;
                    break;
                }
                rules_file *file = &rs->files[rs->n_files++];
                dn_strlcpy(file->path, rel, sizeof file->path);
                int read_rc = file_read(full, file, errs);
                if (read_rc < 0 && rc == 0)
                    rc = read_rc;
            }
        }
        closedir(dir);
        if (rc < 0)
            goto done;
    }
    qsort(rs->files, (size_t)rs->n_files, sizeof *rs->files, file_compare);
done:
    free(names);
    return rc;
}

/* Version: SHA-256 over, per file in path order, the path, a NUL, the
 * length in decimal, a NUL and the content; the first 16 hex digits. */
static int version_compute(dn_ruleset *rs)
{
    unsigned char digest[32];
    char length[24];
    int rc = -ENOMEM;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        goto done;
    for (int i = 0; i < rs->n_files; i++) {
        int n = snprintf(length, sizeof length, "%zu", rs->files[i].len);
        if (!EVP_DigestUpdate(ctx, rs->files[i].path, strlen(rs->files[i].path) + 1) ||
            !EVP_DigestUpdate(ctx, length, (size_t)n + 1) ||
            !EVP_DigestUpdate(ctx, rs->files[i].text, rs->files[i].len))
            goto done;
    }
    if (!EVP_DigestFinal_ex(ctx, digest, NULL))
        goto done;
    for (int i = 0; i < 8; i++)
        snprintf(rs->version + 2 * i, 3, "%02x", digest[i]);
    rc = 0;
done:
    EVP_MD_CTX_free(ctx);
    return rc;
}

static const rules_file *file_find(const dn_ruleset *rs, const char *path)
{
    for (int i = 0; i < rs->n_files; i++)
        if (strcmp(rs->files[i].path, path) == 0)
            return &rs->files[i];
    return NULL;
}

static bool path_is_lua(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".lua") == 0;
}

/* ---- names compared by address ---- */

/* The fields of a decide() result the engine reads. */
typedef enum result_field {
    RESULT_ACTION, RESULT_REASON, RESULT_DAY, RESULT_CHANNEL, RESULT_TEMPLATE, RESULT_TONE,
    RESULT_VOICE, RESULT_LANGUAGE, RESULT_FALLBACK, RESULT_HOURS, RESULT_TRANSLITERATE,
    RESULT_PURPOSE, RESULT_DEBT, RESULT_COUNT, RESULT_NONE = -1
} result_field;

static const char *const result_names[RESULT_COUNT + 1] = {
    "action", "reason", "day", "channel", "template", "tone", "voice", "language", "fallback",
    "hours", "transliterate", "purpose", "debt", NULL,
};

typedef enum result_action { ACTION_WAIT, ACTION_NONE, ACTION_CONTACT } result_action;
static const char *const action_names[] = { "wait", "none", "contact", NULL };

/* Where each list starts in rules_runtime.names. */
enum {
    NAMES_RESULT = 0,
    NAMES_CHANNEL = NAMES_RESULT + RESULT_COUNT,
    NAMES_TONE = NAMES_CHANNEL + 7,
    NAMES_PERSONA = NAMES_TONE + 5,
    NAMES_ACTION = NAMES_PERSONA + 4,
    NAMES_COUNT = NAMES_ACTION + 3
};
_Static_assert(NAMES_COUNT <= RULES_NAMES, "rules_runtime.names is too small");
_Static_assert(sizeof channel_names / sizeof channel_names[0] - 1 == NAMES_TONE - NAMES_CHANNEL &&
               sizeof tone_names / sizeof tone_names[0] - 1 == NAMES_PERSONA - NAMES_TONE &&
               sizeof persona_names / sizeof persona_names[0] - 1 == NAMES_ACTION - NAMES_PERSONA &&
               sizeof action_names / sizeof action_names[0] - 1 == NAMES_COUNT - NAMES_ACTION,
               "the NAMES_ offsets follow the lists");

static const struct {
    int first;
    const char *const *list;
} name_lists[] = {
    { NAMES_RESULT, result_names }, { NAMES_CHANNEL, channel_names },
    { NAMES_TONE, tone_names },     { NAMES_PERSONA, persona_names },
    { NAMES_ACTION, action_names },
};

/* Makes the Lua strings of rt->names and the table that keeps them alive
 * (protected code: allocates). */
static void names_intern(lua_State *L, rules_runtime *rt)
{
    lua_createtable(L, NAMES_COUNT, 0);
    for (size_t l = 0; l < sizeof name_lists / sizeof name_lists[0]; l++) {
        for (int i = 0; name_lists[l].list[i]; i++) {
            int at = name_lists[l].first + i;
            rt->names[at] = lua_pushstring(L, name_lists[l].list[i]);
            lua_rawseti(L, -2, at + 1);
        }
    }
    rt->names_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The position of the Lua string s (len bytes) among the count names of
 * rt->names from first, or -1. A name the rules return is Lua's one copy
 * of that short string, so it is found by its address; anything else is
 * compared by content, so the answer never depends on how Lua stores
 * strings. */
static int name_index(const rules_runtime *rt, int first, int count, const char *s, size_t len)
{
    for (int i = 0; i < count; i++)
        if (rt->names[first + i] == s)
            return i;
    for (int i = 0; i < count; i++)
        if (strlen(rt->names[first + i]) == len && memcmp(rt->names[first + i], s, len) == 0)
            return i;
    return -1;
}

/* ---- compiling: running the files into a runtime ---- */

typedef struct compile_job {
    dn_ruleset     *rs;
    rules_runtime  *rt;
    dn_rule_errors *errs;
    bool            bad[RULES_MAX_FILES];   /* did not compile */
} compile_job;

/* Pushes raw t[key] (no metamethods). */
static int raw_field(lua_State *L, int t, const char *key)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    return lua_rawget(L, t);
}

/* Runs file `path` and leaves its result on the stack (nil on failure,
 * with the problem recorded). */
static bool run_file(lua_State *L, compile_job *job, const char *path)
{
    const rules_file *file = file_find(job->rs, path);
    dn_err err;

    if (!file || job->bad[file - job->rs->files]) {
        lua_pushnil(L);
        return false;
    }
    sandbox_load(L, file->path, file->text, file->len);
    if (sandbox_pcall(L, job->rt->sandbox, 0, 1, &err) < 0) {
        errs_add_failure(job->errs, path, &err);
        lua_pushnil(L);
        return false;
    }
    return true;
}

/* Copies a string field; returns false (recording why) if it is not a
 * string or too long. Absent is fine unless required. */
static bool get_text(lua_State *L, int t, const char *key, char *out, size_t size, bool required,
                     compile_job *job, const char *file, int line, const char *what)
{
    int type = raw_field(L, t, key);
    bool ok = true;
    out[0] = '\0';
    if (type == LUA_TSTRING) {
        if (!dn_strlcpy(out, lua_tostring(L, -1), size)) {
            errs_add(job->errs, file, line, "%s '%s' is too long (at most %zu bytes)", what, key,
                     size - 1);
            ok = false;
        }
    } else if (type != LUA_TNIL || required) {
        errs_add(job->errs, file, line, "%s '%s' must be %s", what, key,
                 type == LUA_TNIL ? "given (a string)" : "a string");
        ok = false;
    }
    lua_pop(L, 1);
    return ok;
}

static bool token_valid(const char *s)
{
    if (!s[0])
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

static int function_line(lua_State *L, int idx)
{
    lua_Debug ar;
    lua_pushvalue(L, idx);
    if (!lua_getinfo(L, ">S", &ar))
        return 1;
    return ar.linedefined > 0 ? ar.linedefined : 1;
}

/* Template text lookup in the templates table of one language (index
 * lang): 0 found (text or {body} left on the stack), -ENOENT no such
 * template (nothing pushed), -ESRCH no text for channel/tone. */
static int template_lookup(lua_State *L, int lang, const char *name, const char *channel,
                           const char *tone)
{
    if (raw_field(L, lang, name) != LUA_TTABLE) {
        lua_pop(L, 1);
        return -ENOENT;
    }
    if (raw_field(L, -1, channel) != LUA_TTABLE) {
        lua_pop(L, 2);
        return -ESRCH;
    }
    int type = raw_field(L, -1, tone);
    if (type != LUA_TSTRING && type != LUA_TTABLE) {
        lua_pop(L, 3);
        return -ESRCH;
    }
    lua_remove(L, -2);
    lua_remove(L, -2);
    return 0;
}

typedef struct variable_check {
    compile_job *job;
    const rules_file *file;
    const char *label;
} variable_check;

static int variable_known(void *arg, const char *name)
{
    variable_check *check = arg;
    if (!name_in(name, template_variables)) {
        char needle[80];
        snprintf(needle, sizeof needle, "{%s}", name);
        errs_add(check->job->errs, check->file->path,
                 rules_text_line(check->file->text, check->file->len, needle),
                 "unknown variable {%s} in %s", name, check->label);
    }
    return 0;
}

static void check_text(lua_State *L, int idx, compile_job *job, const rules_file *file,
                       const char *label)
{
    variable_check check = { job, file, label };
    dn_err err;
    if (lua_type(L, idx) != LUA_TSTRING) {
        errs_add(job->errs, file->path, rules_text_line(file->text, file->len, label),
                 "%s must be a string", label);
        return;
    }
    const char *text = lua_tostring(L, idx);
    if (tmpl_each_variable(text, variable_known, &check, &err) < 0)
        errs_add(job->errs, file->path, rules_text_line(file->text, file->len, text),
                 "%s: %s", label, err.msg);
}

/* _opt_out is the value of {opt_out}, inserted as written (values are
 * never expanded again): a brace in it would reach the customer as a
 * brace, so it holds plain text only. */
static void check_opt_out(lua_State *L, int idx, compile_job *job, const rules_file *file)
{
    int line = rules_text_line(file->text, file->len, "_opt_out");
    if (lua_type(L, idx) != LUA_TSTRING) {
        errs_add(job->errs, file->path, line, "_opt_out must be a string");
        return;
    }
    const char *brace = strpbrk(lua_tostring(L, idx), "{}");
    if (brace)
        errs_add(job->errs, file->path, line,
                 "_opt_out is inserted into texts as written: it cannot hold '%c' "
                 "(no {variables} in it)", *brace);
}

/* Validates templates/LANG.lua (the table at idx): template -> channel ->
 * tone -> text or {subject, body}, every variable known. */
static void check_templates(lua_State *L, int idx, compile_job *job, const rules_file *file)
{
    char label[160];
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            errs_add(job->errs, file->path, 1, "template names must be strings");
            lua_pop(L, 1);
            continue;
        }
        const char *name = lua_tostring(L, -2);
        int line = rules_text_line(file->text, file->len, name);
        if (strcmp(name, "_opt_out") == 0) {
            check_opt_out(L, lua_gettop(L), job, file);
            lua_pop(L, 1);
            continue;
        }
        if (lua_type(L, -1) != LUA_TTABLE) {
            errs_add(job->errs, file->path, line, "template '%s' must be a table of channels",
                     name);
            lua_pop(L, 1);
            continue;
        }
        int channels = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, channels)) {
            const char *channel = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
            if (!name_in(channel, channel_names) || lua_type(L, -1) != LUA_TTABLE) {
                errs_add(job->errs, file->path, line,
                         "template '%s': '%s' is not a channel with a table of tones", name,
                         channel);
                lua_pop(L, 1);
                continue;
            }
            int tones = lua_gettop(L);
            lua_pushnil(L);
            while (lua_next(L, tones)) {
                const char *tone = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
                snprintf(label, sizeof label, "%s.%s.%s", name, channel, tone);
                if (!name_in(tone, tone_names)) {
                    errs_add(job->errs, file->path, line, "template '%s': unknown tone '%s'",
                             name, tone);
                } else if (lua_type(L, -1) == LUA_TTABLE) {
                    int text = lua_gettop(L);
                    raw_field(L, text, "body");
                    check_text(L, -1, job, file, label);
                    lua_pop(L, 1);
                    if (raw_field(L, text, "subject") != LUA_TNIL)
                        check_text(L, -1, job, file, label);
                    else if (strcmp(channel, "email") == 0)
                        errs_add(job->errs, file->path, line, "%s has no subject", label);
                    lua_pop(L, 1);
                } else {
                    if (strcmp(channel, "email") == 0)
                        errs_add(job->errs, file->path, line,
                                 "%s must be {subject = ..., body = ...}", label);
                    else
                        check_text(L, lua_gettop(L), job, file, label);
                }
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* Reads {from = "HH:MM", to = "HH:MM"} at field "hours" of t. */
static void get_hours(lua_State *L, int t, int *from, int *to, compile_job *job,
                      const char *file, int line)
{
    *from = *to = -1;
    int type = raw_field(L, t, "hours");
    if (type == LUA_TTABLE) {
        int h = lua_gettop(L);
        char text[8];
        for (int k = 0; k < 2; k++) {
            const char *key = k == 0 ? "from" : "to";
            int *minutes = k == 0 ? from : to;
            if (get_text(L, h, key, text, sizeof text, true, job, file, line, "hours") &&
                (*minutes = rules_parse_hhmm(text)) < 0)
                errs_add(job->errs, file, line, "hours.%s '%s' is not a time \"HH:MM\"", key,
                         text);
        }
    } else if (type != LUA_TNIL) {
        errs_add(job->errs, file, line, "hours must be {from = \"HH:MM\", to = \"HH:MM\"}");
    }
    lua_pop(L, 1);
}

/* The position of lang in the rule set's languages, or -1. */
static int language_index(const rules_runtime *rt, const char *lang)
{
    for (int i = 0; i < rt->n_languages; i++)
        if (strcmp(rt->languages[i], lang) == 0)
            return i;
    return -1;
}

static bool language_listed(const rules_runtime *rt, const char *lang)
{
    return language_index(rt, lang) >= 0;
}

/* Appends ", item" (or "item" first) to a list text; a list that no longer
 * fits ends in "…". */
static void list_add(char *list, size_t size, const char *item)
{
    size_t used = strlen(list);
    int w = snprintf(list + used, size - used, "%s%s", used ? ", " : "", item);
    if (w < 0 || (size_t)w >= size - used)
        snprintf(list + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "…");
}

/* Checks that the step's template exists, with a text for (channel, tone)
 * for its channel and every fallback, in every language the step can use;
 * templates table (lang -> table) at index templates. Each problem is
 * reported once per step, naming every language it concerns: a template
 * missing from two languages is one error, not one per language and
 * channel. */
static void check_step_texts(lua_State *L, int templates, compile_job *job,
                             const rules_step *step, const char *file)
{
    rules_runtime *rt = job->rt;
    const char *channels[1 + sizeof step->fallback / sizeof step->fallback[0]];
    char unknown_in[RULES_MAX_LANGUAGES * 32] = "";
    char missing_in[sizeof channels / sizeof channels[0]][RULES_MAX_LANGUAGES * 32];
    char where[40], uses[120] = "";
    int n_channels = 0;

    channels[n_channels++] = step->channel;
    for (int i = 0; i < step->n_fallback; i++)
        channels[n_channels++] = step->fallback[i];
    for (int k = 0; k < n_channels; k++)
        missing_in[k][0] = '\0';
    for (int i = 0; i < rt->n_languages; i++) {
        const char *lang = rt->languages[i];
        if (step->language[0] && strcmp(step->language, lang) != 0)
            continue;
        if (raw_field(L, templates, lang) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;                   /* a missing language file is reported once */
        }
        snprintf(where, sizeof where, "templates/%s.lua", lang);
        for (int k = 0; k < n_channels; k++) {
            int rc = template_lookup(L, lua_gettop(L), step->template_name, channels[k],
                                     step->tone);
            if (rc == -ENOENT) {
                list_add(unknown_in, sizeof unknown_in, where);
                break;                  /* no such template: no channel has a text */
            }
            if (rc == -ESRCH)
                list_add(missing_in[k], sizeof missing_in[k], where);
            else
                lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    if (unknown_in[0]) {
        snprintf(uses, sizeof uses, "channel %s", step->channel);
        for (int i = 0; i < step->n_fallback; i++) {
            size_t used = strlen(uses);
            snprintf(uses + used, sizeof uses - used, "%s%s", i ? ", " : ", fallback ",
                     step->fallback[i]);
        }
        errs_add(job->errs, file, step->line, "unknown template '%s' (%s; not in %s)",
                 step->template_name, uses, unknown_in);
    }
    for (int k = 0; k < n_channels; k++)
        if (missing_in[k][0])
            errs_add(job->errs, file, step->line, "template '%s' has no %s/%s text in %s",
                     step->template_name, channels[k], step->tone, missing_in[k]);
}

/* Validates one step (table at idx) into step. */
static void compile_step(lua_State *L, int idx, compile_job *job, rules_step *step,
                         const char *file, int templates)
{
    dn_rule_errors *errs = job->errs;
    int line = step->line;
    char language[16];

    step->when_ref = LUA_NOREF;
    step->hours_from = step->hours_to = -1;
    if (lua_type(L, idx) != LUA_TTABLE) {
        errs_add(errs, file, line, "step %d must be a table", step->index);
        return;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING || !name_in(lua_tostring(L, -2), step_fields))
            errs_add(errs, file, line, "step %d: unknown field '%s'", step->index,
                     lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "(not a name)");
        lua_pop(L, 1);
    }
    if (raw_field(L, idx, "day") != LUA_TNUMBER || !lua_isinteger(L, -1))
        errs_add(errs, file, line, "step %d: day must be an integer", step->index);
    else if (lua_tointeger(L, -1) < -366 || lua_tointeger(L, -1) > 3660)
        errs_add(errs, file, line, "step %d: day %lld is out of range", step->index,
                 (long long)lua_tointeger(L, -1));
    else
        step->day = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    bool channel_ok = get_text(L, idx, "channel", step->channel, sizeof step->channel, true,
                               job, file, line, "step field");
    if (channel_ok && !name_in(step->channel, channel_names)) {
        errs_add(errs, file, line, "unknown channel '%s' (sms, email, voice, chat, letter, crm, agent)",
                 step->channel);
        channel_ok = false;
    }
    bool template_ok = get_text(L, idx, "template", step->template_name,
                                sizeof step->template_name, true, job, file, line, "step field");
    bool tone_ok = get_text(L, idx, "tone", step->tone, sizeof step->tone, true, job, file, line,
                            "step field");
    if (tone_ok && !name_in(step->tone, tone_names)) {
        errs_add(errs, file, line, "unknown tone '%s' (friendly, neutral, firm, urgent, gentle)",
                 step->tone);
        tone_ok = false;
    }
    get_text(L, idx, "voice", step->voice, sizeof step->voice, false, job, file, line,
             "step field");
    if (get_text(L, idx, "language", language, sizeof language, false, job, file, line,
                 "step field") && language[0]) {
        if (!language_listed(job->rt, language))
            errs_add(errs, file, line, "step language '%s' is not in rules.lua languages",
                     language);
        else
            dn_strlcpy(step->language, language, sizeof step->language);
    }
    get_hours(L, idx, &step->hours_from, &step->hours_to, job, file, line);
    int type = raw_field(L, idx, "transliterate");
    if (type == LUA_TBOOLEAN)
        step->transliterate = lua_toboolean(L, -1);
    else if (type != LUA_TNIL)
        errs_add(errs, file, line, "step %d: transliterate must be true or false", step->index);
    lua_pop(L, 1);
    step->purpose = step->day < 0 ? DN_PURPOSE_PREVENTION : DN_PURPOSE_REMINDER;
    type = raw_field(L, idx, "purpose");
    if (type != LUA_TNIL && (type != LUA_TSTRING ||
                             dn_purpose_parse(lua_tostring(L, -1), &step->purpose) < 0 ||
                             step->purpose == DN_PURPOSE_OPTOUT_CONFIRM))
        errs_add(errs, file, line,
                 "step %d: purpose must be prevention, reminder, notice, formal or escalation",
                 step->index);
    lua_pop(L, 1);
    type = raw_field(L, idx, "fallback");
    if (type == LUA_TTABLE) {
        int list = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        if (n > 4)
            errs_add(errs, file, line, "step %d: at most 4 fallback channels", step->index);
        for (lua_Integer i = 1; i <= n && i <= 4; i++) {
            lua_rawgeti(L, list, i);
            const char *channel = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (!name_in(channel, channel_names))
                errs_add(errs, file, line, "unknown fallback channel '%s'", channel);
            else
                dn_strlcpy(step->fallback[step->n_fallback++], channel, sizeof step->fallback[0]);
            lua_pop(L, 1);
        }
    } else if (type != LUA_TNIL) {
        errs_add(errs, file, line, "step %d: fallback must be a list of channels", step->index);
    }
    lua_pop(L, 1);
    type = raw_field(L, idx, "when");
    if (type == LUA_TFUNCTION)
        step->when_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    else {
        if (type != LUA_TNIL)
            errs_add(errs, file, line, "step %d: when must be a function", step->index);
        lua_pop(L, 1);
    }
    if (channel_ok && template_ok && tone_ok)
        check_step_texts(L, templates, job, step, file);
}

static void compile_segment(lua_State *L, compile_job *job, rules_segment *seg, int templates)
{
    dn_rule_errors *errs = job->errs;
    const rules_file *file = file_find(job->rs, seg->file);
    char describe[256];
    int lines[RULES_MAX_STEPS], ladder_line = 0;

    seg->decide_ref = LUA_NOREF;
    if (!run_file(L, job, seg->file)) {
        lua_pop(L, 1);
        return;
    }
    int t = lua_gettop(L);
    if (lua_type(L, t) != LUA_TTABLE) {
        errs_add(errs, seg->file, 1, "must return a table {describe, hours, ladder, decide}");
        lua_pop(L, 1);
        return;
    }
    /* for the people reading the file: optional, but text when given */
    get_text(L, t, "describe", describe, sizeof describe, false, job, seg->file,
             rules_text_line(file->text, file->len, "describe"), "field");
    get_hours(L, t, &seg->hours_from, &seg->hours_to, job, seg->file,
              rules_text_line(file->text, file->len, "hours"));
    int type = raw_field(L, t, "decide");
    if (type == LUA_TFUNCTION) {
        snprintf(seg->decide_where, sizeof seg->decide_where, "%.100s:%d", seg->file,
                 function_line(L, -1));
        seg->decide_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
        if (type != LUA_TNIL)
            errs_add(errs, seg->file, rules_text_line(file->text, file->len, "decide"),
                     "decide must be a function");
        lua_pop(L, 1);
    }
    int found = rules_scan_list_lines(file->text, file->len, "ladder", &ladder_line, lines,
                                      RULES_MAX_STEPS);
    snprintf(seg->ladder_where, sizeof seg->ladder_where, "%.100s:%d", seg->file,
             ladder_line ? ladder_line : 1);
    if (raw_field(L, t, "ladder") != LUA_TTABLE) {
        errs_add(errs, seg->file, ladder_line ? ladder_line : 1,
                 "ladder must be a list of steps");
        lua_pop(L, 2);
        return;
    }
    int ladder = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, ladder);
    if (n > RULES_MAX_STEPS) {
        errs_add(errs, seg->file, ladder_line, "more than %d steps", RULES_MAX_STEPS);
        n = RULES_MAX_STEPS;
    }
    if (n > 0) {
        seg->steps = calloc((size_t)n, sizeof *seg->steps);
        seg->order = calloc((size_t)n, sizeof *seg->order);
        if (!seg->steps || !seg->order)
            luaL_error(L, "out of memory");
    }
    seg->n_steps = (int)n;
    for (int k = 0; k < seg->n_steps; k++) {
        rules_step *step = &seg->steps[k];
        step->index = k + 1;
        step->line = found == seg->n_steps ? lines[k] : (ladder_line ? ladder_line : 1);
        snprintf(step->where, sizeof step->where, "%.100s:%d", seg->file, step->line);
        lua_rawgeti(L, ladder, k + 1);
        compile_step(L, lua_gettop(L), job, step, seg->file, templates);
        lua_pop(L, 1);
    }
    /* order: by day descending, file order within a day (insertion sort) */
    for (int k = 0; k < seg->n_steps; k++) {
        int j = k;
        while (j > 0 && seg->steps[seg->order[j - 1]].day < seg->steps[k].day) {
            seg->order[j] = seg->order[j - 1];
            j--;
        }
        seg->order[j] = k;
    }
    lua_pop(L, 2);
}

/* A pay link is rendered for every message that mentions {pay_link}, with
 * {customer_id} (URL-encoded) its only variable: anything else would fail
 * each of those messages at send time, so it is refused at load. */
typedef struct link_check {
    compile_job *job;
    int          line;
} link_check;

static int link_variable_known(void *arg, const char *name)
{
    link_check *check = arg;
    if (strcmp(name, "customer_id") != 0)
        errs_add(check->job->errs, "rules.lua", check->line,
                 "company.pay_link may contain only {customer_id}, not {%s}", name);
    return 0;
}

static void check_pay_link(const char *link, compile_job *job, int line)
{
    link_check check = { job, line };
    dn_err err;
    if (tmpl_each_variable(link, link_variable_known, &check, &err) < 0)
        errs_add(job->errs, "rules.lua", line, "company.pay_link: %s", err.msg);
}

static void compile_settings(lua_State *L, compile_job *job, int t, const rules_file *file)
{
    rules_runtime *rt = job->rt;
    dn_rule_errors *errs = job->errs;
    int line;

    line = rules_text_line(file->text, file->len, "languages");
    if (raw_field(L, t, "languages") == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        if (n == 0 || n > RULES_MAX_LANGUAGES)
            errs_add(errs, "rules.lua", line, "languages must list 1 to %d languages",
                     RULES_MAX_LANGUAGES);
        for (lua_Integer i = 1; i <= n && i <= RULES_MAX_LANGUAGES; i++) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) != LUA_TSTRING || !token_valid(lua_tostring(L, -1)) ||
                !dn_strlcpy(rt->languages[rt->n_languages], lua_tostring(L, -1), DN_LANG_MAX))
                errs_add(errs, "rules.lua", line, "language %d is not a language code", (int)i);
            else
                rt->n_languages++;
            lua_pop(L, 1);
        }
    } else {
        errs_add(errs, "rules.lua", line, "languages must be a list such as { \"lv\", \"en\" }");
    }
    lua_pop(L, 1);
    line = rules_text_line(file->text, file->len, "default_language");
    if (get_text(L, t, "default_language", rt->default_language, sizeof rt->default_language, true,
                 job, "rules.lua", line, "setting") &&
        !language_listed(rt, rt->default_language))
        errs_add(errs, "rules.lua", line, "default_language '%s' is not in languages",
                 rt->default_language);
    line = rules_text_line(file->text, file->len, "company");
    if (raw_field(L, t, "company") == LUA_TTABLE) {
        get_text(L, lua_gettop(L), "name", rt->company_name, sizeof rt->company_name, true, job,
                 "rules.lua", line, "company field");
        if (get_text(L, lua_gettop(L), "pay_link", rt->pay_link, sizeof rt->pay_link, false,
                     job, "rules.lua", line, "company field"))
            check_pay_link(rt->pay_link, job, rules_text_line(file->text, file->len, "pay_link"));
    } else {
        errs_add(errs, "rules.lua", line, "company must be { name = ..., pay_link = ... }");
    }
    lua_pop(L, 1);
}

static void compile_segment_list(lua_State *L, compile_job *job, int t, const rules_file *file)
{
    rules_runtime *rt = job->rt;
    int lines[RULES_MAX_SEGMENTS], list_line = 0;
    int found = rules_scan_list_lines(file->text, file->len, "segments", &list_line, lines,
                                      RULES_MAX_SEGMENTS);
    snprintf(rt->segments_where, sizeof rt->segments_where, "rules.lua:%d",
             list_line ? list_line : 1);
    if (raw_field(L, t, "segments") != LUA_TTABLE || lua_rawlen(L, -1) == 0) {
        errs_add(job->errs, "rules.lua", list_line ? list_line : 1,
                 "segments must be a non-empty list of { name = ..., match = function }");
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    if (n > RULES_MAX_SEGMENTS) {
        errs_add(job->errs, "rules.lua", list_line, "more than %d segments", RULES_MAX_SEGMENTS);
        n = RULES_MAX_SEGMENTS;
    }
    rt->segments = calloc((size_t)n, sizeof *rt->segments);
    if (!rt->segments)
        luaL_error(L, "out of memory");
    for (lua_Integer i = 1; i <= n; i++) {
        rules_segment *seg = &rt->segments[rt->n_segments];
        int line = found == n ? lines[i - 1] : (list_line ? list_line : 1);
        seg->match_ref = seg->decide_ref = LUA_NOREF;
        lua_rawgeti(L, list, i);
        int entry = lua_gettop(L);
        if (lua_type(L, entry) != LUA_TTABLE) {
            errs_add(job->errs, "rules.lua", line, "segment %d must be a table", (int)i);
            lua_pop(L, 1);
            continue;
        }
        if (!get_text(L, entry, "name", seg->name, sizeof seg->name, true, job, "rules.lua", line,
                      "segment field")) {
            lua_pop(L, 1);
            continue;
        }
        if (!token_valid(seg->name)) {
            errs_add(job->errs, "rules.lua", line, "segment name '%s' must be letters, digits, _",
                     seg->name);
            lua_pop(L, 1);
            continue;
        }
        for (int k = 0; k < rt->n_segments; k++)
            if (strcmp(rt->segments[k].name, seg->name) == 0)
                errs_add(job->errs, "rules.lua", line, "segment '%s' is listed twice", seg->name);
        if (raw_field(L, entry, "match") != LUA_TFUNCTION) {
            errs_add(job->errs, "rules.lua", line, "segment '%s' needs match = function(c)",
                     seg->name);
            lua_pop(L, 2);
            continue;
        }
        snprintf(seg->match_where, sizeof seg->match_where, "rules.lua:%d", function_line(L, -1));
        seg->match_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        snprintf(seg->file, sizeof seg->file, "segments/%s.lua", seg->name);
        seg->hours_from = seg->hours_to = -1;
        rt->n_segments++;
        if (!file_find(job->rs, seg->file))
            errs_add(job->errs, "rules.lua", line, "segment '%s' has no file %s", seg->name,
                     seg->file);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* Protected: runs and checks every file into job->rt. Problems go to
 * job->errs; only a memory or limit failure of the host part raises. */
static int compile_protected(lua_State *L)
{
    compile_job *job = lua_touserdata(L, 1);
    dn_ruleset *rs = job->rs;
    rules_runtime *rt = job->rt;

    lua_settop(L, 0);
    for (int i = 0; i < rs->n_files; i++) {
        const rules_file *file = &rs->files[i];
        if (!path_is_lua(file->path))
            continue;
        if (file->len >= 4 && memcmp(file->text, LUA_SIGNATURE, 4) == 0) {
            errs_add(job->errs, file->path, 1,
                     "precompiled binary chunk refused: rule files must be Lua source text");
            job->bad[i] = true;
            continue;
        }
        if (sandbox_load(L, file->path, file->text, file->len) != LUA_OK) {
            if (job->errs->n < (int)(sizeof job->errs->items / sizeof job->errs->items[0]))
                snprintf(job->errs->items[job->errs->n++], sizeof job->errs->items[0], "%s",
                         lua_tostring(L, -1));
            job->bad[i] = true;
        }
        lua_pop(L, 1);
    }
    if (!file_find(rs, "rules.lua"))
        errs_add(job->errs, "rules.lua", 1, "file is missing");
    if (!file_find(rs, "personas.lua"))
        errs_add(job->errs, "personas.lua", 1, "file is missing");

    /* rules.lua */
    if (!run_file(L, job, "rules.lua"))
        return 0;
    int settings = lua_gettop(L);
    const rules_file *rules_lua = file_find(rs, "rules.lua");
    if (lua_type(L, settings) != LUA_TTABLE) {
        errs_add(job->errs, "rules.lua", 1, "must return a table of settings");
        return 0;
    }
    compile_settings(L, job, settings, rules_lua);
    compile_segment_list(L, job, settings, rules_lua);

    /* personas.lua */
    if (run_file(L, job, "personas.lua")) {
        if (lua_type(L, -1) != LUA_TTABLE || raw_field(L, -1, "classify") != LUA_TFUNCTION) {
            errs_add(job->errs, "personas.lua", 1, "must return { classify = function(c) }");
        } else {
            snprintf(rt->classify_where, sizeof rt->classify_where, "personas.lua:%d",
                     function_line(L, -1));
            rt->classify_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        }
    }
    lua_settop(L, settings);

    /* templates/LANG.lua */
    lua_createtable(L, 0, rt->n_languages);
    int templates = lua_gettop(L);
    for (int i = 0; i < rt->n_languages; i++) {
        char path[64];
        snprintf(path, sizeof path, "templates/%s.lua", rt->languages[i]);
        const rules_file *file = file_find(rs, path);
        if (!file) {
            errs_add(job->errs, "rules.lua",
                     rules_text_line(rules_lua->text, rules_lua->len, "languages"),
                     "language '%s' has no file %s", rt->languages[i], path);
            continue;
        }
        if (!run_file(L, job, path)) {
            lua_pop(L, 1);
            continue;
        }
        if (lua_type(L, -1) != LUA_TTABLE) {
            errs_add(job->errs, path, 1, "must return a table of templates");
            lua_pop(L, 1);
            continue;
        }
        check_templates(L, lua_gettop(L), job, file);
        lua_pushvalue(L, -1);
        rt->language_templates_ref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_setfield(L, templates, rt->languages[i]);
    }

    for (int i = 0; i < rt->n_segments; i++)
        if (file_find(rs, rt->segments[i].file))
            compile_segment(L, job, &rt->segments[i], templates);

    lua_pushvalue(L, templates);
    rt->templates_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    names_intern(L, rt);
    lua_createtable(L, RULES_TEMPLATES_SEEN, 0);
    rt->templates_seen_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (job->errs->n == 0)
        sandbox_freeze(L);
    lua_settop(L, 0);
    return 0;
}

static void runtime_free(rules_runtime *rt)
{
    if (!rt)
        return;
    if (rt->L)
        sandbox_close(rt->L, rt->sandbox);
    for (int i = 0; i < rt->n_segments; i++) {
        free(rt->segments[i].steps);
        free(rt->segments[i].order);
    }
    free(rt->segments);
    free(rt->sandbox);
    free(rt);
}

/* Builds a runtime from rs->files; -EINVAL with errs filled, or -ENOMEM. */
static int runtime_build(dn_ruleset *rs, dn_rule_errors *errs, rules_runtime **out)
{
    compile_job *job = NULL;
    rules_runtime *rt = calloc(1, sizeof *rt);
    dn_err err;
    int rc = -ENOMEM;

    if (!rt)
        goto fail;
    rt->classify_ref = rt->templates_ref = rt->names_ref = rt->templates_seen_ref = LUA_NOREF;
    for (int i = 0; i < RULES_MAX_LANGUAGES; i++)
        rt->language_templates_ref[i] = LUA_NOREF;
    rt->sandbox = calloc(1, sizeof *rt->sandbox);
    job = calloc(1, sizeof *job);
    if (!rt->sandbox || !job)
        goto fail;
    rt->sandbox->cap = rules_limits.memory_bytes;
    rt->sandbox->budget = rules_limits.instructions;
    rt->sandbox->wall_ms = rules_limits.wall_ms;
    rt->L = sandbox_open(rt->sandbox);
    if (!rt->L || !lua_checkstack(rt->L, 8))
        goto fail;
    job->rs = rs;
    job->rt = rt;
    job->errs = errs;
    lua_pushcfunction(rt->L, compile_protected);
    lua_pushlightuserdata(rt->L, job);
    if (sandbox_pcall(rt->L, rt->sandbox, 1, 0, &err) < 0)
        errs_add_failure(errs, "rules.lua", &err);
    if (errs->n > 0) {
        rc = -EINVAL;
        goto fail;
    }
    free(job);
    *out = rt;
    return 0;
fail:
    if (rc == -ENOMEM)
        errs_add(errs, "rules.lua", 1, "out of memory while loading the rule set");
    free(job);
    runtime_free(rt);
    return rc;
}

/* Makes sure rs has a runtime, rebuilding it from its files if the last
 * one was discarded. */
static int runtime_ensure(dn_ruleset *rs)
{
    dn_rule_errors *errs;
    int rc;
    if (rs->runtime)
        return 0;
    errs = calloc(1, sizeof *errs);
    if (!errs)
        return -ENOMEM;
    rc = runtime_build(rs, errs, &rs->runtime);
    if (rc < 0)
        dn_log(DN_LOG_ERROR, "rules", "cannot rebuild rule set %s: %s", rs->version,
               errs->n ? errs->items[0] : "unknown error");
    free(errs);
    return rc;
}

/* After a timeout or out-of-memory the state may be inconsistent: drop it;
 * the next call rebuilds it from the in-memory files. */
static void runtime_discard(dn_ruleset *rs)
{
    dn_log(DN_LOG_WARN, "rules", "rule set %s: rebuilding the Lua state after a limit", rs->version);
    runtime_free(rs->runtime);
    rs->runtime = NULL;
    runtime_ensure(rs);
}

/* ---- public: load, refcount, files ---- */

int rules_load(const char *dir, dn_ruleset **out, dn_rule_errors *errs)
{
    dn_ruleset *rs = calloc(1, sizeof *rs);
    int rc = -ENOMEM;

    errs->n = 0;
    if (!rs)
        goto fail;
    rs->refcount = 1;
    if (!dn_strlcpy(rs->dir, dir, sizeof rs->dir)) {
        errs_add(errs, dir, 1, "directory name is too long");
        rc = -EINVAL;
        goto fail;
    }
    rc = files_load(rs, errs);
    if (rc < 0)
        goto fail;
    rc = version_compute(rs);
    if (rc < 0)
        goto fail;
    rc = runtime_build(rs, errs, &rs->runtime);
    if (rc < 0)
        goto fail;
    dn_log(DN_LOG_INFO, "rules", "loaded %s: version %s, %d files, %d segments", dir, rs->version,
           rs->n_files, rs->runtime->n_segments);
    *out = rs;
    return 0;
fail:
    if (errs->n == 0)
        errs_add(errs, dir, 1, "cannot load the rule set: %s", strerror(-rc));
    if (rs) {
        files_free(rs->files, rs->n_files);
        free(rs);
    }
    return rc == -ENOMEM ? -ENOMEM : -EINVAL;
}

void rules_retain(dn_ruleset *rs)
{
    rs->refcount++;
}

void rules_release(dn_ruleset *rs)
{
    if (!rs || --rs->refcount > 0)
        return;
    runtime_free(rs->runtime);
    files_free(rs->files, rs->n_files);
    free(rs);
}

const char *rules_version(const dn_ruleset *rs) { return rs->version; }
const char *rules_dir(const dn_ruleset *rs) { return rs->dir; }

json_t *rules_files_json(const dn_ruleset *rs)
{
    json_t *list = json_array();
    if (!list)
        return NULL;
    for (int i = 0; i < rs->n_files; i++) {
        char hex[65];
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", rs->files[i].sha256[k]);
        if (json_array_append_new(list, json_pack("{s:s, s:s}", "file", rs->files[i].path,
                                                  "sha256", hex)) < 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* ---- deciding ---- */

/* A batch being decided: facts[i] into outs[i], next the customer being
 * decided (the one an error out of the protected call belongs to). */
typedef struct decide_job {
    rules_runtime  *rt;
    const dn_facts *facts;
    dn_decision    *outs;
    int             n, next;
    dn_time         now;
    const char     *version;
    rules_view      view;     /* of facts[next] */
    dn_decision    *out;      /* outs + next */
    bool            zone_known;   /* zone is facts_zone() of a customer in zone_name */
    char            zone_name[DN_TZ_MAX];
    const dn_tz    *zone;
    int             language;     /* rt->languages[language]: facts[next]'s contacts' */
} decide_job;

/* The language of job->view's customer's contacts when the step names
 * none: theirs if the rule set has it, else the default (which it has). */
static int customer_language(const decide_job *job)
{
    const char *own = job->view.facts->customer.language;
    int i = own[0] ? language_index(job->rt, own) : -1;
    return i >= 0 ? i : language_index(job->rt, job->rt->default_language);
}

/* The language a contact of the step is in (step_language "" or NULL: it
 * names none). */
static const char *contact_language(const decide_job *job, const char *step_language)
{
    if (step_language && step_language[0])
        return step_language;
    return job->rt->languages[job->language];
}

/* Bounded text built piece by piece, for the reasons written on every
 * decision (snprintf cost a tenth of a decision). Truncates like snprintf:
 * out always ends with a NUL. */
typedef struct text_builder {
    char  *out;
    size_t size, len;
} text_builder;

static void text_begin(text_builder *b, char *out, size_t size)
{
    b->out = out;
    b->size = size;
    b->len = 0;
    out[0] = '\0';
}

/* Appends at most max bytes of s. */
static void text_add_max(text_builder *b, const char *s, size_t max)
{
    size_t room = b->size - 1 - b->len;
    size_t n = strnlen(s, max < room ? max : room);
    memcpy(b->out + b->len, s, n);
    b->len += n;
    b->out[b->len] = '\0';
}

static void text_add(text_builder *b, const char *s)
{
    text_add_max(b, s, SIZE_MAX);
}

static void text_add_int(text_builder *b, long value)
{
    char digits[24];
    int i = (int)sizeof digits - 1;
    unsigned long magnitude = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        digits[--i] = '-';
    text_add(b, digits + i);
}

/* Fills a CONTACT decision from step. Fallbacks are listed, not applied:
 * the planner picks the first channel with an address (pass.c). */
static void fill_step(decide_job *job, const rules_segment *seg, const rules_step *step)
{
    dn_decision *out = job->out;
    const rules_view *view = &job->view;

    /* same sizes on both sides, NUL-terminated within: whole copies */
    _Static_assert(sizeof out->channel == sizeof step->channel &&
                   sizeof out->fallback == sizeof step->fallback &&
                   sizeof out->template_name == sizeof step->template_name &&
                   sizeof out->tone == sizeof step->tone &&
                   sizeof out->voice == sizeof step->voice &&
                   sizeof out->where == sizeof step->where, "rules_step and dn_decision differ");
    out->action = DN_ACT_CONTACT;
    out->step_day = step->day;
    out->step_index = step->index;
    memcpy(out->channel, step->channel, sizeof out->channel);
    memcpy(out->fallback, step->fallback, sizeof out->fallback);
    out->n_fallback = step->n_fallback;
    memcpy(out->template_name, step->template_name, sizeof out->template_name);
    memcpy(out->tone, step->tone, sizeof out->tone);
    memcpy(out->voice, step->voice, sizeof out->voice);
    dn_strlcpy(out->language, contact_language(job, step->language), sizeof out->language);
    out->hours_from = step->hours_from >= 0 ? step->hours_from : seg->hours_from;
    out->hours_to = step->hours_from >= 0 ? step->hours_to : seg->hours_to;
    out->transliterate = step->transliterate;
    out->purpose = step->purpose;
    /* "prevention" is what comes before the due date; a message to a
     * customer already overdue is a reminder in law whatever the rule calls
     * it (the guard counts reminders: a label must not dodge that) */
    if (out->purpose == DN_PURPOSE_PREVENTION && view->has_days && view->days_overdue > 0)
        out->purpose = DN_PURPOSE_REMINDER;
    memcpy(out->where, step->where, sizeof out->where);
}

/* After the last step, how long until an idle customer is looked at again
 * (payments, replies and agent actions make them due at once anyway). */
#define RULES_IDLE_RECHECK_DAYS 7

/* The ladder (docs/rules-guide.md, "How the ladder picks a step"). */
static void decide_ladder(lua_State *L, decide_job *job, const rules_segment *seg, int c, int ctx)
{
    rules_sandbox *sb = job->rt->sandbox;
    const rules_view *view = &job->view;
    dn_decision *out = job->out;
    int stage = view->facts->stage_day;
    bool any_candidate = false;

    out->action = DN_ACT_WAIT;
    dn_strlcpy(out->where, seg->ladder_where, sizeof out->where);
    if (!view->has_days) {
        snprintf(out->reason, sizeof out->reason,
                 "no unpaid invoice has a due date: no ladder step");
        return;
    }
    for (int k = 0; k < seg->n_steps; k++) {
        const rules_step *step = &seg->steps[seg->order[k]];
        if (step->day > view->days_overdue)
            continue;
        if (stage != INT32_MIN && step->day <= stage)
            break;
        any_candidate = true;
        if (step->when_ref != LUA_NOREF) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, step->when_ref);
            lua_pushvalue(L, c);
            lua_pushvalue(L, ctx);
            sandbox_call(L, sb, 2, 1, step->where);
            bool pass = lua_toboolean(L, -1);
            lua_pop(L, 1);
            if (!pass)
                continue;
        }
        fill_step(job, seg, step);
        text_builder why;
        text_begin(&why, out->reason, sizeof out->reason);
        text_add(&why, "day ");
        text_add_int(&why, view->days_overdue);
        text_add(&why, " overdue ≥ step ");
        text_add_int(&why, step->day);
        text_add(&why, " (");
        text_add(&why, step->template_name);
        text_add(&why, "); stage before: ");
        if (stage == INT32_MIN)
            text_add(&why, "none");
        else
            text_add_int(&why, stage);
        return;
    }
    int next = INT32_MAX;
    for (int k = 0; k < seg->n_steps; k++) {
        int day = seg->steps[k].day;
        if (day > view->days_overdue && (stage == INT32_MIN || day > stage) && day < next)
            next = day;
    }
    /* a condition that failed today may pass tomorrow: only a ladder
     * with nothing eligible may sleep until its next step */
    if (next != INT32_MAX) {
        snprintf(out->reason, sizeof out->reason, "%snext step day %d in %d days",
                 any_candidate ? "no step's condition passed; " : "", next,
                 next - view->days_overdue);
        out->wait_days = any_candidate ? 0 : next - view->days_overdue;
    } else {
        snprintf(out->reason, sizeof out->reason, "%sno further step in the ladder (day %d)",
                 any_candidate ? "no step's condition passed; " : "", view->days_overdue);
        out->wait_days = any_candidate ? 0 : RULES_IDLE_RECHECK_DAYS;
    }
}

static const char *result_text(lua_State *L, int t, const char *key, char *out, size_t size)
{
    int type = lua_getfield(L, t, key);
    out[0] = '\0';
    if (type == LUA_TSTRING)
        dn_strlcpy(out, lua_tostring(L, -1), size);
    else if (type != LUA_TNIL)
        luaL_error(L, "decide() result field '%s' must be a string", key);
    lua_pop(L, 1);
    return out;
}

/* Where the fields of a decide() result are on the stack (0: nil). */
typedef struct result_fields {
    int      r;                  /* the result table */
    bool     lazy;               /* it has a metatable: read each field on first use */
    unsigned fetched;            /* lazy: bit per field already read */
    int      at[RESULT_COUNT];
} result_fields;

/* Finds the fields of the result table at r. A plain table is walked once
 * with lua_next, leaving the known fields on the stack (a result has a few
 * of the dozen); a table with a metatable is read field by field with its
 * metamethods, each on first use, in the order the engine checks them. */
static void result_collect(lua_State *L, const rules_runtime *rt, int r, result_fields *rf)
{
    luaL_checkstack(L, RESULT_COUNT + 4, "decide() result");
    memset(rf, 0, sizeof *rf);
    rf->r = r;
    if (lua_getmetatable(L, r)) {
        lua_pop(L, 1);
        rf->lazy = true;
        return;
    }
    lua_pushnil(L);
    while (lua_next(L, r)) {
        size_t n = 0;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &n) : NULL;
        int field = key ? name_index(rt, NAMES_RESULT, RESULT_COUNT, key, n) : RESULT_NONE;
        if (field < 0) {
            lua_pop(L, 1);
        } else {
            rf->at[field] = lua_gettop(L);  /* keep the value; go on from a copy of the key */
            lua_pushvalue(L, -2);
        }
    }
}

/* The stack index of a field of the result, 0 when it is nil. */
static int result_at(lua_State *L, result_fields *rf, result_field field)
{
    if (rf->lazy && !(rf->fetched & (1u << field))) {
        rf->fetched |= 1u << field;
        if (lua_getfield(L, rf->r, result_names[field]) == LUA_TNIL)
            lua_pop(L, 1);
        else
            rf->at[field] = lua_gettop(L);
    }
    return rf->at[field];
}

static int result_type(lua_State *L, result_fields *rf, result_field field)
{
    int at = result_at(L, rf, field);
    return at ? lua_type(L, at) : LUA_TNIL;
}

/* The string field of a result (valid while the result is on the stack)
 * and its length in *len (if not NULL), or NULL when it is nil; raises
 * when it is something else. */
static const char *result_string(lua_State *L, result_fields *rf, result_field field,
                                 size_t *len)
{
    int type = result_type(L, rf, field);
    if (type == LUA_TSTRING)
        return lua_tolstring(L, rf->at[field], len);
    if (type != LUA_TNIL)
        luaL_error(L, "decide() result field '%s' must be a string", result_names[field]);
    return NULL;
}

/* Copies the string field of a result into out ("" when nil); returns
 * false when it did not fit (out holds the truncated text). */
static bool result_text_at(lua_State *L, result_fields *rf, result_field field, char *out,
                           size_t size)
{
    const char *text = result_string(L, rf, field, NULL);
    out[0] = '\0';
    return !text || dn_strlcpy(out, text, size);
}

/* The position of the name the result gives in field among the count
 * names of rt->names from first; raises "decide() returned unknown what
 * '...'" when it is another string or nil. */
static int result_name(lua_State *L, const rules_runtime *rt, result_fields *rf,
                       result_field field, int first, int count, const char *what)
{
    size_t len = 0;
    const char *text = result_string(L, rf, field, &len);
    int i = text ? name_index(rt, first, count, text, len) : -1;
    if (i < 0)
        luaL_error(L, "decide() returned unknown %s '%s'", what, text ? text : "");
    return i;
}

/* template_lookup with the three names given as Lua strings at stack
 * indexes (no interning of C strings). */
static int template_lookup_keys(lua_State *L, int lang, int name, int channel, int tone)
{
    lua_pushvalue(L, name);
    if (lua_rawget(L, lang) != LUA_TTABLE) {
        lua_pop(L, 1);
        return -ENOENT;
    }
    lua_pushvalue(L, channel);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 2);
        return -ESRCH;
    }
    lua_pushvalue(L, tone);
    int type = lua_rawget(L, -2);
    if (type != LUA_TSTRING && type != LUA_TTABLE) {
        lua_pop(L, 3);
        return -ESRCH;
    }
    lua_remove(L, -2);
    lua_remove(L, -2);
    return 0;
}

static unsigned template_seen_slot(const char *name, int lang, int channel, int tone)
{
    uintptr_t h = ((uintptr_t)name >> 4) * 31u + (unsigned)(lang * 64 + channel * 8 + tone);
    return (unsigned)(h ^ h >> 8) & (RULES_TEMPLATES_SEEN - 1);
}

/* Was the template name (a Lua string) found before for this language,
 * channel and tone? */
static bool template_seen(const rules_runtime *rt, const char *name, int lang, int channel,
                          int tone)
{
    unsigned slot = template_seen_slot(name, lang, channel, tone);
    return rt->templates_seen[slot].name == name && rt->templates_seen[slot].language == lang &&
           rt->templates_seen[slot].channel == channel && rt->templates_seen[slot].tone == tone;
}

/* Remembers that the template name at stack index idx was found for this
 * language, channel and tone (protected code: allocates). */
static void template_remember(lua_State *L, rules_runtime *rt, int idx, int lang, int channel,
                              int tone)
{
    const char *name = lua_tostring(L, idx);
    unsigned slot = template_seen_slot(name, lang, channel, tone);
    lua_rawgeti(L, LUA_REGISTRYINDEX, rt->templates_seen_ref);
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (lua_Integer)slot + 1);      /* keeps name alive, frees the last one */
    lua_pop(L, 1);
    rt->templates_seen[slot].name = name;
    rt->templates_seen[slot].language = (unsigned char)lang;
    rt->templates_seen[slot].channel = (unsigned char)channel;
    rt->templates_seen[slot].tone = (unsigned char)tone;
}

/* Interprets what decide() returned (a table at r). The names it must
 * return (action, channel, tone) are found among rt->names, mostly by
 * address; the template is checked in the templates of the language the
 * contact will be in. */
static void decide_result(lua_State *L, decide_job *job, const rules_segment *seg, int r)
{
    rules_runtime *rt = job->rt;
    dn_decision *out = job->out;
    result_fields rf;
    int top = lua_gettop(L);
    rules_step step;
    text_builder why;

    rt->sandbox->entry_where = seg->decide_where;
    result_collect(L, rt, r, &rf);
    size_t action_len = 0;
    const char *action = result_string(L, &rf, RESULT_ACTION, &action_len);
    int kind = action && action[0] ? name_index(rt, NAMES_ACTION, 3, action, action_len)
                                   : ACTION_CONTACT;
    if (kind == ACTION_WAIT || kind == ACTION_NONE) {
        out->action = kind == ACTION_WAIT ? DN_ACT_WAIT : DN_ACT_NONE;
        const char *reason = result_string(L, &rf, RESULT_REASON, NULL);
        text_begin(&why, out->reason, sizeof out->reason);
        text_add(&why, "decide: ");
        text_add_max(&why, reason && reason[0] ? reason : action_names[kind], 300);
        memcpy(out->where, seg->decide_where, sizeof out->where);
        lua_settop(L, top);
        return;
    }
    if (kind < 0)
        luaL_error(L, "decide() returned unknown action '%s' (wait, none, contact)", action);
    memset(&step, 0, sizeof step);
    step.hours_from = step.hours_to = -1;
    step.when_ref = LUA_NOREF;
    int day = result_at(L, &rf, RESULT_DAY);
    if (!day)
        step.day = job->view.has_days ? job->view.days_overdue : 0;
    else if (!lua_isinteger(L, day) || lua_tointeger(L, day) < -366 ||
             lua_tointeger(L, day) > 3660)
        luaL_error(L, "decide() result: day must be an integer");
    else
        step.day = (int)lua_tointeger(L, day);
    int channel = result_name(L, rt, &rf, RESULT_CHANNEL, NAMES_CHANNEL, NAMES_TONE - NAMES_CHANNEL,
                              "channel");
    bool whole = result_text_at(L, &rf, RESULT_TEMPLATE, step.template_name,
                                sizeof step.template_name);
    int tone = result_name(L, rt, &rf, RESULT_TONE, NAMES_TONE, NAMES_PERSONA - NAMES_TONE, "tone");
    dn_strlcpy(step.channel, channel_names[channel], sizeof step.channel);
    dn_strlcpy(step.tone, tone_names[tone], sizeof step.tone);
    result_text_at(L, &rf, RESULT_VOICE, step.voice, sizeof step.voice);
    result_text_at(L, &rf, RESULT_LANGUAGE, step.language, sizeof step.language);
    if (step.language[0] && !language_listed(rt, step.language))
        luaL_error(L, "decide() returned language '%s', not in languages", step.language);
    if (result_type(L, &rf, RESULT_FALLBACK) == LUA_TTABLE) {
        for (lua_Integer i = 1; i <= 4; i++) {
            bool text = lua_geti(L, rf.at[RESULT_FALLBACK], i) == LUA_TSTRING;
            if (text && !name_in(lua_tostring(L, -1), channel_names))
                luaL_error(L, "decide() returned unknown fallback channel");
            if (text)
                dn_strlcpy(step.fallback[step.n_fallback++], lua_tostring(L, -1),
                           sizeof step.fallback[0]);
            lua_pop(L, 1);
            if (!text)
                break;
        }
    }
    if (result_type(L, &rf, RESULT_HOURS) == LUA_TTABLE) {
        char from[8], to[8];
        result_text(L, rf.at[RESULT_HOURS], "from", from, sizeof from);
        result_text(L, rf.at[RESULT_HOURS], "to", to, sizeof to);
        step.hours_from = rules_parse_hhmm(from);
        step.hours_to = rules_parse_hhmm(to);
        if (step.hours_from < 0 || step.hours_to < 0)
            luaL_error(L, "decide() result: hours must be {from = \"HH:MM\", to = \"HH:MM\"}");
    }
    int transliterate = result_at(L, &rf, RESULT_TRANSLITERATE);
    step.transliterate = transliterate && lua_toboolean(L, transliterate);
    step.purpose = step.day < 0 ? DN_PURPOSE_PREVENTION : DN_PURPOSE_REMINDER;
    const char *purpose = result_string(L, &rf, RESULT_PURPOSE, NULL);
    if (purpose && purpose[0] && (dn_purpose_parse(purpose, &step.purpose) < 0 ||
                                  step.purpose == DN_PURPOSE_OPTOUT_CONFIRM))
        luaL_error(L, "decide() returned unknown purpose '%s'", purpose);

    /* the template must exist for the language the contact will be in */
    int lang = step.language[0] ? language_index(rt, step.language) : job->language;
    const char *language = rt->languages[lang];
    int name = whole ? rf.at[RESULT_TEMPLATE] : 0;     /* the Lua string, if it is all there */
    if (!name || !template_seen(rt, lua_tostring(L, name), lang, channel, tone)) {
        int rc = -ENOENT;
        if (lang >= 0 &&
            lua_rawgeti(L, LUA_REGISTRYINDEX, rt->language_templates_ref[lang]) == LUA_TTABLE)
            rc = name ? template_lookup_keys(L, lua_gettop(L), name, rf.at[RESULT_CHANNEL],
                                             rf.at[RESULT_TONE])
                      : template_lookup(L, lua_gettop(L), step.template_name, step.channel,
                                        step.tone);
        if (rc < 0)
            luaL_error(L, "decide() returned template '%s' with no %s/%s text in "
                          "templates/%s.lua", step.template_name, step.channel, step.tone,
                       language);
        if (name)
            template_remember(L, rt, name, lang, channel, tone);
    }
    _Static_assert(sizeof out->debt_ref == DN_ID_MAX, "debt references are ids");
    result_text_at(L, &rf, RESULT_DEBT, out->debt_ref, sizeof out->debt_ref);
    lua_settop(L, top);
    memcpy(step.where, seg->decide_where, sizeof step.where);
    fill_step(job, seg, &step);
    text_begin(&why, out->reason, sizeof out->reason);
    text_add(&why, "decide: day ");
    text_add_int(&why, step.day);
    text_add(&why, ", template ");
    text_add(&why, step.template_name);
}

/* Clears job->out and derives job->view for facts[next]; returns false
 * when the customer is decided without the rules (nothing owed). */
static bool decide_begin(decide_job *job)
{
    dn_decision *out = job->out = &job->outs[job->next];

    memset(out, 0, sizeof *out);
    out->hours_from = out->hours_to = -1;
    memcpy(out->ruleset_version, job->version, sizeof out->ruleset_version);
    const dn_facts *f = &job->facts[job->next];
    /* customers of a batch mostly share a zone: look it up when it changes */
    if (!job->zone_known || strcmp(job->zone_name, f->customer.timezone) != 0) {
        memcpy(job->zone_name, f->customer.timezone, sizeof job->zone_name);
        job->zone = facts_zone(f);
        job->zone_known = true;
    }
    facts_view_init(&job->view, f, job->zone, job->now, job->version);
    if (job->view.open_unpaid > 0)
        return true;
    /* no rule runs for it: the decision names the pseudo-segment */
    out->action = DN_ACT_NONE;
    memcpy(out->segment, DN_SEGMENT_NOTHING_OWED, sizeof DN_SEGMENT_NOTHING_OWED);
    dn_strlcpy(out->reason, "nothing owed: no open invoice has anything unpaid",
               sizeof out->reason);
    return false;
}

/* Classify, segment, decide() or the ladder for job->view; data, tables,
 * c and ctx are the stack indexes of facts_push's values. */
static void decide_one(lua_State *L, decide_job *job, int data, int tables, int c, int ctx)
{
    rules_runtime *rt = job->rt;
    rules_sandbox *sb = rt->sandbox;
    dn_decision *out = job->out;
    const rules_segment *seg = NULL;

    job->language = customer_language(job);
    facts_select(L, sb, &job->view, data, tables);
    lua_rawgeti(L, LUA_REGISTRYINDEX, rt->classify_ref);
    lua_pushvalue(L, c);
    lua_pushvalue(L, ctx);
    sandbox_call(L, sb, 2, 1, rt->classify_where);
    size_t len = 0;
    int persona = lua_type(L, -1) == LUA_TSTRING
                      ? name_index(rt, NAMES_PERSONA, NAMES_ACTION - NAMES_PERSONA,
                                   lua_tolstring(L, -1, &len), len)
                      : -1;
    if (persona < 0)
        luaL_error(L, "classify() must return \"friendly\", \"businessman\", \"invisible\" or "
                      "\"fighter\", not %s",
                   lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
    dn_strlcpy(out->persona, persona_names[persona], sizeof out->persona);
    facts_set_persona(L, sb, &job->view, data, lua_gettop(L));
    lua_pop(L, 1);

    for (int i = 0; i < rt->n_segments && !seg; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, rt->segments[i].match_ref);
        lua_pushvalue(L, c);
        lua_pushvalue(L, ctx);
        sandbox_call(L, sb, 2, 1, rt->segments[i].match_where);
        if (lua_toboolean(L, -1))
            seg = &rt->segments[i];
        lua_pop(L, 1);
    }
    if (!seg) {
        sb->entry_where = rt->segments_where;
        luaL_error(L, "no segment matched (the last segment should match everyone)");
    }
    memcpy(out->segment, seg->name, sizeof out->segment);

    if (seg->decide_ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, seg->decide_ref);
        lua_pushvalue(L, c);
        lua_pushvalue(L, ctx);
        sandbox_call(L, sb, 2, 1, seg->decide_where);
        int type = lua_type(L, -1);
        if (type == LUA_TTABLE) {
            decide_result(L, job, seg, lua_gettop(L));
            return;
        }
        if (type != LUA_TNIL) {
            sb->entry_where = seg->decide_where;
            luaL_error(L, "decide() must return nil or a table, not %s", luaL_typename(L, -1));
        }
        lua_pop(L, 1);
    }
    decide_ladder(L, job, seg, c, ctx);
}

/* Protected: decides facts[next..n-1] in turn. An error ends the call with
 * job->next at the customer it belongs to. */
static int decide_protected(lua_State *L)
{
    decide_job *job = lua_touserdata(L, 1);
    rules_sandbox *sb = job->rt->sandbox;

    facts_push(L, sb);                    /* 2 data, 3 "persona", 4 tables, 5 c, 6 ctx */
    for (; job->next < job->n; job->next++) {
        if (!decide_begin(job))
            continue;
        sb->entry_where = NULL;
        decide_one(L, job, 2, 4, 5, 6);
        lua_settop(L, 6);
    }
    return 0;
}

/* Turns job->out into an ERROR decision with reason. */
static void decide_fail(decide_job *job, const char *reason, const char *where)
{
    job->out->action = DN_ACT_ERROR;
    dn_strlcpy(job->out->reason, reason, sizeof job->out->reason);
    dn_strlcpy(job->out->where, where ? where : "", sizeof job->out->where);
}

int rules_decide_batch(dn_ruleset *rs, const dn_facts *facts, int n, dn_time now,
                       dn_decision *out)
{
    decide_job job = { .facts = facts, .outs = out, .n = n, .now = now,
                       .version = rs->version };
    dn_err err;

    /* whole copies of NUL-terminated names in decide_begin and decide_one */
    _Static_assert(sizeof rs->version == sizeof out->ruleset_version &&
                   sizeof rs->runtime->segments->name == sizeof out->segment,
                   "names and decisions differ");

    while (job.next < n) {
        const char *failure = runtime_ensure(rs) < 0 ? "the rule set could not be rebuilt"
                              : !lua_checkstack(rs->runtime->L, 8) ? "out of Lua stack"
                                                                   : NULL;
        if (failure) {
            for (; job.next < n; job.next++)
                if (decide_begin(&job))
                    decide_fail(&job, failure, NULL);
            break;
        }
        job.rt = rs->runtime;
        lua_State *L = job.rt->L;
        int top = lua_gettop(L);
        lua_pushcfunction(L, decide_protected);
        lua_pushlightuserdata(L, &job);
        int rc = sandbox_pcall(L, job.rt->sandbox, 1, 0, &err);
        job.rt->sandbox->facts_view = NULL;
        assert(lua_gettop(L) == top);   /* the protected path leaves the stack as it found it */
        (void)top;
        if (rc == 0)
            break;
        /* an error before facts[next] began (the call itself out of memory)
         * is that customer's too, unless they are decided without rules */
        if (job.out != &out[job.next] && !decide_begin(&job)) {
            job.next++;
            continue;
        }
        decide_fail(&job, err.msg, err.field);
        if (rc == -ETIMEDOUT || rc == -ENOMEM)
            runtime_discard(rs);
        job.next++;
    }
    return 0;
}

int rules_decide(dn_ruleset *rs, const dn_facts *f, dn_time now, dn_decision *out)
{
    return rules_decide_batch(rs, f, 1, now, out);
}

/* ---- rendering ---- */

typedef struct render_vars {
    const rules_runtime *rt;
    const rules_view    *view;
    const dn_decision   *decision;
    const char          *opt_out;
    int                  owed;       /* invoice the message is about, -1 if none */
    bool                 url;        /* pay_link expansion: encode values */
} render_vars;

static int render_lookup(void *arg, const char *name, char *out, size_t size)
{
    render_vars *v = arg;
    const dn_facts *f = v->view->facts;
    const dn_fact_invoice *inv = v->owed >= 0 ? &f->invoices[v->owed] : NULL;
    const char *lang = v->decision->language;

    out[0] = '\0';
    if (v->url) {
        if (strcmp(name, "customer_id") != 0)
            return -ENOENT;
        size_t used = 0;
        for (const unsigned char *p = (const unsigned char *)f->customer.external_id; *p; p++) {
            bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                         (*p >= '0' && *p <= '9') || strchr("-._~", *p);
            if (used + 4 > size)
                return -E2BIG;
            used += (size_t)snprintf(out + used, size - used, plain ? "%c" : "%%%02X", *p);
        }
        return 0;
    }
    if (strcmp(name, "name") == 0)
        snprintf(out, size, "%s", f->customer.name);
    else if (strcmp(name, "first_name") == 0)
        snprintf(out, size, "%.*s", (int)strcspn(f->customer.name, " "), f->customer.name);
    else if (strcmp(name, "amount") == 0) {
        if (inv && money_format(inv->amount_minor - inv->paid_minor, inv->currency, lang, out,
                                size) < 0)
            return -EINVAL;
    } else if (strcmp(name, "amount_minor") == 0) {
        if (inv)
            snprintf(out, size, "%lld", (long long)(inv->amount_minor - inv->paid_minor));
    } else if (strcmp(name, "currency") == 0) {
        if (inv)
            snprintf(out, size, "%s", inv->currency);
    } else if (strcmp(name, "due_date") == 0) {
        if (inv && inv->due != DN_NO_DATE && date_format_local(inv->due, lang, out, size) < 0)
            return -EINVAL;
    } else if (strcmp(name, "days_overdue") == 0) {
        if (v->view->has_days)
            snprintf(out, size, "%d", v->view->days_overdue);
    } else if (strcmp(name, "company") == 0)
        snprintf(out, size, "%s", v->rt->company_name);
    else if (strcmp(name, "pay_link") == 0) {
        render_vars url = *v;
        char *link = NULL;
        url.url = true;
        if (tmpl_render(v->rt->pay_link, render_lookup, &url, &link, NULL) < 0)
            return -EINVAL;
        bool fits = dn_strlcpy(out, link, size);
        free(link);
        if (!fits)
            return -E2BIG;
    } else if (strcmp(name, "customer_id") == 0)
        snprintf(out, size, "%s", f->customer.external_id);
    else if (strcmp(name, "invoice_id") == 0) {
        if (inv)
            snprintf(out, size, "%s", inv->external_id);
    } else if (strcmp(name, "invoices_count") == 0)
        snprintf(out, size, "%d", v->view->open_unpaid);
    else if (strcmp(name, "opt_out") == 0)
        snprintf(out, size, "%s", v->opt_out ? v->opt_out : "");
    else
        return -ENOENT;
    return 0;
}

typedef struct render_job {
    const rules_runtime *rt;
    const dn_decision   *decision;
} render_job;

/* Protected: pushes subject (or nil), body and opt_out (or nil). */
static int render_protected(lua_State *L)
{
    render_job *job = lua_touserdata(L, 1);
    const dn_decision *d = job->decision;

    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, job->rt->templates_ref);
    if (raw_field(L, 1, d->language) != LUA_TTABLE)
        return luaL_error(L, "no templates for language '%s'", d->language);
    int lang = lua_gettop(L);
    if (template_lookup(L, lang, d->template_name, d->channel, d->tone) < 0)
        return luaL_error(L, "template '%s' has no %s/%s text in templates/%s.lua",
                          d->template_name, d->channel, d->tone, d->language);
    int text = lua_gettop(L);
    if (lua_type(L, text) == LUA_TTABLE) {
        raw_field(L, text, "subject");
        raw_field(L, text, "body");
    } else {
        lua_pushnil(L);
        lua_pushvalue(L, text);
    }
    raw_field(L, lang, "_opt_out");
    return 3;
}

int rules_render(dn_ruleset *rs, const dn_decision *d, const dn_facts *f, dn_time now,
                 char *subject, size_t subject_size, char **body, dn_err *err)
{
    render_job job;
    render_vars vars;
    rules_view view;
    char *text = NULL, *folded = NULL;
    int rc;

    *body = NULL;
    if (subject_size)
        subject[0] = '\0';
    if ((rc = runtime_ensure(rs)) < 0)
        return dn_err_set(err, rc, NULL, "the rule set could not be rebuilt");
    rules_runtime *rt = rs->runtime;
    lua_State *L = rt->L;
    if (!lua_checkstack(L, 8))
        return dn_err_set(err, -ENOMEM, NULL, "out of Lua stack");
    int top = lua_gettop(L);
    facts_view_init(&view, f, facts_zone(f), now, rs->version);
    job.rt = rt;
    job.decision = d;
    lua_pushcfunction(L, render_protected);
    lua_pushlightuserdata(L, &job);
    rc = sandbox_pcall(L, rt->sandbox, 1, 3, err);
    if (rc < 0)
        return rc;
    vars.rt = rt;
    vars.view = &view;
    vars.decision = d;
    vars.url = false;
    vars.opt_out = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    vars.owed = view.anchor;
    for (int i = 0; vars.owed < 0 && i < f->n_invoices && i < DN_FACT_INVOICES; i++)
        if (f->invoices[i].status == DN_INV_OPEN &&
            f->invoices[i].amount_minor > f->invoices[i].paid_minor)
            vars.owed = i;
    if (lua_type(L, -3) == LUA_TSTRING) {
        rc = tmpl_render(lua_tostring(L, -3), render_lookup, &vars, &text, err);
        if (rc < 0)
            goto done;
        if (!dn_strlcpy(subject, text, subject_size)) {
            rc = dn_err_set(err, -E2BIG, "subject", "the subject is longer than %zu bytes",
                            subject_size - 1);
            goto done;
        }
        free(text);
        text = NULL;
    }
    if (lua_type(L, -2) != LUA_TSTRING) {
        rc = dn_err_set(err, -EINVAL, d->template_name, "the template has no body");
        goto done;
    }
    rc = tmpl_render(lua_tostring(L, -2), render_lookup, &vars, &text, err);
    if (rc < 0)
        goto done;
    if (d->transliterate && strcmp(d->channel, "sms") == 0) {
        size_t size = strlen(text) * 4 + 16;
        folded = malloc(size);
        if (!folded) {
            rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
            goto done;
        }
        rc = sms_transliterate(text, folded, size);
        if (rc < 0) {
            dn_err_set(err, rc, d->template_name, "cannot transliterate the message");
            goto done;
        }
        free(text);
        text = folded;
        folded = NULL;
    }
    *body = text;
    text = NULL;
    rc = 0;
done:
    free(text);
    free(folded);
    lua_settop(L, top);
    return rc;
}

/* ---- rule tests ---- */

#define RULES_MAX_TESTS 500

typedef struct rule_test {
    char    name[160];
    int     line;
    dn_time now;
    dn_facts facts;
    char    expect[9][DN_TOKEN_MAX];   /* by expect_keys; "" = not compared */
    bool    has_day;
    int     day;
} rule_test;

static const char *const expect_keys[9] = { "action", "segment", "persona", "channel",
                                            "template", "tone", "language", "purpose", NULL };

typedef struct tests_job {
    dn_ruleset      *rs;
    const rules_file *file;
    rule_test       *tests;
    int              n;
    int              list_ref;
} tests_job;

/* Protected: runs a tests file and keeps its list (count in job->n). */
static int tests_load_protected(lua_State *L)
{
    tests_job *job = lua_touserdata(L, 1);
    rules_sandbox *sb = job->rs->runtime->sandbox;
    char where[RULES_WHERE_MAX];

    snprintf(where, sizeof where, "%.120s:1", job->file->path);
    if (sandbox_load(L, job->file->path, job->file->text, job->file->len) != LUA_OK)
        return lua_error(L);
    sandbox_call(L, sb, 0, 1, where);
    if (lua_type(L, -1) != LUA_TTABLE)
        return luaL_error(L, "%s must return a list of tests", job->file->path);
    lua_Unsigned n = lua_rawlen(L, -1);
    if (n > RULES_MAX_TESTS)
        return luaL_error(L, "%s has more than %d tests", job->file->path, RULES_MAX_TESTS);
    job->n = (int)n;
    job->list_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* Protected: converts the kept list into job->tests. */
static int tests_convert_protected(lua_State *L)
{
    tests_job *job = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, job->list_ref);
    int list = lua_gettop(L);
    for (int i = 0; i < job->n; i++) {
        rule_test *test = &job->tests[i];
        lua_rawgeti(L, list, i + 1);
        int t = lua_gettop(L);
        luaL_checktype(L, t, LUA_TTABLE);
        if (lua_getfield(L, t, "name") != LUA_TSTRING)
            return luaL_error(L, "test %d has no name", i + 1);
        dn_strlcpy(test->name, lua_tostring(L, -1), sizeof test->name);
        char quoted[200];
        snprintf(quoted, sizeof quoted, "\"%s\"", test->name);
        test->line = rules_text_line(job->file->text, job->file->len, quoted);
        lua_pop(L, 1);
        if (lua_getfield(L, t, "now") != LUA_TSTRING ||
            dn_time_parse(lua_tostring(L, -1), &test->now) < 0)
            return luaL_error(L, "test '%s': now must be \"YYYY-MM-DDTHH:MM:SSZ\"", test->name);
        lua_pop(L, 1);
        lua_getfield(L, t, "customer");
        facts_from_fixture(L, -1, &test->facts);
        lua_pop(L, 1);
        if (lua_getfield(L, t, "expect") != LUA_TTABLE)
            return luaL_error(L, "test '%s' has no expect table", test->name);
        int expect = lua_gettop(L);
        for (int k = 0; expect_keys[k]; k++) {
            if (lua_getfield(L, expect, expect_keys[k]) == LUA_TSTRING)
                dn_strlcpy(test->expect[k], lua_tostring(L, -1), sizeof test->expect[k]);
            lua_pop(L, 1);
        }
        if (lua_getfield(L, expect, "day") != LUA_TNIL) {
            if (!lua_isinteger(L, -1))
                return luaL_error(L, "test '%s': expect.day must be an integer", test->name);
            test->has_day = true;
            test->day = (int)lua_tointeger(L, -1);
        }
        lua_pop(L, 3);
    }
    return 0;
}

static const char *decision_value(const dn_decision *d, int k)
{
    switch (k) {
    case 0: return dn_action_names[d->action];
    case 1: return d->segment;
    case 2: return d->persona;
    case 3: return d->channel;
    case 4: return d->template_name;
    case 5: return d->tone;
    case 6: return d->language;
    default: return d->action == DN_ACT_CONTACT ? dn_purpose_names[d->purpose] : "";
    }
}

/* Reports one test: passed when every expected field matches and, for a
 * contact, its message renders (render_problem "" when it did). An error
 * decision names the rule's file:line, not only the test's. */
static void tests_report(const rule_test *test, const rules_file *file, const dn_decision *d,
                         const char *render_problem, FILE *report, int *passed, int *failed)
{
    char mismatch[768];
    size_t used = 0;
    mismatch[0] = '\0';
    for (int k = 0; expect_keys[k]; k++) {
        if (!test->expect[k][0] || strcmp(test->expect[k], decision_value(d, k)) == 0)
            continue;
        int w = snprintf(mismatch + used, sizeof mismatch - used, "%sexpected %s %s got %s",
                         used ? "; " : "", expect_keys[k], test->expect[k], decision_value(d, k));
        used = w < 0 ? used : used + (size_t)w >= sizeof mismatch ? sizeof mismatch - 1
                                                                   : used + (size_t)w;
    }
    if (test->has_day && test->day != d->step_day) {
        int w = snprintf(mismatch + used, sizeof mismatch - used, "%sexpected day %d got %d",
                         used ? "; " : "", test->day, d->step_day);
        used = w < 0 ? used : used + (size_t)w >= sizeof mismatch ? sizeof mismatch - 1
                                                                   : used + (size_t)w;
    }
    if (render_problem[0]) {
        int w = snprintf(mismatch + used, sizeof mismatch - used, "%s%s", used ? "; " : "",
                         render_problem);
        used = w < 0 ? used : used + (size_t)w >= sizeof mismatch ? sizeof mismatch - 1
                                                                   : used + (size_t)w;
    }
    if (!used) {
        (*passed)++;
        return;
    }
    (*failed)++;
    if (d->action == DN_ACT_ERROR)
        fprintf(report, "FAIL %s: %s (%s:%d) — error at %s: %s\n", test->name, mismatch,
                file->path, test->line, d->where[0] ? d->where : "(no position)", d->reason);
    else
        fprintf(report, "FAIL %s: %s (%s:%d)\n", test->name, mismatch, file->path, test->line);
}

/* What a test's contact decision would send must render with the fixture's
 * facts (a template the rules reach only through decide(), a pay link):
 * "" when it does, else why not, naming the decision's file:line. */
static void tests_render(dn_ruleset *rs, const rule_test *test, const dn_decision *d,
                         char *problem, size_t size)
{
    char subject[DN_NAME_MAX];
    char *body = NULL;
    dn_err err;
    problem[0] = '\0';
    if (d->action != DN_ACT_CONTACT)
        return;
    dn_err_clear(&err);
    if (rules_render(rs, d, &test->facts, test->now, subject, sizeof subject, &body, &err) < 0)
        snprintf(problem, size, "its %s/%s/%s/%s message cannot be rendered (%s): %s",
                 d->language, d->template_name, d->channel, d->tone, d->where, err.msg);
    free(body);
}

int rules_run_tests(dn_ruleset *rs, FILE *report, int *passed, int *failed)
{
    dn_err err;
    *passed = *failed = 0;
    for (int i = 0; i < rs->n_files; i++) {
        const rules_file *file = &rs->files[i];
        tests_job job = { rs, file, NULL, 0, LUA_NOREF };
        if (strncmp(file->path, "tests/", 6) != 0 || !path_is_lua(file->path))
            continue;
        if (runtime_ensure(rs) < 0) {
            fprintf(report, "FAIL %s: the rule set could not be rebuilt\n", file->path);
            (*failed)++;
            continue;
        }
        lua_State *L = rs->runtime->L;
        int top = lua_gettop(L);
        lua_pushcfunction(L, tests_load_protected);
        lua_pushlightuserdata(L, &job);
        int rc = sandbox_pcall(L, rs->runtime->sandbox, 1, 0, &err);
        if (rc == 0 && job.n > 0) {
            job.tests = calloc((size_t)job.n, sizeof *job.tests);
            if (!job.tests) {
                rc = dn_err_set(&err, -ENOMEM, file->path, "out of memory");
            } else {
                lua_pushcfunction(L, tests_convert_protected);
                lua_pushlightuserdata(L, &job);
                rc = sandbox_pcall(L, rs->runtime->sandbox, 1, 0, &err);
            }
        }
        if (job.list_ref != LUA_NOREF && rs->runtime)
            luaL_unref(L, LUA_REGISTRYINDEX, job.list_ref);
        lua_settop(L, top);
        if (rc < 0) {
            fprintf(report, "FAIL %s: %s%s%s\n", file->path, err.field[0] ? err.field : "",
                    err.field[0] ? ": " : "", err.msg);
            (*failed)++;
            free(job.tests);
            if (rc == -ETIMEDOUT || rc == -ENOMEM)
                runtime_discard(rs);
            continue;
        }
        for (int k = 0; k < job.n; k++) {
            dn_decision d;
            char render_problem[400];
            rules_decide(rs, &job.tests[k].facts, job.tests[k].now, &d);
            tests_render(rs, &job.tests[k], &d, render_problem, sizeof render_problem);
            tests_report(&job.tests[k], file, &d, render_problem, report, passed, failed);
        }
        free(job.tests);
    }
    fprintf(report, "%d passed, %d failed\n", *passed, *failed);
    return *failed ? -EINVAL : 0;
}
