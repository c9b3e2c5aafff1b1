/*
 * rules_facts.c — the customer as rules see it: the read-only table `c` and
 * `ctx` built from dn_facts (docs/rules-guide.md, "Facts"), and the reverse
 * for rule tests (a fixture table to dn_facts).
 *
 * Read-only without copying twice: each record is built once into a
 * "backing" table that is also the metatable of an empty proxy handed to
 * the rules (__index = itself, __newindex raises). The lists that most
 * rules never read (invoices, contacts, last_contact, balance) are built on
 * first access from the facts being decided, so a ladder-only decision
 * builds a dozen small tables and nothing else.
 */
#include "rules-internal.h"

#include <string.h>

#include "tz.h"

static const char lazy_key = 'L';   /* registry: metatable of the top-level backing table */
static const char keys_key = 'K';   /* registry: the field names below, interned once */

/* Field names pushed with lua_rawgeti from one table instead of being
 * looked up as C strings on every decision. */
enum {
    KEY_INDEX = 1, KEY_NEWINDEX, KEY_METATABLE, KEY_READ_ONLY, KEY_ID, KEY_NAME, KEY_FIRST_NAME,
    KEY_LANGUAGE, KEY_TIMEZONE, KEY_COUNTRY, KEY_AGE, KEY_PERSONA, KEY_DAYS_OVERDUE,
    KEY_DUE_DATE, KEY_CURRENCY, KEY_AMOUNT_DUE, KEY_STAGE_DAY, KEY_CASE_ID, KEY_REPLIES,
    KEY_DISPUTES, KEY_KEPT, KEY_BROKEN, KEY_PENDING, KEY_DUE, KEY_PROMISES, KEY_COUNT,
    KEY_AVG_DAYS_LATE, KEY_PAYMENTS, KEY_SMS, KEY_EMAIL, KEY_VOICE, KEY_CHAT, KEY_REACHABLE,
    KEY_HOLDS, KEY_NOW, KEY_TODAY, KEY_HOUR, KEY_WEEKDAY, KEY_VERSION, KEY_HOLD_FIRST,
    KEY_END = KEY_HOLD_FIRST + 7,
};
static const char *const key_names[KEY_HOLD_FIRST] = {
    [KEY_INDEX] = "__index", [KEY_NEWINDEX] = "__newindex", [KEY_METATABLE] = "__metatable",
    [KEY_READ_ONLY] = "read-only", [KEY_ID] = "id", [KEY_NAME] = "name",
    [KEY_FIRST_NAME] = "first_name", [KEY_LANGUAGE] = "language", [KEY_TIMEZONE] = "timezone",
    [KEY_COUNTRY] = "country", [KEY_AGE] = "age", [KEY_PERSONA] = "persona",
    [KEY_DAYS_OVERDUE] = "days_overdue", [KEY_DUE_DATE] = "due_date",
    [KEY_CURRENCY] = "currency", [KEY_AMOUNT_DUE] = "amount_due", [KEY_STAGE_DAY] = "stage_day",
    [KEY_CASE_ID] = "case_id", [KEY_REPLIES] = "replies", [KEY_DISPUTES] = "disputes",
    [KEY_KEPT] = "kept", [KEY_BROKEN] = "broken", [KEY_PENDING] = "pending", [KEY_DUE] = "due",
    [KEY_PROMISES] = "promises", [KEY_COUNT] = "count", [KEY_AVG_DAYS_LATE] = "avg_days_late",
    [KEY_PAYMENTS] = "payments", [KEY_SMS] = "sms", [KEY_EMAIL] = "email", [KEY_VOICE] = "voice",
    [KEY_CHAT] = "chat", [KEY_REACHABLE] = "reachable", [KEY_HOLDS] = "holds", [KEY_NOW] = "now",
    [KEY_TODAY] = "today", [KEY_HOUR] = "hour", [KEY_WEEKDAY] = "weekday",
    [KEY_VERSION] = "version",
};

static const char *const hold_names[] = { "dispute", "bankruptcy", "deceased", "cease_contact",
                                          "vulnerable", "pause", "breathing_space" };
static const unsigned hold_bits[] = { DN_HOLD_DISPUTE, DN_HOLD_BANKRUPTCY, DN_HOLD_DECEASED,
                                      DN_HOLD_CEASE_CONTACT, DN_HOLD_VULNERABLE, DN_HOLD_PAUSE,
                                      DN_HOLD_BREATHING };

