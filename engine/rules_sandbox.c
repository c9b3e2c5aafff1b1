/*
 * rules_sandbox.c — the Lua sandbox the analysts' rules run in.
 *
 * What a rule can reach: the base functions minus every loader and
 * anything that touches the process (no dofile, loadfile, collectgarbage,
 * rawset, warn; print goes to the debug log; load compiles text only, in
 * the sandbox environment), string (without dump), table, math, utf8,
 * coroutine (threads created through it carry the same instruction hook),
 * os.time/date/clock, and the `dn` helpers. Library tables and the globals
 * are read-only proxies; reading an undefined global is an error; the
 * shared string metatable cannot be fetched.
 *
 * Limits: a capped allocator; an instruction budget and a wall-clock
 * deadline checked by a count hook. Once either is exceeded the hook fires
 * on every instruction and raises again, so a rule's own pcall, xpcall
 * handler or coroutine cannot swallow the error: control always returns to
 * the host, which rebuilds the state before the next customer.
 * Memory: the first growth past the cap is still granted (up to an eighth
 * more, SANDBOX_MEMORY_SLACK) and arms the hook for the next instruction,
 * which raises "memory limit exceeded" like a blown budget, so the error
 * names the rule line that allocated; growth past the slack is refused
 * (an ordinary Lua memory error, which carries no line: the error then
 * names the rule function called).
 * A single C call cannot be interrupted by the hook, so the one C call that
 * can run for long — a pattern match (find, match, gmatch, gsub) — is
 * refused up front when its worst case is too expensive: backtracking
 * costs up to n^(k+1) * m steps for a subject of n bytes and a pattern of m
 * bytes with k items that can scan the rest of the subject (*, +, -, ?,
 * %b, back-references), so a call whose estimate passes
 * SANDBOX_PATTERN_STEPS raises a Lua error naming the sizes.
 */
#include "rules-internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <lualib.h>

#include "money.h"
#include "sms.h"

#define SANDBOX_HOOK_STEP   1000            /* instructions between hook calls */
#define SANDBOX_MEMORY_SLACK 8              /* growth past the cap granted: cap / 8 */
#define SANDBOX_PATTERN_STEPS 5e7           /* worst-case steps one pattern call may take */
#define SANDBOX_JSON_ITEMS  10000           /* values in one dn.json argument */
#define SANDBOX_JSON_OUT    (1024 * 1024)   /* bytes of dn.json output */
#define SANDBOX_MONEY_MAX   INT64_C(1000000000000000)  /* 10^15 minor units */
#define SANDBOX_SAFE_NUMBER 9007199254740991.0         /* 2^53 - 1 */

static const char env_key = 'E';            /* registry: the environment proxy */
static const char *const json_guard_name = "dn.json.guard";

static void sandbox_hook(lua_State *L, lua_Debug *ar);

static rules_sandbox *sandbox_of(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}

/* The capped allocator. Shrinking and freeing always succeed; growth past
 * the cap is refused and remembered, so a rule that catches the memory
 * error still fails its call. */
static void *sandbox_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    rules_sandbox *sb = ud;
    size_t old = ptr ? old_size : 0;

    if (new_size == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (new_size > old && (new_size - old > sb->cap || sb->used + (new_size - old) > sb->cap)) {
        size_t slack = sb->cap / SANDBOX_MEMORY_SLACK;
        if (!sb->main || new_size - old > slack || sb->used + (new_size - old) > sb->cap + slack) {
            sb->out_of_memory = true;
            return NULL;
        }
        if (!sb->over_cap) {
            sb->over_cap = true;
            lua_sethook(sb->main, sandbox_hook, LUA_MASKCOUNT, 1);
        }
    }
    void *block = realloc(ptr, new_size);
    if (!block) {
        sb->out_of_memory = true;
        return NULL;
    }
    sb->used = sb->used - old + new_size;
    return block;
}

