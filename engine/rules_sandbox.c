/*
 * rules_sandbox.c — the Lua sandbox the analysts' rules run in.
 *
 * What a rule can reach: the base functions minus every loader and
 * anything that touches the process (no dofile, loadfile, collectgarbage,
 * rawset, warn; print goes to the debug log; load compiles text only, in
 * the sandbox environment), string (without dump), table, math, utf8,
 * coroutine, os.time/date/clock, and the `dn` helpers. Library tables and
 * the globals are read-only proxies; reading an undefined global is an
 * error; the shared string metatable cannot be fetched.
 *
 * Limits: a capped allocator; an instruction budget and a wall-clock
 * deadline checked by a count hook. Once either is exceeded the hook fires
 * on every instruction and raises again, so a rule's own pcall, xpcall
 * handler or coroutine cannot swallow the error: control always returns to
 * the host, which rebuilds the state before the next customer.
 *
 * The hook is armed late. Lua 5.4 sends every VM instruction of a thread
 * with any count hook through its debug trap, which doubles the cost of
 * rule code, and a rule call takes microseconds. So rule calls start with
 * no hook, and a watchdog thread arms it on a call still running after
 * SANDBOX_GRACE_MS (it looks every SANDBOX_WATCH_MS): it asks, with a
 * signal, the evaluating thread itself to set the hook (lua_sethook is the
 * one Lua call made for signal handlers; lua.c stops scripts the same
 * way), so the watchdog never touches a Lua state, and a state is closed
 * only by the thread that runs it. From arming on, the limits are exactly
 * those of a hook set at the start: the budget counts the instructions
 * run from arming, on every thread of the state; the deadline is wall_ms
 * after the watchdog first saw the call running, so a call is stopped
 * within wall_ms plus one look (or the grace period, if longer) plus its
 * budget's worth of hooked instructions. The thread armed is the one
 * running: coroutine.resume and coroutine.close are wrapped so that the
 * sandbox always knows which thread runs, and hook the next one when the
 * call is armed; a hook left on a thread from an earlier, armed call
 * takes itself off at its first firing.
 *
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

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <lualib.h>

#include "money.h"
#include "sms.h"

#define SANDBOX_HOOK_STEP   1000            /* instructions between hook calls */
#define SANDBOX_GRACE_MS    1               /* a rule call runs this long unhooked */
#define SANDBOX_WATCH_MS    1               /* the watchdog looks this often ... */
#define SANDBOX_WATCH_IDLE  100             /* ... until this many looks found no rule running */
#define SANDBOX_ARM_SIGNAL  (SIGRTMIN + 1)  /* the watchdog's "arm the hook" to a thread;
                                               no other part of dunningd uses it
                                               (docs/operations.md) */
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
        if (!sb->main || sb->nesting == 0 || new_size - old > slack ||
            sb->used + (new_size - old) > sb->cap + slack) {
            sb->out_of_memory = true;
            return NULL;
        }
        if (!sb->over_cap) {
            sb->over_cap = true;          /* the running thread raises at its next instruction */
            lua_sethook(atomic_load(&sb->running), sandbox_hook, LUA_MASKCOUNT, 1);
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

static int64_t clock_ns(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* CLOCK_MONOTONIC_COARSE: a few instructions (vDSO), and fine enough for
 * a deadline of milliseconds (it runs up to a tick behind the precise
 * clock, on the same time base). */
static int64_t coarse_now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* ---- the instruction budget and the deadline ---- */

/* Is the current rule call armed? (Its hook set on the running thread.) */
static bool sandbox_armed(rules_sandbox *sb)
{
    return atomic_load(&sb->armed_call) == atomic_load(&sb->call);
}

static void sandbox_hook(lua_State *L, lua_Debug *ar);

static void sandbox_hook_thread(lua_State *thread, rules_sandbox *sb)
{
    lua_sethook(thread, sandbox_hook, LUA_MASKCOUNT, sb->hook_step);
}

/* Count hook: charges the instructions run since the last call, checks the
 * deadline, and once blown raises on every instruction. A hook left from
 * an earlier call takes itself off (and back on if the watchdog armed this
 * call in between: it arms the running thread, which is this one). */
static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
    rules_sandbox *sb = sandbox_of(L);
    (void)ar;

    if (sb->over_cap && !sb->blown) {
        sb->blown = true;
        snprintf(sb->blown_msg, sizeof sb->blown_msg, "memory limit exceeded (%zu MiB)",
                 sb->cap / (1024 * 1024));
    }
    if (!sb->blown && !sandbox_armed(sb)) {
        lua_sethook(L, NULL, 0, 0);
        if (sandbox_armed(sb))
            sandbox_hook_thread(L, sb);
        return;
    }
    if (!sb->blown) {
        sb->spent += lua_gethookcount(L);
        if (sb->spent > sb->budget) {
            sb->blown = true;
            snprintf(sb->blown_msg, sizeof sb->blown_msg,
                     "instruction limit exceeded (%ld instructions)", sb->budget);
        } else if (coarse_now_ns() >= atomic_load_explicit(&sb->arm_deadline_ns,
                                                           memory_order_relaxed)) {
            sb->blown = true;
            snprintf(sb->blown_msg, sizeof sb->blown_msg, "time limit exceeded (%d ms)",
                     sb->wall_ms);
        }
        if (!sb->blown)
            return;
    }
    lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, sb->blown_msg);
    lua_error(L);
}