/* "YYYY-MM-DD" without printf (hot path). */
static void format_date(dn_date day, char out[11])
{
    int y, m, d;
    dn_date_to_ymd(day, &y, &m, &d);
    y = y < 0 ? 0 : y % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static int facts_readonly(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "the customer facts are read-only (field '%s')", lua_tostring(L, 2));
    return luaL_error(L, "the customer facts are read-only");
}

static int facts_length(lua_State *L)
{
    if (!lua_getmetatable(L, 1))
        return 0;
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

/* Turns the backing table at the top into a read-only proxy (replacing it
 * on the stack). */
static void facts_seal(lua_State *L, bool list)
{
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, facts_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    if (list) {
        lua_pushcfunction(L, facts_length);
        lua_setfield(L, -2, "__len");
    }
    lua_createtable(L, 0, 0);
    lua_insert(L, -2);
    lua_setmetatable(L, -2);
}

static void push_date_or_nil(lua_State *L, dn_date day)
{
    char text[11];
    if (day == DN_NO_DATE) {
        lua_pushnil(L);
        return;
    }
    dn_date_format(day, text);
    lua_pushlstring(L, text, 10);
}

static void push_text_or_nil(lua_State *L, const char *s)
{
    if (s[0])
        lua_pushstring(L, s);
    else
        lua_pushnil(L);
}

static void push_invoice(lua_State *L, const rules_view *view, const dn_fact_invoice *inv)
{
    lua_createtable(L, 0, 11);
    lua_pushstring(L, inv->external_id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, inv->currency);
    lua_setfield(L, -2, "currency");
    lua_pushinteger(L, inv->amount_minor);
    lua_setfield(L, -2, "amount");
    lua_pushinteger(L, inv->paid_minor);
    lua_setfield(L, -2, "paid");
    push_date_or_nil(L, inv->due);
    lua_setfield(L, -2, "due");
    push_date_or_nil(L, inv->issued);
    lua_setfield(L, -2, "issued");
    lua_pushstring(L, (unsigned)inv->status < DN_INV_STATUS_COUNT
                          ? dn_invoice_status_names[inv->status] : "open");
    lua_setfield(L, -2, "status");
    if (inv->due != DN_NO_DATE) {
        lua_pushinteger(L, (lua_Integer)view->today - inv->due);
        lua_setfield(L, -2, "days_overdue");
    }
    facts_seal(L, false);
}

static void push_contact(lua_State *L, const dn_fact_contact *contact)
{
    char at[21];
    lua_createtable(L, 0, 9);
    dn_time_format(contact->at, at);
    lua_pushstring(L, at);
    lua_setfield(L, -2, "at");
    lua_pushstring(L, contact->channel);
    lua_setfield(L, -2, "channel");
    lua_pushstring(L, contact->state);
    lua_setfield(L, -2, "state");
    push_text_or_nil(L, contact->outcome);
    lua_setfield(L, -2, "outcome");
    push_text_or_nil(L, contact->template_name);
    lua_setfield(L, -2, "template");
    lua_pushinteger(L, contact->step_day);
    lua_setfield(L, -2, "day");
    facts_seal(L, false);
}

/* __index of the top-level backing table: builds the rarely read lists on
 * first access and caches them in the backing table. Any other missing
 * field is nil; so is everything once the decision is over. */
static int facts_lazy(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    const rules_view *view = ((rules_sandbox *)ud)->facts_view;
    if (!view || lua_type(L, 2) != LUA_TSTRING)
        return 0;
    const dn_facts *f = view->facts;
    const char *key = lua_tostring(L, 2);

    if (strcmp(key, "invoices") == 0) {
        lua_createtable(L, f->n_invoices, 4);
        for (int i = 0; i < f->n_invoices && i < DN_FACT_INVOICES; i++) {
            push_invoice(L, view, &f->invoices[i]);
            lua_rawseti(L, -2, i + 1);
        }
        facts_seal(L, true);
    } else if (strcmp(key, "contacts") == 0 || strcmp(key, "last_contact") == 0) {
        int n = f->n_contacts < DN_FACT_CONTACTS ? f->n_contacts : DN_FACT_CONTACTS;
        lua_createtable(L, n, 4);
        for (int i = 0; i < n; i++) {
            push_contact(L, &f->contacts[i]);
            lua_rawseti(L, -2, i + 1);
        }
        if (n > 0)
            lua_rawgeti(L, -1, 1);
        else
            lua_pushnil(L);
        lua_setfield(L, 1, "last_contact");
        facts_seal(L, true);
        lua_pushvalue(L, -1);
        lua_setfield(L, 1, "contacts");
        if (key[0] == 'l') {
            lua_pushliteral(L, "last_contact");
            lua_rawget(L, 1);
        }
        return 1;
    } else if (strcmp(key, "balance") == 0) {
        lua_createtable(L, 0, f->n_balance + 3);
        for (int i = 0; i < f->n_balance && i < DN_FACT_BALANCES; i++) {
            lua_pushinteger(L, f->balance[i].amount_minor);
            lua_setfield(L, -2, f->balance[i].currency);
        }
        facts_seal(L, false);
    } else {
        return 0;
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, key);
    return 1;
}

void facts_register(lua_State *L)
{
    lua_createtable(L, KEY_END, 0);
    for (int k = KEY_INDEX; k < KEY_END; k++) {
        lua_pushstring(L, k < KEY_HOLD_FIRST ? key_names[k] : hold_names[k - KEY_HOLD_FIRST]);
        lua_rawseti(L, -2, k);
    }
    lua_rawsetp(L, LUA_REGISTRYINDEX, &keys_key);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, facts_lazy);
    lua_setfield(L, -2, "__index");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &lazy_key);
}