static int sandbox_panic(lua_State *L)
{
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    dn_log(DN_LOG_ERROR, "rules", "unprotected Lua error (a bug in the host): %s", msg);
    abort();
}

/* CLOCK_MONOTONIC_COARSE in nanoseconds: a few instructions (vDSO), and
 * fine enough for a deadline of milliseconds. */
static int64_t coarse_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Count hook: charges the instructions run since the last call, checks the
 * deadline, and once blown raises on every instruction. */
static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
    rules_sandbox *sb = sandbox_of(L);
    (void)ar;

    if (sb->over_cap && !sb->blown) {
        sb->blown = true;
        snprintf(sb->blown_msg, sizeof sb->blown_msg, "memory limit exceeded (%zu MiB)",
                 sb->cap / (1024 * 1024));
    }
    if (!sb->blown) {
        sb->spent += lua_gethookcount(L);
        if (sb->spent > sb->budget) {
            sb->blown = true;
            snprintf(sb->blown_msg, sizeof sb->blown_msg,
                     "instruction limit exceeded (%ld instructions)", sb->budget);
        } else {
            if (coarse_now_ns() >= sb->deadline_ns) {
                sb->blown = true;
                snprintf(sb->blown_msg, sizeof sb->blown_msg, "time limit exceeded (%d ms)",
                         sb->wall_ms);
            }
        }
        if (!sb->blown)
            return;
    }
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, sb->blown_msg);
    lua_error(L);
}

void sandbox_arm(lua_State *L, rules_sandbox *sb, const char *entry_where)
{
    long step = sb->budget < SANDBOX_HOOK_STEP ? (sb->budget > 0 ? sb->budget : 1)
                                                : SANDBOX_HOOK_STEP;

    sb->spent = 0;
    sb->blown = false;
    sb->entry_where = entry_where;
    sb->deadline_ns = coarse_now_ns() + (int64_t)sb->wall_ms * 1000000;
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, (int)step);
}

void sandbox_call(lua_State *L, rules_sandbox *sb, int nargs, int nresults,
                  const char *entry_where)
{
    sandbox_arm(L, sb, entry_where);
    lua_call(L, nargs, nresults);
    if (sb->blown) {
        lua_pushstring(L, sb->blown_msg);
        lua_error(L);
    }
    if (sb->out_of_memory) {
        lua_pushliteral(L, "memory limit exceeded");
        lua_error(L);
    }
}

/* Message handler of the host's protected calls: remembers the innermost
 * position in a rules file ("@" chunks) and returns a string message
 * without running any metamethod of the error object. */
static int sandbox_message_handler(lua_State *L)
{
    rules_sandbox *sb = sandbox_of(L);
    lua_Debug ar;

    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar))
            continue;
        if (ar.source && ar.source[0] == '@' && ar.currentline > 0) {
            snprintf(sb->where, sizeof sb->where, "%s:%d", ar.source + 1, ar.currentline);
            break;
        }
    }
    if (lua_type(L, 1) != LUA_TSTRING)
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    return 1;
}

int sandbox_pcall(lua_State *L, rules_sandbox *sb, int nargs, int nresults, dn_err *err)
{
    int handler = lua_gettop(L) - nargs;
    int status, code;
    const char *msg;
    char memory_msg[80];

    lua_pushcfunction(L, sandbox_message_handler);
    lua_insert(L, handler);
    sb->where[0] = '\0';
    sb->out_of_memory = false;
    sb->over_cap = false;
    sandbox_arm(L, sb, NULL);
    status = lua_pcall(L, nargs, nresults, handler);
    if (status == LUA_OK && !sb->blown && !sb->out_of_memory && !sb->over_cap) {
        lua_remove(L, handler);
        return 0;
    }
    if (status == LUA_ERRMEM || sb->out_of_memory || sb->over_cap) {
        snprintf(memory_msg, sizeof memory_msg, "memory limit exceeded (%zu MiB)",
                 sb->cap / (1024 * 1024));
        code = -ENOMEM;
        msg = memory_msg;
    } else if (sb->blown) {
        code = -ETIMEDOUT;
        msg = sb->blown_msg;
    } else if (status == LUA_ERRERR) {
        code = -EINVAL;
        msg = "error in error handling";
    } else {
        code = -EINVAL;
        msg = status != LUA_OK && lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                                 : "rule failed";
    }
    const char *where = sb->where[0] ? sb->where : sb->entry_where ? sb->entry_where : NULL;
    dn_err_set(err, code, where, "%s", msg);
    lua_settop(L, handler - 1);
    return code;
}