/* Makes thread the one running Lua, hooked when the call is armed. The
 * store comes before the check: a watchdog signal in between arms `thread`
 * itself. A hook already there is left alone: setting it again restarts
 * its count, and two threads passing control back and forth would then
 * never reach it. */
static void sandbox_switch_to(rules_sandbox *sb, lua_State *thread)
{
    atomic_store(&sb->running, thread);
    if (sandbox_armed(sb) && lua_gethook(thread) != sandbox_hook)
        sandbox_hook_thread(thread, sb);
}

void sandbox_arm(lua_State *L, rules_sandbox *sb, const char *entry_where)
{
    (void)L;
    sb->spent = 0;
    sb->blown = false;
    sb->entry_where = entry_where;
    /* a new call is not armed (armed_call names the last one that was) */
    atomic_store_explicit(&sb->call, atomic_load_explicit(&sb->call, memory_order_relaxed) + 1,
                          memory_order_relaxed);
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

/* ---- the watchdog ---- */

/* One thread for the process watches every open state: every
 * SANDBOX_WATCH_MS it looks at each state inside sandbox_pcall, and when
 * the same rule call has been running for SANDBOX_GRACE_MS it records that
 * call and its deadline in the state and sends SANDBOX_ARM_SIGNAL to the
 * evaluating thread, whose handler arms it. A state is on the list from
 * sandbox_open to sandbox_close; the thread and `watched` change under the
 * lock, so the thread signalled is inside sandbox_pcall, alive. The thread
 * starts with the first state and stops with the last; after
 * SANDBOX_WATCH_IDLE looks with no rule running it sleeps until
 * sandbox_pcall wakes it. */
static struct {
    pthread_mutex_t lock;          /* the list, each state's watchdog fields, the flags */
    pthread_mutex_t lifecycle;     /* held while the thread starts or stops */
    pthread_cond_t  wake;          /* CLOCK_MONOTONIC */
    pthread_once_t  once;
    int             once_error;
    rules_sandbox  *first;
    pthread_t       thread;
    bool            started, stop, sleeping;
} watchdog = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT };

/* The state whose sandbox_pcall this thread is in: the signal handler's
 * only way to a state (one named by the watchdog could be closed by the
 * time the signal arrives; this one cannot). */
static _Thread_local _Atomic(rules_sandbox *) current_sandbox;

/* SANDBOX_ARM_SIGNAL, on the evaluating thread: arms the call the watchdog
 * asked for if it is still the one running. Only atomics and lua_sethook. */