void facts_view_init(rules_view *view, const dn_facts *f, dn_time now, const char *version)
{
    dn_err err;
    const char *zone_name = f->customer.timezone[0] ? f->customer.timezone : "UTC";
    const dn_tz *zone = tz_get(zone_name, &err);

    memset(view, 0, sizeof *view);
    view->facts = f;
    view->anchor = -1;
    view->version = version;
    if (!zone)
        zone = tz_get("UTC", &err);
    if (zone) {
        view->today = tz_local_date(zone, now, &view->minute_of_day);
    } else {
        int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400;
        view->today = (dn_date)day;
        view->minute_of_day = (int)((now - day * 86400) / 60);
    }
    int weekday = dn_date_weekday(view->today);
    view->weekday = weekday == 0 ? 7 : weekday;
    format_date(view->today, view->today_text);
    {
        int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400;
        int64_t second = now - day * 86400;
        format_date((dn_date)day, view->now_text);
        view->now_text[10] = 'T';
        view->now_text[11] = (char)('0' + second / 36000);
        view->now_text[12] = (char)('0' + second / 3600 % 10);
        view->now_text[13] = ':';
        view->now_text[14] = (char)('0' + second / 60 % 60 / 10);
        view->now_text[15] = (char)('0' + second / 60 % 10);
        view->now_text[16] = ':';
        view->now_text[17] = (char)('0' + second % 60 / 10);
        view->now_text[18] = (char)('0' + second % 10);
        view->now_text[19] = 'Z';
        view->now_text[20] = '\0';
    }
    for (int i = 0; i < f->n_invoices && i < DN_FACT_INVOICES; i++) {
        const dn_fact_invoice *inv = &f->invoices[i];
        if (inv->status != DN_INV_OPEN || inv->amount_minor <= inv->paid_minor)
            continue;
        view->open_unpaid++;
        if (inv->due != DN_NO_DATE &&
            (view->anchor < 0 || inv->due < f->invoices[view->anchor].due))
            view->anchor = i;
    }
    if (view->anchor >= 0) {
        view->has_days = true;
        view->days_overdue = view->today - f->invoices[view->anchor].due;
    }
}

