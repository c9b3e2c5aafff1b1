/*
 * rules_facts.c — the customer as rules see it: the read-only tables `c`
 * and `ctx` over dn_facts (docs/rules-guide.md, "Facts"), and the reverse
 * for rule tests (a fixture table to dn_facts).
 *
 * Nothing is built per decision. `c`, `ctx`, the records c.promises,
 * c.payments, c.reachable and c.holds, the map c.balance, the lists
 * c.invoices and c.contacts and every item those lists can hold are empty
 * tables made once per Lua state (facts_register). Their metatables answer
 * each read with a C function that looks the field up in the facts being
 * decided (rules_sandbox.facts_view) and refuse every write. A rule reads a
 * handful of fields, so a decision costs a handful of C calls instead of
 * building and collecting dozens of tables. Outside a decision
 * (facts_view NULL) every field reads nil.
 *
 * Promises kept for analysts (docs/rules-guide.md, section 8): reading a
 * field that does not exist is nil; writing any field raises "the customer
 * facts are read-only (field 'x')"; getmetatable gives "read-only"; `#`
 * and ipairs work on the lists, and pairs on every table of the facts.
 * The same table answers for the same fact within a decision
 * (c.contacts[1] == c.last_contact).
 */
#include "rules-internal.h"

#include <string.h>

#include "tz.h"

/* Slots of the `parts` table, the upvalue of c's metamethods. */
enum {
    PART_PROMISES = 1, PART_PAYMENTS, PART_REACHABLE, PART_HOLDS,
    PART_BALANCE, PART_INVOICES, PART_CONTACTS,
    PART_COUNT = PART_CONTACTS
};

/* The kinds of tables below `c`; the upvalue 1 of their metamethods. */
typedef enum record_kind {
    R_PROMISES, R_PAYMENTS, R_REACHABLE, R_HOLDS,   /* c.promises .. c.holds */
    R_CONTEXT,                                      /* ctx */
    R_INVOICE, R_CONTACT,                           /* an item of c.invoices, c.contacts */
    R_COUNT
} record_kind;

static const char *const hold_names[] = { "dispute", "bankruptcy", "deceased", "cease_contact",
                                          "vulnerable", "pause", "breathing_space" };
static const unsigned hold_bits[] = { DN_HOLD_DISPUTE, DN_HOLD_BANKRUPTCY, DN_HOLD_DECEASED,
                                      DN_HOLD_CEASE_CONTACT, DN_HOLD_VULNERABLE, DN_HOLD_PAUSE,
                                      DN_HOLD_BREATHING };
#define HOLD_COUNT ((int)(sizeof hold_bits / sizeof hold_bits[0]))

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

static rules_sandbox *facts_sandbox(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}

static const rules_view *view_of(lua_State *L)
{
    return facts_sandbox(L)->facts_view;
}

/* The field name at index 2 of a metamethod call, or NULL for other keys. */
static const char *key_of(lua_State *L, size_t *len)
{
    return lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, len) : NULL;
}

#define KEY_IS(lit) (n == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)

static int facts_readonly(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "the customer facts are read-only (field '%s')", lua_tostring(L, 2));
    return luaL_error(L, "the customer facts are read-only");
}

/* ---- values ---- */

static void push_text(lua_State *L, const char *s)
{
    lua_pushlstring(L, s, strlen(s));
}

/* Pushes s, or nothing when it is empty; returns how many were pushed. */
static int push_text_or_none(lua_State *L, const char *s)
{
    if (!s[0])
        return 0;
    lua_pushlstring(L, s, strlen(s));
    return 1;
}

static int push_date_or_none(lua_State *L, dn_date day)
{
    char text[11];
    if (day == DN_NO_DATE)
        return 0;
    format_date(day, text);
    lua_pushlstring(L, text, 10);
    return 1;
}

static int push_integer(lua_State *L, lua_Integer value)
{
    lua_pushinteger(L, value);
    return 1;
}