/* ---- read-only globals ---- */

static int sandbox_undefined_global(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "undefined global '%s'", lua_tostring(L, 2));
    return luaL_error(L, "undefined global (a %s key)", luaL_typename(L, 2));
}

/* __newindex of the environment proxy: stores into the real globals while
 * files load, refuses afterwards. */
static int sandbox_assign_global(lua_State *L)
{
    if (sandbox_of(L)->frozen) {
        if (lua_type(L, 2) == LUA_TSTRING)
            return luaL_error(L, "assignment to global '%s': globals are read-only",
                              lua_tostring(L, 2));
        return luaL_error(L, "assignment to a global: globals are read-only");
    }
    lua_settop(L, 3);
    lua_rawset(L, lua_upvalueindex(1));
    return 0;
}

static int sandbox_readonly(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "attempt to change read-only field '%s'", lua_tostring(L, 2));
    return luaL_error(L, "attempt to change a read-only table");
}

void sandbox_freeze(lua_State *L)
{
    sandbox_of(L)->frozen = true;
}

/* Replaces the table at the top with an empty proxy whose metatable reads
 * through to it and refuses writes. */
static void sandbox_make_proxy(lua_State *L)
{
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, sandbox_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

static void sandbox_set_env(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &env_key);
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
}

int sandbox_load(lua_State *L, const char *relpath, const char *text, size_t len)
{
    char chunkname[300];
    snprintf(chunkname, sizeof chunkname, "@%s", relpath);
    int status = luaL_loadbufferx(L, text, len, chunkname, "t");
    if (status == LUA_OK)
        sandbox_set_env(L);
    return status;
}

/* load(text [, name]) for rules: strings only, text mode, the sandbox
 * environment whatever is asked; the chunk name never starts with "@" so a
 * loaded chunk cannot pose as a rules file. */