/* t[key] = value on top (t just below it), by interned key. */
static void put(lua_State *L, int keys, int key)
{
    lua_rawgeti(L, keys, key);
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

static void put_bool(lua_State *L, int keys, int key, bool value)
{
    lua_pushboolean(L, value);
    put(L, keys, key);
}

static void put_integer(lua_State *L, int keys, int key, lua_Integer value)
{
    lua_pushinteger(L, value);
    put(L, keys, key);
}

static void put_date(lua_State *L, int keys, int key, dn_date day)
{
    char text[11];
    if (day == DN_NO_DATE)
        return;
    format_date(day, text);
    lua_pushlstring(L, text, 10);
    put(L, keys, key);
}

static void put_text(lua_State *L, int keys, int key, const char *text)
{
    if (!text[0])
        return;
    lua_pushlstring(L, text, strlen(text));
    put(L, keys, key);
}

/* facts_seal with interned keys. */
static void seal(lua_State *L, int keys)
{
    lua_rawgeti(L, keys, KEY_INDEX);
    lua_pushvalue(L, -2);
    lua_rawset(L, -3);
    lua_rawgeti(L, keys, KEY_NEWINDEX);
    lua_pushcfunction(L, facts_readonly);
    lua_rawset(L, -3);
    lua_rawgeti(L, keys, KEY_METATABLE);
    lua_rawgeti(L, keys, KEY_READ_ONLY);
    lua_rawset(L, -3);
    lua_createtable(L, 0, 0);
    lua_insert(L, -2);
    lua_setmetatable(L, -2);
}

void facts_push(lua_State *L, const rules_view *view)
{
    const dn_facts *f = view->facts;
    const dn_customer *cu = &f->customer;
    const dn_fact_invoice *anchor = view->anchor >= 0 ? &f->invoices[view->anchor] : NULL;

    luaL_checkstack(L, 10, "facts");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &keys_key);
    int keys = lua_gettop(L);
    lua_createtable(L, 0, 32);                       /* data */
    lua_pushlstring(L, cu->external_id, strlen(cu->external_id));
    put(L, keys, KEY_ID);
    lua_pushlstring(L, cu->name, strlen(cu->name));
    put(L, keys, KEY_NAME);
    lua_pushlstring(L, cu->name, strcspn(cu->name, " "));
    put(L, keys, KEY_FIRST_NAME);
    put_text(L, keys, KEY_LANGUAGE, cu->language);
    put_text(L, keys, KEY_TIMEZONE, cu->timezone);
    put_text(L, keys, KEY_COUNTRY, cu->country);
    if (cu->age > 0)
        put_integer(L, keys, KEY_AGE, cu->age);
    put_bool(L, keys, KEY_PERSONA, false);
    if (view->has_days) {
        put_integer(L, keys, KEY_DAYS_OVERDUE, view->days_overdue);
        put_date(L, keys, KEY_DUE_DATE, anchor->due);
    }
    if (anchor) {
        put_text(L, keys, KEY_CURRENCY, anchor->currency);
        put_integer(L, keys, KEY_AMOUNT_DUE, anchor->amount_minor - anchor->paid_minor);
    }
    if (f->stage_day != INT32_MIN)
        put_integer(L, keys, KEY_STAGE_DAY, f->stage_day);
    if (f->case_id)
        put_integer(L, keys, KEY_CASE_ID, f->case_id);
    put_integer(L, keys, KEY_REPLIES, f->replies);
    put_integer(L, keys, KEY_DISPUTES, f->disputes);

    lua_createtable(L, 0, 7);
    put_integer(L, keys, KEY_KEPT, f->promises_kept);
    put_integer(L, keys, KEY_BROKEN, f->promises_broken);
    put_bool(L, keys, KEY_PENDING, f->promise_pending);
    if (f->promise_pending)
        put_date(L, keys, KEY_DUE, f->promise_due);
    seal(L, keys);
    put(L, keys, KEY_PROMISES);

    lua_createtable(L, 0, 5);
    put_integer(L, keys, KEY_COUNT, f->payments_count);
    put_integer(L, keys, KEY_AVG_DAYS_LATE, f->avg_days_late);
    seal(L, keys);
    put(L, keys, KEY_PAYMENTS);

    lua_createtable(L, 0, 7);
    put_bool(L, keys, KEY_SMS, cu->phone[0] && !(cu->opt_out & DN_OPTOUT_SMS));
    put_bool(L, keys, KEY_EMAIL, cu->email[0] && !(cu->opt_out & DN_OPTOUT_EMAIL));
    put_bool(L, keys, KEY_VOICE, cu->phone[0] && !(cu->opt_out & DN_OPTOUT_VOICE));
    put_bool(L, keys, KEY_CHAT, cu->chat[0] && !(cu->opt_out & DN_OPTOUT_CHAT));
    seal(L, keys);
    put(L, keys, KEY_REACHABLE);

    lua_createtable(L, 0, 10);
    for (int i = 0; i < 7; i++)
        put_bool(L, keys, KEY_HOLD_FIRST + i, (cu->holds & hold_bits[i]) != 0);
    seal(L, keys);
    put(L, keys, KEY_HOLDS);

    lua_rawgetp(L, LUA_REGISTRYINDEX, &lazy_key);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);                            /* keys, data, data */
    seal(L, keys);                                   /* keys, data, c */

    lua_createtable(L, 0, 8);                        /* ctx */
    lua_pushlstring(L, view->now_text, 20);
    put(L, keys, KEY_NOW);
    lua_pushlstring(L, view->today_text, 10);
    put(L, keys, KEY_TODAY);
    put_integer(L, keys, KEY_HOUR, view->minute_of_day / 60);
    put_integer(L, keys, KEY_WEEKDAY, view->weekday);
    lua_pushstring(L, view->version ? view->version : "");
    put(L, keys, KEY_VERSION);
    seal(L, keys);
    lua_remove(L, keys);                             /* data, c, ctx */
}