/* ctx.now: UTC "YYYY-MM-DDTHH:MM:SSZ". */
static int push_time(lua_State *L, dn_time t)
{
    char text[21];
    int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t second = t - day * 86400;
    format_date((dn_date)day, text);
    text[10] = 'T';
    text[11] = (char)('0' + second / 36000);
    text[12] = (char)('0' + second / 3600 % 10);
    text[13] = ':';
    text[14] = (char)('0' + second / 60 % 60 / 10);
    text[15] = (char)('0' + second / 60 % 10);
    text[16] = ':';
    text[17] = (char)('0' + second % 60 / 10);
    text[18] = (char)('0' + second % 10);
    text[19] = 'Z';
    lua_pushlstring(L, text, 20);
    return 1;
}

/* ---- pairs ---- */

/* The iterator pairs returns: next over a plain table. */
static int facts_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

/* Returns the three values of a pairs() over the snapshot table on top:
 * pairs on the facts iterates a copy made when it starts. */
static int pairs_over_top(lua_State *L)
{
    lua_pushcfunction(L, facts_next);
    lua_insert(L, -2);
    lua_pushnil(L);
    return 3;
}

/* ---- records: promises, payments, reachable, holds, ctx, list items ---- */

typedef struct record_name {
    const char *name;
    size_t      len;
} record_name;
#define NAME(s) { s, sizeof(s) - 1 }

static const record_name promise_names[] = { NAME("kept"), NAME("broken"), NAME("pending"),
                                             NAME("due") };
static const record_name payment_names[] = { NAME("count"), NAME("avg_days_late") };
static const record_name reachable_names[] = { NAME("sms"), NAME("email"), NAME("voice"),
                                               NAME("chat") };
static const record_name hold_field_names[HOLD_COUNT] = {
    NAME("dispute"), NAME("bankruptcy"), NAME("deceased"), NAME("cease_contact"),
    NAME("vulnerable"), NAME("pause"), NAME("breathing_space") };
static const record_name context_names[] = { NAME("now"), NAME("today"), NAME("hour"),
                                             NAME("weekday"), NAME("version") };
static const record_name invoice_names[] = { NAME("id"), NAME("currency"), NAME("amount"),
                                             NAME("paid"), NAME("due"), NAME("issued"),
                                             NAME("status"), NAME("days_overdue") };
static const record_name contact_names[] = { NAME("at"), NAME("channel"), NAME("state"),
                                             NAME("outcome"), NAME("template"), NAME("day") };
#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    const record_name *names;
    int n;
} records[R_COUNT] = {
    [R_PROMISES] = { promise_names, COUNT_OF(promise_names) },
    [R_PAYMENTS] = { payment_names, COUNT_OF(payment_names) },
    [R_REACHABLE] = { reachable_names, COUNT_OF(reachable_names) },
    [R_HOLDS] = { hold_field_names, HOLD_COUNT },
    [R_CONTEXT] = { context_names, COUNT_OF(context_names) },
    [R_INVOICE] = { invoice_names, COUNT_OF(invoice_names) },
    [R_CONTACT] = { contact_names, COUNT_OF(contact_names) },
};

static int invoice_count(const dn_facts *f)
{
    return f->n_invoices < DN_FACT_INVOICES ? f->n_invoices : DN_FACT_INVOICES;
}

static int contact_count(const dn_facts *f)
{
    return f->n_contacts < DN_FACT_CONTACTS ? f->n_contacts : DN_FACT_CONTACTS;
}

static bool reachable(const dn_customer *cu, int channel)
{
    switch (channel) {
    case 0: return cu->phone[0] && !(cu->opt_out & DN_OPTOUT_SMS);
    case 1: return cu->email[0] && !(cu->opt_out & DN_OPTOUT_EMAIL);
    case 2: return cu->phone[0] && !(cu->opt_out & DN_OPTOUT_VOICE);
    default: return cu->chat[0] && !(cu->opt_out & DN_OPTOUT_CHAT);
    }
}

static int push_invoice_field(lua_State *L, const rules_view *view, const dn_fact_invoice *inv,
                              int i)
{
    switch (i) {
    case 0: push_text(L, inv->external_id); return 1;
    case 1: push_text(L, inv->currency); return 1;
    case 2: return push_integer(L, inv->amount_minor);
    case 3: return push_integer(L, inv->paid_minor);
    case 4: return push_date_or_none(L, inv->due);
    case 5: return push_date_or_none(L, inv->issued);
    case 6:
        push_text(L, (unsigned)inv->status < DN_INV_STATUS_COUNT
                         ? dn_invoice_status_names[inv->status] : "open");
        return 1;
    default:
        return inv->due != DN_NO_DATE ? push_integer(L, (lua_Integer)view->today - inv->due) : 0;
    }
}