static int sandbox_lua_load(lua_State *L)
{
    size_t len;
    char chunkname[80];

    if (lua_type(L, 1) != LUA_TSTRING) {
        lua_pushnil(L);
        lua_pushliteral(L, "load: only a text chunk given as a string is allowed");
        return 2;
    }
    const char *text = lua_tolstring(L, 1, &len);
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "load";
    while (*name == '=' || *name == '@')
        name++;
    snprintf(chunkname, sizeof chunkname, "=%s", name);
    if (luaL_loadbufferx(L, text, len, chunkname, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    sandbox_set_env(L);
    return 1;
}

static int sandbox_print(lua_State *L)
{
    char line[256];
    size_t used = 0;
    int n = lua_gettop(L);

    line[0] = '\0';
    for (int i = 1; i <= n && used + 1 < sizeof line; i++) {
        const char *text = lua_type(L, i) == LUA_TSTRING ? lua_tostring(L, i)
                                                         : luaL_typename(L, i);
        int w = snprintf(line + used, sizeof line - used, "%s%s", i > 1 ? "\t" : "", text);
        if (w < 0)
            break;
        used += (size_t)w < sizeof line - used ? (size_t)w : sizeof line - used - 1;
    }
    dn_log(DN_LOG_DEBUG, "rules", "print: %s", line);
    return 0;
}

static int sandbox_coroutine_create(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *thread = lua_newthread(L);
    lua_sethook(thread, sandbox_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
    lua_pushvalue(L, 1);
    lua_xmove(L, thread, 1);
    return 1;
}

/* coroutine.wrap built on the hooked create (Lua text, run once at setup). */
static const char coroutine_wrap_source[] =
    "local create, resume, error, pack, unpack = ...\n"
    "return function(f)\n"
    "  local co = create(f)\n"
    "  return function(...)\n"
    "    local r = pack(resume(co, ...))\n"
    "    if not r[1] then error(r[2], 0) end\n"
    "    return unpack(r, 2, r.n)\n"
    "  end\n"
    "end\n";

/* xpcall and setmetatable for rules (Lua text, run once at setup).
 * Lua calls a message handler, and __gc finalizers, with hooks disabled, so
 * a handler or finalizer that loops would escape the instruction budget:
 * here the handler runs after the protected call has returned, with the
 * hook active, and metatables with __gc are refused. */
static const char base_wrappers_source[] =
    "local pcall, pack, unpack, rawget, setmetatable, error, type = ...\n"
    "local function xpcall(f, handler, ...)\n"
    "  local r = pack(pcall(f, ...))\n"
    "  if r[1] then return unpack(r, 1, r.n) end\n"
    "  return false, handler(r[2])\n"
    "end\n"
    "local function safe_setmetatable(t, mt)\n"
    "  if type(mt) == 'table' and rawget(mt, '__gc') ~= nil then\n"
    "    error('__gc metamethods are not allowed in rules', 2)\n"
    "  end\n"
    "  return setmetatable(t, mt)\n"
    "end\n"
    "return xpcall, safe_setmetatable\n";

/* ---- dn helpers ---- */

static const char *helper_check_text(lua_State *L, int arg, const char *fn, size_t max, size_t *len)
{
    size_t n;
    if (lua_type(L, arg) != LUA_TSTRING)
        luaL_error(L, "dn.%s: argument %d must be a string, not %s", fn, arg,
                   luaL_typename(L, arg));
    const char *s = lua_tolstring(L, arg, &n);
    if (n > max)
        luaL_error(L, "dn.%s: argument %d is too long (%I bytes, at most %I)", fn, arg,
                   (lua_Integer)n, (lua_Integer)max);
    if (strlen(s) != n)
        luaL_error(L, "dn.%s: argument %d contains a NUL byte", fn, arg);
    if (len)
        *len = n;
    return s;
}

static int64_t helper_check_minor(lua_State *L, int arg, const char *fn)
{
    if (!lua_isinteger(L, arg)) {
        if (lua_type(L, arg) == LUA_TNUMBER) {
            lua_Number x = lua_tonumber(L, arg);
            luaL_error(L, "dn.%s: argument %d must be an integer number of minor units, not %s",
                       fn, arg, isnan(x) ? "NaN" : isinf(x) ? "infinity" : "a float");
        }
        luaL_error(L, "dn.%s: argument %d must be an integer number of minor units, not %s", fn,
                   arg, luaL_typename(L, arg));
    }
    lua_Integer v = lua_tointeger(L, arg);
    if (v < 0)
        luaL_error(L, "dn.%s: argument %d must not be negative", fn, arg);
    if (v > SANDBOX_MONEY_MAX)
        luaL_error(L, "dn.%s: argument %d is too large", fn, arg);
    return (int64_t)v;
}

static dn_date helper_check_date(lua_State *L, int arg, const char *fn)
{
    dn_date day;
    const char *s = helper_check_text(L, arg, fn, 16, NULL);
    if (dn_date_parse(s, &day) < 0)
        luaL_error(L, "dn.%s: argument %d is not a date \"YYYY-MM-DD\"", fn, arg);
    return day;
}

/* dn.money(minor, currency, lang) -> "12,50 €" */
static int helper_money(lua_State *L)
{
    char out[96];
    int64_t minor = helper_check_minor(L, 1, "money");
    const char *currency = helper_check_text(L, 2, "money", 3, NULL);
    const char *lang = helper_check_text(L, 3, "money", DN_LANG_MAX - 1, NULL);
    if (money_format(minor, currency, lang, out, sizeof out) < 0)
        return luaL_error(L, "dn.money: cannot format an amount in '%s'", currency);
    lua_pushstring(L, out);
    return 1;
}

/* dn.date("2026-03-31", lang) -> "31.03.2026." */
static int helper_date(lua_State *L)
{
    char out[64];
    dn_date day = helper_check_date(L, 1, "date");
    const char *lang = helper_check_text(L, 2, "date", DN_LANG_MAX - 1, NULL);
    if (date_format_local(day, lang, out, sizeof out) < 0)
        return luaL_error(L, "dn.date: cannot format the date for '%s'", lang);
    lua_pushstring(L, out);
    return 1;
}

/* dn.days_between(a, b) -> b - a in days */
static int helper_days_between(lua_State *L)
{
    dn_date a = helper_check_date(L, 1, "days_between");
    dn_date b = helper_check_date(L, 2, "days_between");
    lua_pushinteger(L, (lua_Integer)b - (lua_Integer)a);
    return 1;
}

/* dn.translit(text) -> GSM-7 text */
static int helper_translit(lua_State *L)
{
    size_t len;
    luaL_Buffer buffer;
    const char *text = helper_check_text(L, 1, "translit", RULES_TEXT_MAX, &len);
    size_t size = len * 4 + 16;
    char *out = luaL_buffinitsize(L, &buffer, size);
    if (sms_transliterate(text, out, size) < 0)
        return luaL_error(L, "dn.translit: the text cannot be transliterated (not UTF-8?)");
    luaL_pushresultsize(&buffer, strnlen(out, size));
    return 1;
}

/* dn.sms_info(text) -> {coding = "gsm7"|"ucs2", units, parts} */
static int helper_sms_info(lua_State *L)
{
    dn_sms_info info;
    const char *text = helper_check_text(L, 1, "sms_info", RULES_TEXT_MAX, NULL);
    if (sms_analyse(text, &info) < 0)
        return luaL_error(L, "dn.sms_info: the text is not valid UTF-8");
    lua_createtable(L, 0, 3);
    lua_pushstring(L, info.coding == DN_SMS_GSM7 ? "gsm7" : "ucs2");
    lua_setfield(L, -2, "coding");
    lua_pushinteger(L, info.units);
    lua_setfield(L, -2, "units");
    lua_pushinteger(L, info.parts);
    lua_setfield(L, -2, "parts");
    return 1;
}

typedef struct json_walk {
    int  items;
    char error[128];
} json_walk;

/* Converts the Lua value at idx to jansson without raising (only
 * non-raising API calls), so a failure can free the partial tree. */
static json_t *json_from_lua(lua_State *L, int idx, int depth, json_walk *walk)
{
    idx = lua_absindex(L, idx);
    if (++walk->items > SANDBOX_JSON_ITEMS) {
        snprintf(walk->error, sizeof walk->error, "more than %d values", SANDBOX_JSON_ITEMS);
        return NULL;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        if (lua_isinteger(L, idx)) {
            lua_Integer v = lua_tointeger(L, idx);
            if (v > (lua_Integer)SANDBOX_SAFE_NUMBER || v < -(lua_Integer)SANDBOX_SAFE_NUMBER)
                break;
            return json_integer((json_int_t)v);
        }
        lua_Number x = lua_tonumber(L, idx);
        if (isnan(x) || isinf(x)) {
            snprintf(walk->error, sizeof walk->error, "%s has no JSON form",
                     isnan(x) ? "NaN" : "infinity");
            return NULL;
        }
        if (fabs(x) > SANDBOX_SAFE_NUMBER)
            break;
        if (x == floor(x))
            return json_integer((json_int_t)x);
        return json_real(x);
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        json_t *text = len <= RULES_TEXT_MAX ? json_stringn(s, len) : NULL;
        if (!text)
            snprintf(walk->error, sizeof walk->error, "a string is too long or not UTF-8");
        return text;
    }
    case LUA_TTABLE: {
        if (depth >= RULES_JSON_DEPTH) {
            snprintf(walk->error, sizeof walk->error, "tables nested deeper than %d",
                     RULES_JSON_DEPTH);
            return NULL;
        }
        if (!lua_checkstack(L, 4)) {
            snprintf(walk->error, sizeof walk->error, "out of stack");
            return NULL;
        }
        lua_Unsigned n = lua_rawlen(L, idx), keys = 0;
        bool array = n > 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            keys++;
            if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 ||
                (lua_Unsigned)lua_tointeger(L, -2) > n)
                array = false;
            lua_pop(L, 1);
        }
        array = array && keys == n;
        json_t *out = array ? json_array() : json_object();
        if (!out) {
            snprintf(walk->error, sizeof walk->error, "out of memory");
            return NULL;
        }
        if (array) {
            for (lua_Unsigned i = 1; i <= n; i++) {
                lua_rawgeti(L, idx, (lua_Integer)i);
                json_t *item = json_from_lua(L, -1, depth + 1, walk);
                lua_pop(L, 1);
                if (!item || json_array_append_new(out, item) < 0)
                    goto fail_table;
            }
            return out;
        }
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            if (lua_type(L, -2) != LUA_TSTRING) {
                snprintf(walk->error, sizeof walk->error, "object keys must be strings");
                lua_pop(L, 2);
                goto fail_table;
            }
            json_t *item = json_from_lua(L, -1, depth + 1, walk);
            if (!item || json_object_set_new(out, lua_tostring(L, -2), item) < 0) {
                lua_pop(L, 2);
                goto fail_table;
            }
            lua_pop(L, 1);
        }
        return out;
    fail_table:
        if (!walk->error[0])
            snprintf(walk->error, sizeof walk->error, "a key is not valid UTF-8");
        json_decref(out);
        return NULL;
    }
    default:
        snprintf(walk->error, sizeof walk->error, "a %s has no JSON form",
                 lua_typename(L, lua_type(L, idx)));
        return NULL;
    }
    snprintf(walk->error, sizeof walk->error, "a number beyond 2^53 has no exact JSON form");
    return NULL;
}