static void sandbox_arm_signal(int signo)
{
    int saved_errno = errno;
    rules_sandbox *sb = atomic_load(&current_sandbox);
    (void)signo;
    if (sb) {
        uint64_t call = atomic_load(&sb->call);
        if (atomic_load(&sb->arm_request) == call && atomic_load(&sb->armed_call) != call) {
            atomic_store(&sb->armed_call, call);
            sandbox_hook_thread(atomic_load(&sb->running), sb);
        }
    }
    errno = saved_errno;
}

static void watchdog_init(void)
{
    pthread_condattr_t attr;
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = sandbox_arm_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    int rc = pthread_condattr_init(&attr);
    if (rc == 0) {
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        if (rc == 0)
            rc = pthread_cond_init(&watchdog.wake, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (rc == 0 && sigaction(SANDBOX_ARM_SIGNAL, &action, NULL) != 0)
        rc = errno;
    watchdog.once_error = rc;
}

/* One look at every state (lock held); returns whether a rule was running. */
static bool watchdog_look(int64_t now)
{
    bool running = false;
    for (rules_sandbox *sb = watchdog.first; sb; sb = sb->watch_next) {
        if (!sb->watched)
            continue;
        running = true;
        uint64_t call = atomic_load(&sb->call);
        if (call != sb->seen_call) {
            sb->seen_call = call;
            sb->seen_since_ns = now;
        } else if (now - sb->seen_since_ns >= (int64_t)SANDBOX_GRACE_MS * 1000000 &&
                   sb->requested_call != call) {
            sb->requested_call = call;
            atomic_store(&sb->arm_deadline_ns, sb->seen_since_ns + (int64_t)sb->wall_ms * 1000000);
            atomic_store(&sb->arm_request, call);
            pthread_kill(sb->thread, SANDBOX_ARM_SIGNAL);
        }
    }
    return running;
}

static void *watchdog_main(void *arg)
{
    int idle_looks = 0;
    (void)arg;

    pthread_mutex_lock(&watchdog.lock);
    while (!watchdog.stop) {
        if (watchdog_look(clock_ns(CLOCK_MONOTONIC)))
            idle_looks = 0;
        else
            idle_looks++;
        if (idle_looks >= SANDBOX_WATCH_IDLE) {
            watchdog.sleeping = true;
            pthread_cond_wait(&watchdog.wake, &watchdog.lock);
            watchdog.sleeping = false;
            idle_looks = 0;
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SANDBOX_WATCH_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&watchdog.wake, &watchdog.lock, &until);
    }
    pthread_mutex_unlock(&watchdog.lock);
    return NULL;
}

/* Puts sb on the list, starting the thread (which blocks every signal) with
 * the first state. Returns 0 or a negative errno. */
static int watchdog_add(rules_sandbox *sb)
{
    int rc = 0;
    sigset_t all, old;

    pthread_once(&watchdog.once, watchdog_init);
    if (watchdog.once_error)
        return -watchdog.once_error;
    pthread_mutex_lock(&watchdog.lifecycle);
    if (!watchdog.started) {
        watchdog.stop = false;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        rc = -pthread_create(&watchdog.thread, NULL, watchdog_main, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        watchdog.started = rc == 0;
    }
    if (rc == 0) {
        pthread_mutex_lock(&watchdog.lock);
        sb->watch_prev = NULL;
        sb->watch_next = watchdog.first;
        if (watchdog.first)
            watchdog.first->watch_prev = sb;
        watchdog.first = sb;
        pthread_mutex_unlock(&watchdog.lock);
    }
    pthread_mutex_unlock(&watchdog.lifecycle);
    return rc;
}

/* Takes sb off the list (the watchdog looks at it no more once this
 * returns), stopping the thread with the last state. */
static void watchdog_remove(rules_sandbox *sb)
{
    pthread_mutex_lock(&watchdog.lifecycle);
    pthread_mutex_lock(&watchdog.lock);
    if (sb->watch_prev)
        sb->watch_prev->watch_next = sb->watch_next;
    else
        watchdog.first = sb->watch_next;
    if (sb->watch_next)
        sb->watch_next->watch_prev = sb->watch_prev;
    bool last = watchdog.first == NULL;
    if (last) {
        watchdog.stop = true;
        pthread_cond_signal(&watchdog.wake);
    }
    pthread_mutex_unlock(&watchdog.lock);
    if (last) {
        pthread_join(watchdog.thread, NULL);
        watchdog.started = false;
    }
    pthread_mutex_unlock(&watchdog.lifecycle);
}

/* Shows the watchdog that this thread is in sb's protected call (or no
 * longer is), waking it if it sleeps. */
static void watchdog_watch(rules_sandbox *sb, bool watched)
{
    pthread_mutex_lock(&watchdog.lock);
    sb->watched = watched;
    if (watched) {
        sb->thread = pthread_self();
        if (watchdog.sleeping)
            pthread_cond_signal(&watchdog.wake);
    }
    pthread_mutex_unlock(&watchdog.lock);
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

    rules_sandbox *outer = NULL;

    lua_pushcfunction(L, sandbox_message_handler);
    lua_insert(L, handler);
    sb->where[0] = '\0';
    sb->out_of_memory = false;
    sb->over_cap = false;
    sandbox_arm(L, sb, NULL);
    if (sb->nesting++ == 0) {            /* the new call before `watched`: see watchdog_look */
        atomic_store(&sb->running, L);
        outer = atomic_exchange(&current_sandbox, sb);
        watchdog_watch(sb, true);
    }
    status = lua_pcall(L, nargs, nresults, handler);
    if (--sb->nesting == 0) {
        watchdog_watch(sb, false);
        atomic_store(&current_sandbox, outer);
    }
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

/* coroutine.resume and coroutine.close (upvalue 1: the library's): both
 * run Lua in the coroutine given (close runs its pending __close
 * handlers), so it is the running thread, hooked if the call is armed,
 * until the library function returns or raises; then its caller is again. */
static int sandbox_coroutine_switch(lua_State *L)
{
    rules_sandbox *sb = sandbox_of(L);
    lua_State *co = lua_tothread(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    if (!co) {                           /* the library's own argument error */
        lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
        return lua_gettop(L);
    }
    sandbox_switch_to(sb, co);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    sandbox_switch_to(sb, L);
    if (status != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

/* coroutine.wrap built on create and the wrapped resume (Lua text, run
 * once at setup). */
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
    static const char *const switching[] = { "resume", "close" };
    for (size_t i = 0; i < sizeof switching / sizeof switching[0]; i++) {
        lua_getfield(L, coroutine, switching[i]);
        lua_pushcclosure(L, sandbox_coroutine_switch, 1);
        lua_setfield(L, coroutine, switching[i]);
    }
    if (luaL_loadbufferx(L, coroutine_wrap_source, sizeof coroutine_wrap_source - 1,
                         "=coroutine.wrap", "t") != LUA_OK)
        return lua_error(L);
    lua_getfield(L, coroutine, "create");
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
    sb->nesting = 0;
    sb->hook_step = sb->budget < SANDBOX_HOOK_STEP ? (sb->budget > 0 ? (int)sb->budget : 1)
                                                   : SANDBOX_HOOK_STEP;
    atomic_init(&sb->running, L);
    atomic_init(&sb->call, 1);
    atomic_init(&sb->armed_call, 0);
    atomic_init(&sb->arm_request, 0);
    atomic_init(&sb->arm_deadline_ns, 0);
    sb->watched = false;
    sb->seen_call = sb->requested_call = 0;
    lua_pushcfunction(L, sandbox_setup);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        dn_log(DN_LOG_ERROR, "rules", "cannot build the sandbox: %s",
               lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "out of memory");
        lua_close(L);
        return NULL;
    }
    int rc = watchdog_add(sb);
    if (rc < 0) {
        dn_log(DN_LOG_ERROR, "rules", "cannot start the rules watchdog: %s", strerror(-rc));
        lua_close(L);
        return NULL;
    }
    sb->main = L;
    return L;
}

void sandbox_close(lua_State *L, rules_sandbox *sb)
{
    watchdog_remove(sb);
    lua_close(L);
}