static int push_contact_field(lua_State *L, const dn_fact_contact *contact, int i)
{
    char at[21];
    switch (i) {
    case 0:
        dn_time_format(contact->at, at);
        push_text(L, at);
        return 1;
    case 1: push_text(L, contact->channel); return 1;
    case 2: push_text(L, contact->state); return 1;
    case 3: return push_text_or_none(L, contact->outcome);
    case 4: return push_text_or_none(L, contact->template_name);
    default: return push_integer(L, contact->step_day);
    }
}

/* Pushes field i of the record (item: 1-based position in its list, for
 * R_INVOICE and R_CONTACT); returns 0 (nothing pushed) when it is nil. */
static int push_record_field(lua_State *L, const rules_view *view, record_kind kind, int item,
                             int i)
{
    const dn_facts *f = view->facts;
    switch (kind) {
    case R_PROMISES:
        if (i == 3)
            return f->promise_pending ? push_date_or_none(L, f->promise_due) : 0;
        if (i == 2) {
            lua_pushboolean(L, f->promise_pending);
            return 1;
        }
        return push_integer(L, i == 0 ? f->promises_kept : f->promises_broken);
    case R_PAYMENTS:
        return push_integer(L, i == 0 ? f->payments_count : f->avg_days_late);
    case R_REACHABLE:
        lua_pushboolean(L, reachable(&f->customer, i));
        return 1;
    case R_HOLDS:
        lua_pushboolean(L, (f->customer.holds & hold_bits[i]) != 0);
        return 1;
    case R_CONTEXT:
        switch (i) {
        case 0: return push_time(L, view->now);
        case 1: return push_date_or_none(L, view->today);
        case 2: return push_integer(L, view->minute_of_day / 60);
        case 3: return push_integer(L, view->weekday);
        default: push_text(L, view->version ? view->version : ""); return 1;
        }
    case R_INVOICE:
        return item <= invoice_count(f) ? push_invoice_field(L, view, &f->invoices[item - 1], i)
                                        : 0;
    case R_CONTACT:
        return item <= contact_count(f) ? push_contact_field(L, &f->contacts[item - 1], i) : 0;
    default:
        return 0;
    }
}

/* __index of a record (upvalues: its kind, its position in its list). */
static int record_index(lua_State *L)
{
    size_t n;
    const char *k = key_of(L, &n);
    const rules_view *view = view_of(L);
    if (!k || !view)
        return 0;
    record_kind kind = (record_kind)lua_tointeger(L, lua_upvalueindex(1));
    for (int i = 0; i < records[kind].n; i++) {
        const record_name *name = &records[kind].names[i];
        if (name->len == n && name->name[0] == k[0] && memcmp(name->name, k, n) == 0)
            return push_record_field(L, view, kind, (int)lua_tointeger(L, lua_upvalueindex(2)),
                                     i);
    }
    return 0;
}

/* __pairs of a record (upvalues as record_index). */
static int record_pairs(lua_State *L)
{
    const rules_view *view = view_of(L);
    record_kind kind = (record_kind)lua_tointeger(L, lua_upvalueindex(1));
    int item = (int)lua_tointeger(L, lua_upvalueindex(2));
    lua_createtable(L, 0, records[kind].n);
    int t = lua_gettop(L);
    for (int i = 0; view && i < records[kind].n; i++)
        if (push_record_field(L, view, kind, item, i))
            lua_setfield(L, t, records[kind].names[i].name);
    return pairs_over_top(L);
}

/* ---- c.invoices, c.contacts (lists) and c.balance (map) ---- */

/* Length of the list of kind R_INVOICE or R_CONTACT in view. */
static int list_count(const rules_view *view, record_kind item_kind)
{
    return item_kind == R_INVOICE ? invoice_count(view->facts) : contact_count(view->facts);
}

/* __index of a list (upvalues: the kind of its items, the table of the
 * item proxies): the item proxy at an integer position within the list. */