static int json_guard_gc(lua_State *L)
{
    json_t **slot = luaL_checkudata(L, 1, json_guard_name);
    json_decref(*slot);
    *slot = NULL;
    return 0;
}

/* dn.json(value) -> compact JSON text with sorted keys */
static int helper_json(lua_State *L)
{
    json_walk walk = { 0, "" };
    luaL_Buffer buffer;

    lua_settop(L, 1);
    json_t **slot = lua_newuserdatauv(L, sizeof *slot, 0);
    *slot = NULL;
    luaL_setmetatable(L, json_guard_name);
    *slot = json_from_lua(L, 1, 0, &walk);
    if (!*slot)
        return luaL_error(L, "dn.json: %s", walk.error);
    size_t size = json_dumpb(*slot, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (size == 0 || size > SANDBOX_JSON_OUT)
        return luaL_error(L, "dn.json: the text would be too long");
    char *out = luaL_buffinitsize(L, &buffer, size);
    json_dumpb(*slot, out, size, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    luaL_pushresultsize(&buffer, size);
    json_decref(*slot);
    *slot = NULL;
    return 1;
}

static const luaL_Reg dn_functions[] = {
    { "money", helper_money },           { "date", helper_date },
    { "days_between", helper_days_between }, { "translit", helper_translit },
    { "sms_info", helper_sms_info },     { "json", helper_json },
    { NULL, NULL },
};

/* ---- building the state ---- */

static void sandbox_remove(lua_State *L, int table, const char *const *names)
{
    for (; *names; names++) {
        lua_pushnil(L);
        lua_setfield(L, table, *names);
    }
}

/* Opens library `open` as global `name` of the real globals G (index g),
 * keeping only `keep` (NULL = all), behind a read-only proxy. Leaves the
 * real library table on the stack. */
static void sandbox_library(lua_State *L, int g, const char *name, lua_CFunction open,
                            const char *const *keep)
{
    luaL_requiref(L, name, open, 0);
    if (keep) {
        int full = lua_gettop(L);
        lua_createtable(L, 0, 4);
        for (; *keep; keep++) {
            lua_getfield(L, full, *keep);
            lua_setfield(L, -2, *keep);
        }
        lua_remove(L, full);
    }
    lua_pushvalue(L, -1);
    sandbox_make_proxy(L);
    lua_setfield(L, g, name);
}

/* Items of a Lua pattern that can scan the rest of the subject on each
 * try — repetitions (*, +, -, ?), balances (%bxy) and back-references
 * (%1..%9): the exponent of its worst case. Other escapes (%x) and the
 * contents of sets ([...]) are skipped. */
static int pattern_repetitions(const char *p, size_t len)
{
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%') {
            i++;
            if (i < len && (p[i] == 'b' || (p[i] >= '1' && p[i] <= '9')))
                k++;
            if (i < len && p[i] == 'b')
                i += 2;                     /* the two delimiters are literals */
        } else if (p[i] == '[') {
            i++;
            if (i < len && p[i] == '^')
                i++;
            if (i < len && p[i] == ']')
                i++;                        /* a leading ] is a literal */
            while (i < len && p[i] != ']') {
                if (p[i] == '%')
                    i++;
                i++;
            }
        } else if (p[i] == '*' || p[i] == '+' || p[i] == '-' || p[i] == '?') {
            k++;
        }
    }
    return k;
}