/* ---- fixtures (rule tests) ---- */

static void fixture_text(lua_State *L, int t, const char *key, char *dst, size_t size)
{
    int type = lua_getfield(L, t, key);
    if (type == LUA_TSTRING) {
        if (!dn_strlcpy(dst, lua_tostring(L, -1), size))
            luaL_error(L, "fixture field '%s' is too long", key);
    } else if (type != LUA_TNIL) {
        luaL_error(L, "fixture field '%s' must be a string", key);
    }
    lua_pop(L, 1);
}

static bool fixture_integer(lua_State *L, int t, const char *key, int64_t *out)
{
    int type = lua_getfield(L, t, key);
    bool present = type != LUA_TNIL;
    if (present) {
        if (!lua_isinteger(L, -1))
            luaL_error(L, "fixture field '%s' must be an integer", key);
        *out = lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    return present;
}

static int fixture_int(lua_State *L, int t, const char *key, int fallback)
{
    int64_t v = fallback;
    if (fixture_integer(L, t, key, &v) && (v < INT32_MIN || v > INT32_MAX))
        luaL_error(L, "fixture field '%s' is out of range", key);
    return (int)v;
}

static dn_date fixture_date(lua_State *L, int t, const char *key)
{
    char text[16] = "";
    dn_date day = DN_NO_DATE;
    fixture_text(L, t, key, text, sizeof text);
    if (text[0] && dn_date_parse(text, &day) < 0)
        luaL_error(L, "fixture field '%s' is not a date \"YYYY-MM-DD\"", key);
    return day;
}

static bool fixture_bool(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    bool value = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return value;
}

/* A set of names given as a list {"sms"} or a map {sms = true}. */
static bool fixture_flag(lua_State *L, int t, const char *name)
{
    if (fixture_bool(L, t, name))
        return true;
    lua_Integer n = (lua_Integer)lua_rawlen(L, t);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, t, i);
        bool same = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), name) == 0;
        lua_pop(L, 1);
        if (same)
            return true;
    }
    return false;
}