static int list_index(lua_State *L)
{
    const rules_view *view = view_of(L);
    int exact = 0;
    if (!view || lua_type(L, 2) != LUA_TNUMBER)
        return 0;
    lua_Integer i = lua_tointegerx(L, 2, &exact);
    record_kind kind = (record_kind)lua_tointeger(L, lua_upvalueindex(1));
    if (!exact || i < 1 || i > list_count(view, kind))
        return 0;
    lua_rawgeti(L, lua_upvalueindex(2), i);
    return 1;
}

static int list_length(lua_State *L)
{
    const rules_view *view = view_of(L);
    record_kind kind = (record_kind)lua_tointeger(L, lua_upvalueindex(1));
    return push_integer(L, view ? list_count(view, kind) : 0);
}

static int list_pairs(lua_State *L)
{
    const rules_view *view = view_of(L);
    record_kind kind = (record_kind)lua_tointeger(L, lua_upvalueindex(1));
    int n = view ? list_count(view, kind) : 0;
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, lua_upvalueindex(2), i);
        lua_rawseti(L, -2, i);
    }
    return pairs_over_top(L);
}

/* __index of c.balance: the unpaid minor units owed in a currency. */
static int balance_index(lua_State *L)
{
    size_t n;
    const char *k = key_of(L, &n);
    const rules_view *view = view_of(L);
    if (!k || !view)
        return 0;
    const dn_facts *f = view->facts;
    for (int i = 0; i < f->n_balance && i < DN_FACT_BALANCES; i++)
        if (strlen(f->balance[i].currency) == n && memcmp(f->balance[i].currency, k, n) == 0)
            return push_integer(L, f->balance[i].amount_minor);
    return 0;
}

static int balance_pairs(lua_State *L)
{
    const rules_view *view = view_of(L);
    int n = view ? (view->facts->n_balance < DN_FACT_BALANCES ? view->facts->n_balance
                                                              : DN_FACT_BALANCES) : 0;
    lua_createtable(L, 0, n);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, view->facts->balance[i].amount_minor);
        lua_setfield(L, -2, view->facts->balance[i].currency);
    }
    return pairs_over_top(L);
}

/* ---- c ---- */

typedef enum customer_field {
    C_ID, C_NAME, C_FIRST_NAME, C_LANGUAGE, C_TIMEZONE, C_COUNTRY, C_AGE, C_PERSONA,
    C_DAYS_OVERDUE, C_DUE_DATE, C_CURRENCY, C_AMOUNT_DUE, C_BALANCE, C_INVOICES, C_STAGE_DAY,
    C_CASE_ID, C_CONTACTS, C_LAST_CONTACT, C_PROMISES, C_REPLIES, C_DISPUTES, C_PAYMENTS,
    C_REACHABLE, C_HOLDS, C_NOTICE_POSTED_ON, C_CASE_REMINDERS, C_COUNT, C_NONE = -1
} customer_field;

static const char *const customer_names[C_COUNT] = {
    [C_ID] = "id", [C_NAME] = "name", [C_FIRST_NAME] = "first_name",
    [C_LANGUAGE] = "language", [C_TIMEZONE] = "timezone", [C_COUNTRY] = "country",
    [C_AGE] = "age", [C_PERSONA] = "persona", [C_DAYS_OVERDUE] = "days_overdue",
    [C_DUE_DATE] = "due_date", [C_CURRENCY] = "currency", [C_AMOUNT_DUE] = "amount_due",
    [C_BALANCE] = "balance", [C_INVOICES] = "invoices", [C_STAGE_DAY] = "stage_day",
    [C_CASE_ID] = "case_id", [C_CONTACTS] = "contacts", [C_LAST_CONTACT] = "last_contact",
    [C_PROMISES] = "promises", [C_REPLIES] = "replies", [C_DISPUTES] = "disputes",
    [C_PAYMENTS] = "payments", [C_REACHABLE] = "reachable", [C_HOLDS] = "holds",
    [C_NOTICE_POSTED_ON] = "notice_posted_on", [C_CASE_REMINDERS] = "case_reminders",
};

/* The field named by k (n bytes), by its first letter: this runs on every
 * read of `c`, so no loop over all the names. */