/* string.find/match/gmatch/gsub wrapper: upvalue 1 is the library function
 * and upvalue 2 its name. Refuses calls whose worst case is too long for a
 * single uninterruptible C call, then tail-calls the original. */
static int sandbox_pattern_call(lua_State *L)
{
    size_t n = 0, plen = 0;
    if (lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) {
        lua_tolstring(L, 1, &n);
        const char *p = lua_tolstring(L, 2, &plen);
        bool plain = lua_toboolean(L, 4) && strcmp(lua_tostring(L, lua_upvalueindex(2)),
                                                   "find") == 0;
        if (!plain) {
            int k = pattern_repetitions(p, plen);
            bool anchored = plen > 0 && p[0] == '^';
            double steps = (double)(n + 1) * (double)(plen + 1);
            for (int i = 0; i < k + (anchored ? 0 : 1) - 1 && steps <= SANDBOX_PATTERN_STEPS; i++)
                steps *= (double)(n + 1);
            /* a long literal pattern costs n * plen on its own: no k > 0 shortcut */
            if (steps > SANDBOX_PATTERN_STEPS)
                return luaL_error(L,
                                  "string.%s: a pattern with %d repetition(s) on a %d-byte "
                                  "string could run too long; shorten the text or the pattern",
                                  lua_tostring(L, lua_upvalueindex(2)), k, (int)n);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* Wraps the pattern functions of the string table at idx. */
static void sandbox_guard_patterns(lua_State *L, int idx)
{
    static const char *const names[] = { "find", "match", "gmatch", "gsub" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lua_getfield(L, idx, names[i]);
        lua_pushstring(L, names[i]);
        lua_pushcclosure(L, sandbox_pattern_call, 2);
        lua_setfield(L, idx, names[i]);
    }
}

static int sandbox_setup(lua_State *L)
{
    static const char *const base_removed[] = { "dofile", "loadfile", "collectgarbage", "rawset",
                                                "warn", "require", NULL };
    static const char *const os_kept[] = { "time", "date", "clock", NULL };
    static const char *const string_removed[] = { "dump", NULL };

    luaL_requiref(L, "_G", luaopen_base, 1);
    int g = lua_gettop(L);
    sandbox_remove(L, g, base_removed);
    lua_pushcfunction(L, sandbox_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, sandbox_lua_load);
    lua_setfield(L, g, "load");

    sandbox_library(L, g, "string", luaopen_string, NULL);
    sandbox_remove(L, lua_gettop(L), string_removed);
    sandbox_guard_patterns(L, lua_gettop(L));
    lua_pop(L, 1);
    lua_pushliteral(L, "");                 /* protect the shared string metatable */
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    sandbox_library(L, g, "table", luaopen_table, NULL);
    int table = lua_gettop(L);
    sandbox_library(L, g, "math", luaopen_math, NULL);
    lua_pop(L, 1);
    sandbox_library(L, g, "utf8", luaopen_utf8, NULL);
    lua_pop(L, 1);
    sandbox_library(L, g, "os", luaopen_os, os_kept);
    lua_pop(L, 1);

    sandbox_library(L, g, "coroutine", luaopen_coroutine, NULL);
    int coroutine = lua_gettop(L);
    lua_pushcfunction(L, sandbox_coroutine_create);
    lua_setfield(L, coroutine, "create");
    if (luaL_loadbufferx(L, coroutine_wrap_source, sizeof coroutine_wrap_source - 1,
                         "=coroutine.wrap", "t") != LUA_OK)
        return lua_error(L);
    lua_pushcfunction(L, sandbox_coroutine_create);
    lua_getfield(L, coroutine, "resume");
    lua_getfield(L, g, "error");
    lua_getfield(L, table, "pack");
    lua_getfield(L, table, "unpack");
    lua_call(L, 5, 1);
    lua_setfield(L, coroutine, "wrap");
    if (luaL_loadbufferx(L, base_wrappers_source, sizeof base_wrappers_source - 1,
                         "=sandbox", "t") != LUA_OK)
        return lua_error(L);
    lua_getfield(L, g, "pcall");
    lua_getfield(L, table, "pack");
    lua_getfield(L, table, "unpack");
    lua_getfield(L, g, "rawget");
    lua_getfield(L, g, "setmetatable");
    lua_getfield(L, g, "error");
    lua_getfield(L, g, "type");
    lua_call(L, 7, 2);
    lua_setfield(L, g, "setmetatable");
    lua_setfield(L, g, "xpcall");
    lua_pop(L, 2);                         /* coroutine, table */

    luaL_newlib(L, dn_functions);
    sandbox_make_proxy(L);
    lua_setfield(L, g, "dn");
    luaL_newmetatable(L, json_guard_name);
    lua_pushcfunction(L, json_guard_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);

    /* undefined globals are errors */
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, sandbox_undefined_global);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, g);

    /* the environment every chunk sees: an empty proxy over G */
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, g);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, g);
    lua_pushcclosure(L, sandbox_assign_global, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &env_key);
    lua_setfield(L, g, "_G");

    facts_register(L);
    lua_settop(L, 0);
    return 0;
}

lua_State *sandbox_open(rules_sandbox *sb)
{
    sb->main = NULL;                /* no hook to arm while the libraries open */
    lua_State *L = lua_newstate(sandbox_alloc, sb);
    if (!L)
        return NULL;
    lua_atpanic(L, sandbox_panic);
    lua_gc(L, LUA_GCGEN, 0, 0);     /* per-decision tables die young */
    sb->frozen = false;
    lua_pushcfunction(L, sandbox_setup);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        dn_log(DN_LOG_ERROR, "rules", "cannot build the sandbox: %s",
               lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "out of memory");
        lua_close(L);
        return NULL;
    }
    sb->main = L;
    return L;
}