static void fixture_invoices(lua_State *L, int t, dn_facts *f)
{
    if (lua_getfield(L, t, "invoices") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    luaL_checktype(L, list, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    if (n > DN_FACT_INVOICES)
        luaL_error(L, "fixture has more than %d invoices", DN_FACT_INVOICES);
    for (lua_Integer i = 1; i <= n; i++) {
        dn_fact_invoice *inv = &f->invoices[f->n_invoices++];
        char status[16] = "open";
        lua_rawgeti(L, list, i);
        int item = lua_gettop(L);
        luaL_checktype(L, item, LUA_TTABLE);
        fixture_text(L, item, "id", inv->external_id, sizeof inv->external_id);
        fixture_text(L, item, "currency", inv->currency, sizeof inv->currency);
        if (!inv->currency[0])
            dn_strlcpy(inv->currency, "EUR", sizeof inv->currency);
        fixture_integer(L, item, "amount", &inv->amount_minor);
        fixture_integer(L, item, "paid", &inv->paid_minor);
        inv->due = fixture_date(L, item, "due");
        inv->issued = fixture_date(L, item, "issued");
        fixture_text(L, item, "status", status, sizeof status);
        if (dn_invoice_status_parse(status, &inv->status) < 0)
            luaL_error(L, "fixture invoice %d has an unknown status '%s'", (int)i, status);
        if (inv->status == DN_INV_PAID && inv->paid_minor < inv->amount_minor)
            inv->paid_minor = inv->amount_minor;
        lua_pop(L, 1);
        if (inv->status != DN_INV_OPEN || inv->amount_minor <= inv->paid_minor)
            continue;
        int b = 0;
        while (b < f->n_balance && strcmp(f->balance[b].currency, inv->currency) != 0)
            b++;
        if (b == DN_FACT_BALANCES)
            continue;
        if (b == f->n_balance) {
            dn_strlcpy(f->balance[b].currency, inv->currency, sizeof f->balance[b].currency);
            f->n_balance++;
        }
        f->balance[b].amount_minor += inv->amount_minor - inv->paid_minor;
    }
    lua_pop(L, 1);
}

static void fixture_contacts(lua_State *L, int t, dn_facts *f)
{
    if (lua_getfield(L, t, "contacts") == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    int list = lua_gettop(L);
    luaL_checktype(L, list, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    if (n > DN_FACT_CONTACTS)
        luaL_error(L, "fixture has more than %d contacts", DN_FACT_CONTACTS);
    for (lua_Integer i = 1; i <= n; i++) {
        dn_fact_contact *contact = &f->contacts[f->n_contacts++];
        char at[40] = "";
        lua_rawgeti(L, list, i);
        int item = lua_gettop(L);
        luaL_checktype(L, item, LUA_TTABLE);
        fixture_text(L, item, "at", at, sizeof at);
        if (at[0] && dn_time_parse(at, &contact->at) < 0)
            luaL_error(L, "fixture contact %d: 'at' is not a time", (int)i);
        fixture_text(L, item, "channel", contact->channel, sizeof contact->channel);
        fixture_text(L, item, "state", contact->state, sizeof contact->state);
        fixture_text(L, item, "outcome", contact->outcome, sizeof contact->outcome);
        fixture_text(L, item, "template", contact->template_name,
                     sizeof contact->template_name);
        contact->step_day = fixture_int(L, item, "day", 0);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

void facts_from_fixture(lua_State *L, int idx, dn_facts *f)
{
    int t = lua_absindex(L, idx);
    dn_customer *cu = &f->customer;
    int64_t case_id = 0;

    luaL_checktype(L, t, LUA_TTABLE);
    memset(f, 0, sizeof *f);
    cu->hold_until = DN_NO_DATE;
    f->case_anchor_due = DN_NO_DATE;
    f->promise_due = DN_NO_DATE;
    fixture_text(L, t, "id", cu->external_id, sizeof cu->external_id);
    fixture_text(L, t, "name", cu->name, sizeof cu->name);
    fixture_text(L, t, "language", cu->language, sizeof cu->language);
    fixture_text(L, t, "timezone", cu->timezone, sizeof cu->timezone);
    fixture_text(L, t, "country", cu->country, sizeof cu->country);
    fixture_text(L, t, "phone", cu->phone, sizeof cu->phone);
    fixture_text(L, t, "email", cu->email, sizeof cu->email);
    fixture_text(L, t, "chat", cu->chat, sizeof cu->chat);
    cu->age = fixture_int(L, t, "age", 0);
    f->stage_day = fixture_int(L, t, "stage_day", INT32_MIN);
    if (fixture_integer(L, t, "case_id", &case_id))
        f->case_id = case_id;
    else if (f->stage_day != INT32_MIN)
        f->case_id = 1;
    f->replies = fixture_int(L, t, "replies", 0);
    f->disputes = fixture_int(L, t, "disputes", 0);

    if (lua_getfield(L, t, "opt_out") == LUA_TTABLE) {
        int o = lua_gettop(L);
        cu->opt_out = (fixture_flag(L, o, "sms") ? DN_OPTOUT_SMS : 0) |
                      (fixture_flag(L, o, "email") ? DN_OPTOUT_EMAIL : 0) |
                      (fixture_flag(L, o, "voice") ? DN_OPTOUT_VOICE : 0) |
                      (fixture_flag(L, o, "chat") ? DN_OPTOUT_CHAT : 0);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, t, "holds") == LUA_TTABLE) {
        int h = lua_gettop(L);
        for (size_t i = 0; i < sizeof hold_bits / sizeof hold_bits[0]; i++)
            if (fixture_flag(L, h, hold_names[i]))
                cu->holds |= hold_bits[i];
    }
    lua_pop(L, 1);
    if (lua_getfield(L, t, "promises") == LUA_TTABLE) {
        int p = lua_gettop(L);
        f->promises_kept = fixture_int(L, p, "kept", 0);
        f->promises_broken = fixture_int(L, p, "broken", 0);
        f->promise_pending = fixture_bool(L, p, "pending");
        f->promise_due = fixture_date(L, p, "due");
    }
    lua_pop(L, 1);
    if (lua_getfield(L, t, "payments") == LUA_TTABLE) {
        int p = lua_gettop(L);
        f->payments_count = fixture_int(L, p, "count", 0);
        f->avg_days_late = fixture_int(L, p, "avg_days_late", 0);
    }
    lua_pop(L, 1);
    fixture_invoices(L, t, f);
    fixture_contacts(L, t, f);
}