static customer_field customer_field_of(const char *k, size_t n)
{
    switch (k[0]) {
    case 'a':
        return KEY_IS("age") ? C_AGE : KEY_IS("amount_due") ? C_AMOUNT_DUE : C_NONE;
    case 'b':
        return KEY_IS("balance") ? C_BALANCE : C_NONE;
    case 'c':
        return KEY_IS("currency") ? C_CURRENCY : KEY_IS("contacts") ? C_CONTACTS
             : KEY_IS("case_id") ? C_CASE_ID : KEY_IS("country") ? C_COUNTRY
             : KEY_IS("case_reminders") ? C_CASE_REMINDERS : C_NONE;
    case 'd':
        return KEY_IS("days_overdue") ? C_DAYS_OVERDUE : KEY_IS("due_date") ? C_DUE_DATE
             : KEY_IS("disputes") ? C_DISPUTES : C_NONE;
    case 'f':
        return KEY_IS("first_name") ? C_FIRST_NAME : C_NONE;
    case 'h':
        return KEY_IS("holds") ? C_HOLDS : C_NONE;
    case 'i':
        return KEY_IS("id") ? C_ID : KEY_IS("invoices") ? C_INVOICES : C_NONE;
    case 'l':
        return KEY_IS("language") ? C_LANGUAGE : KEY_IS("last_contact") ? C_LAST_CONTACT : C_NONE;
    case 'n':
        return KEY_IS("name") ? C_NAME : KEY_IS("notice_posted_on") ? C_NOTICE_POSTED_ON
             : C_NONE;
    case 'p':
        return KEY_IS("promises") ? C_PROMISES : KEY_IS("persona") ? C_PERSONA
             : KEY_IS("payments") ? C_PAYMENTS : C_NONE;
    case 'r':
        return KEY_IS("reachable") ? C_REACHABLE : KEY_IS("replies") ? C_REPLIES : C_NONE;
    case 's':
        return KEY_IS("stage_day") ? C_STAGE_DAY : C_NONE;
    case 't':
        return KEY_IS("timezone") ? C_TIMEZONE : C_NONE;
    default:
        return C_NONE;
    }
}

/* Pushes field of the customer in view (parts: index of the parts table);
 * returns 0 (nothing pushed) when the field is nil for this customer. */
static int push_customer_field(lua_State *L, int parts, const rules_view *view,
                               customer_field field)
{
    const dn_facts *f = view->facts;
    const dn_customer *cu = &f->customer;
    const dn_fact_invoice *anchor = view->anchor >= 0 ? &f->invoices[view->anchor] : NULL;

    switch (field) {
    case C_ID:
        push_text(L, cu->external_id);
        return 1;
    case C_NAME:
        push_text(L, cu->name);
        return 1;
    case C_FIRST_NAME:
        lua_pushlstring(L, cu->name, strcspn(cu->name, " "));
        return 1;
    case C_LANGUAGE:
        return push_text_or_none(L, cu->language);
    case C_TIMEZONE:
        return push_text_or_none(L, cu->timezone);
    case C_COUNTRY:
        return push_text_or_none(L, cu->country);
    case C_AGE:
        return cu->age > 0 ? push_integer(L, cu->age) : 0;
    case C_PERSONA:           /* false until classify() has answered */
        if (view->persona)
            push_text(L, view->persona);
        else
            lua_pushboolean(L, 0);
        return 1;
    case C_DAYS_OVERDUE:
        return view->has_days ? push_integer(L, view->days_overdue) : 0;
    case C_DUE_DATE:
        return view->has_days ? push_date_or_none(L, anchor->due) : 0;
    case C_CURRENCY:
        return anchor ? push_text_or_none(L, anchor->currency) : 0;
    case C_AMOUNT_DUE:
        return anchor ? push_integer(L, anchor->amount_minor - anchor->paid_minor) : 0;
    case C_STAGE_DAY:
        return f->stage_day != INT32_MIN ? push_integer(L, f->stage_day) : 0;
    case C_CASE_ID:
        return f->case_id ? push_integer(L, f->case_id) : 0;
    case C_REPLIES:
        return push_integer(L, f->replies);
    case C_DISPUTES:
        return push_integer(L, f->disputes);
    case C_NOTICE_POSTED_ON:  /* nil until the case's written notice was posted */
        return f->notice_posted ? push_date_or_none(L, f->notice_posted_on) : 0;
    case C_CASE_REMINDERS:
        return f->case_id ? push_integer(L, f->case_reminders) : 0;
    case C_PROMISES:
        lua_rawgeti(L, parts, PART_PROMISES);
        return 1;
    case C_PAYMENTS:
        lua_rawgeti(L, parts, PART_PAYMENTS);
        return 1;
    case C_REACHABLE:
        lua_rawgeti(L, parts, PART_REACHABLE);
        return 1;
    case C_HOLDS:
        lua_rawgeti(L, parts, PART_HOLDS);
        return 1;
    case C_BALANCE:
        lua_rawgeti(L, parts, PART_BALANCE);
        return 1;
    case C_INVOICES:
        lua_rawgeti(L, parts, PART_INVOICES);
        return 1;
    case C_CONTACTS:
        lua_rawgeti(L, parts, PART_CONTACTS);
        return 1;
    case C_LAST_CONTACT:      /* c.contacts[1] */
        if (contact_count(f) == 0)
            return 0;
        lua_rawgeti(L, parts, PART_CONTACTS);
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
        return 1;
    default:
        return 0;
    }
}

