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

static const char *const hold_names[] = { "dispute", "bankruptcy", "deceased", "cease_contact",
                                          "vulnerable", "pause", "breathing_space" };
static const unsigned hold_bits[] = { DN_HOLD_DISPUTE, DN_HOLD_BANKRUPTCY, DN_HOLD_DECEASED,
                                      DN_HOLD_CEASE_CONTACT, DN_HOLD_VULNERABLE, DN_HOLD_PAUSE,
                                      DN_HOLD_BREATHING };

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
    dn_time_format(now, view->now_text);
    dn_date_format(view->today, view->today_text);
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

static void set_bool(lua_State *L, const char *key, bool value)
{
    lua_pushboolean(L, value);
    lua_setfield(L, -2, key);
}

static void set_integer(lua_State *L, const char *key, lua_Integer value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, key);
}

void facts_push(lua_State *L, const rules_view *view)
{
    const dn_facts *f = view->facts;
    const dn_customer *cu = &f->customer;
    const dn_fact_invoice *anchor = view->anchor >= 0 ? &f->invoices[view->anchor] : NULL;

    luaL_checkstack(L, 8, "facts");
    lua_createtable(L, 0, 32);                       /* data */
    lua_pushstring(L, cu->external_id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, cu->name);
    lua_setfield(L, -2, "name");
    lua_pushlstring(L, cu->name, strcspn(cu->name, " "));
    lua_setfield(L, -2, "first_name");
    push_text_or_nil(L, cu->language);
    lua_setfield(L, -2, "language");
    push_text_or_nil(L, cu->timezone);
    lua_setfield(L, -2, "timezone");
    push_text_or_nil(L, cu->country);
    lua_setfield(L, -2, "country");
    if (cu->age > 0)
        set_integer(L, "age", cu->age);
    set_bool(L, "persona", false);
    if (view->has_days) {
        set_integer(L, "days_overdue", view->days_overdue);
        push_date_or_nil(L, anchor->due);
        lua_setfield(L, -2, "due_date");
    }
    if (anchor) {
        lua_pushstring(L, anchor->currency);
        lua_setfield(L, -2, "currency");
        set_integer(L, "amount_due", anchor->amount_minor - anchor->paid_minor);
    }
    if (f->stage_day != INT32_MIN)
        set_integer(L, "stage_day", f->stage_day);
    if (f->case_id)
        set_integer(L, "case_id", f->case_id);
    set_integer(L, "replies", f->replies);
    set_integer(L, "disputes", f->disputes);

    lua_createtable(L, 0, 7);
    set_integer(L, "kept", f->promises_kept);
    set_integer(L, "broken", f->promises_broken);
    set_bool(L, "pending", f->promise_pending);
    push_date_or_nil(L, f->promise_pending ? f->promise_due : DN_NO_DATE);
    lua_setfield(L, -2, "due");
    facts_seal(L, false);
    lua_setfield(L, -2, "promises");

    lua_createtable(L, 0, 5);
    set_integer(L, "count", f->payments_count);
    set_integer(L, "avg_days_late", f->avg_days_late);
    facts_seal(L, false);
    lua_setfield(L, -2, "payments");

    lua_createtable(L, 0, 7);
    set_bool(L, "sms", cu->phone[0] && !(cu->opt_out & DN_OPTOUT_SMS));
    set_bool(L, "email", cu->email[0] && !(cu->opt_out & DN_OPTOUT_EMAIL));
    set_bool(L, "voice", cu->phone[0] && !(cu->opt_out & DN_OPTOUT_VOICE));
    set_bool(L, "chat", cu->chat[0] && !(cu->opt_out & DN_OPTOUT_CHAT));
    facts_seal(L, false);
    lua_setfield(L, -2, "reachable");

    lua_createtable(L, 0, 10);
    for (size_t i = 0; i < sizeof hold_bits / sizeof hold_bits[0]; i++)
        set_bool(L, hold_names[i], (cu->holds & hold_bits[i]) != 0);
    facts_seal(L, false);
    lua_setfield(L, -2, "holds");

    lua_rawgetp(L, LUA_REGISTRYINDEX, &lazy_key);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);                            /* data, data */
    facts_seal(L, false);                            /* data, c */

    lua_createtable(L, 0, 8);                        /* ctx */
    lua_pushstring(L, view->now_text);
    lua_setfield(L, -2, "now");
    lua_pushstring(L, view->today_text);
    lua_setfield(L, -2, "today");
    set_integer(L, "hour", view->minute_of_day / 60);
    set_integer(L, "weekday", view->weekday);
    lua_pushstring(L, view->version ? view->version : "");
    lua_setfield(L, -2, "version");
    facts_seal(L, false);
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