/* __index of `c` (upvalue 1: parts). */
static int customer_index(lua_State *L)
{
    size_t n;
    const char *k = key_of(L, &n);
    const rules_view *view = view_of(L);
    if (!k || !view)
        return 0;
    customer_field field = customer_field_of(k, n);
    return field == C_NONE ? 0 : push_customer_field(L, lua_upvalueindex(1), view, field);
}

/* __pairs of `c` (upvalue 1: parts). */
static int customer_pairs(lua_State *L)
{
    const rules_view *view = view_of(L);
    lua_createtable(L, 0, C_COUNT);
    int t = lua_gettop(L);
    for (int field = 0; view && field < C_COUNT; field++)
        if (push_customer_field(L, lua_upvalueindex(1), view, (customer_field)field))
            lua_setfield(L, t, customer_names[field]);
    return pairs_over_top(L);
}

/* ---- making them, once per state ---- */

/* Pushes an empty table whose metatable refuses writes and answers reads
 * and pairs (and `#` if length is not NULL) with C closures over the
 * `nup` values on top, which are popped. */
static void push_proxy(lua_State *L, int nup, lua_CFunction index, lua_CFunction pairs,
                       lua_CFunction length)
{
    int first = lua_gettop(L) - nup + 1;
    lua_createtable(L, 0, 0);
    lua_createtable(L, 0, length ? 5 : 4);
    for (int i = 0; i < nup; i++)
        lua_pushvalue(L, first + i);
    lua_pushcclosure(L, index, nup);
    lua_setfield(L, -2, "__index");
    for (int i = 0; i < nup; i++)
        lua_pushvalue(L, first + i);
    lua_pushcclosure(L, pairs, nup);
    lua_setfield(L, -2, "__pairs");
    if (length) {
        for (int i = 0; i < nup; i++)
            lua_pushvalue(L, first + i);
        lua_pushcclosure(L, length, nup);
        lua_setfield(L, -2, "__len");
    }
    lua_pushcfunction(L, facts_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_replace(L, first);
    lua_settop(L, first);
}

static void push_record(lua_State *L, record_kind kind, int item)
{
    lua_pushinteger(L, kind);
    lua_pushinteger(L, item);
    push_proxy(L, 2, record_index, record_pairs, NULL);
}

/* Pushes the proxy of a list whose items are records of item_kind. */
static void push_list(lua_State *L, record_kind item_kind, int capacity)
{
    lua_pushinteger(L, item_kind);
    lua_createtable(L, capacity, 0);
    for (int i = 1; i <= capacity; i++) {
        push_record(L, item_kind, i);
        lua_rawseti(L, -2, i);
    }
    push_proxy(L, 2, list_index, list_pairs, list_length);
}

/* Pushes `c`: an empty proxy whose reads go to its data table, which
 * holds what is the same for every customer of the state (the records,
 * lists and map below `c`) and c.persona, and sends every other field to
 * customer_index. Reading those from a table costs no C call; the records
 * are read in almost every rule. Leaves refs to `c` and the data table in
 * sb. */
static void push_customer(lua_State *L, int parts, rules_sandbox *sb)
{
    static const struct { customer_field field; int part; } constant[] = {
        { C_PROMISES, PART_PROMISES }, { C_PAYMENTS, PART_PAYMENTS },
        { C_REACHABLE, PART_REACHABLE }, { C_HOLDS, PART_HOLDS }, { C_BALANCE, PART_BALANCE },
        { C_INVOICES, PART_INVOICES }, { C_CONTACTS, PART_CONTACTS },
    };
    lua_createtable(L, 0, 8);                       /* data */
    for (size_t i = 0; i < sizeof constant / sizeof constant[0]; i++) {
        lua_rawgeti(L, parts, constant[i].part);
        lua_setfield(L, -2, customer_names[constant[i].field]);
    }
    lua_pushboolean(L, 0);                          /* until classify() answers */
    lua_setfield(L, -2, customer_names[C_PERSONA]);
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, parts);
    lua_pushcclosure(L, customer_index, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    sb->facts_data_ref = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_createtable(L, 0, 0);                       /* data, c */
    lua_createtable(L, 0, 4);                       /* data, c, mt */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, parts);
    lua_pushcclosure(L, customer_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushcfunction(L, facts_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);                        /* data, c */
    sb->facts_customer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
}

void facts_register(lua_State *L)
{
    rules_sandbox *sb = facts_sandbox(L);
    luaL_checkstack(L, 12, "facts");
    lua_createtable(L, PART_COUNT, 0);
    int parts = lua_gettop(L);
    for (int kind = R_PROMISES; kind <= R_HOLDS; kind++) {
        push_record(L, (record_kind)kind, 0);
        lua_rawseti(L, parts, PART_PROMISES + kind);
    }
    lua_pushnil(L);                       /* no upvalue needed; keeps push_proxy uniform */
    push_proxy(L, 1, balance_index, balance_pairs, NULL);
    lua_rawseti(L, parts, PART_BALANCE);
    push_list(L, R_INVOICE, DN_FACT_INVOICES);
    lua_rawseti(L, parts, PART_INVOICES);
    push_list(L, R_CONTACT, DN_FACT_CONTACTS);
    lua_rawseti(L, parts, PART_CONTACTS);
    push_customer(L, parts, sb);
    lua_remove(L, parts);
    push_record(L, R_CONTEXT, 0);
    sb->facts_context_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void facts_set_persona(lua_State *L, rules_sandbox *sb, rules_view *view, int data, int idx)
{
    view->persona = lua_tostring(L, idx);
    lua_pushvalue(L, idx);
    lua_setfield(L, data, "persona");      /* an existing key: no allocation */
    sb->facts_persona_set = true;
}

void facts_push(lua_State *L, rules_sandbox *sb)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->facts_data_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->facts_customer_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->facts_context_ref);
}

void facts_select(lua_State *L, rules_sandbox *sb, const rules_view *view, int data)
{
    sb->facts_view = view;
    if (sb->facts_persona_set) {
        lua_pushboolean(L, 0);
        lua_setfield(L, data, "persona");
        sb->facts_persona_set = false;
    }
}

const dn_tz *facts_zone(const dn_facts *f)
{
    dn_err err;
    const dn_tz *zone = tz_get(f->customer.timezone[0] ? f->customer.timezone : "UTC", &err);
    return zone ? zone : tz_get("UTC", &err);
}

void facts_view_init(rules_view *view, const dn_facts *f, const dn_tz *zone, dn_time now,
                     const char *version)
{
    view->facts = f;
    view->anchor = -1;
    view->open_unpaid = 0;
    view->has_days = false;
    view->days_overdue = 0;
    view->now = now;
    view->version = version;
    view->persona = NULL;
    if (zone) {
        view->today = tz_local_date(zone, now, &view->minute_of_day);
    } else {
        int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400;
        view->today = (dn_date)day;
        view->minute_of_day = (int)((now - day * 86400) / 60);
    }
    int weekday = dn_date_weekday(view->today);
    view->weekday = weekday == 0 ? 7 : weekday;
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
    f->notice_posted_on = fixture_date(L, t, "notice_posted_on");
    f->notice_posted = f->notice_posted_on != DN_NO_DATE;
    f->case_reminders = fixture_int(L, t, "case_reminders", 0);

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
