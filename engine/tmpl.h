/*
 * tmpl.h — template text with {variable} placeholders. "{{" and "}}" are
 * literal braces. An unknown variable is an error naming it (caught by
 * check-rules), never silently empty.
 */
#ifndef DN_TMPL_H
#define DN_TMPL_H

#include "common.h"

/* Looks a variable up: writes its value to out and returns 0, or -ENOENT. */
typedef int (*dn_tmpl_lookup_fn)(void *arg, const char *name, char *out, size_t size);

/* Renders src into a malloc'd string (*out, caller frees). */
int tmpl_render(const char *src, dn_tmpl_lookup_fn lookup, void *arg, char **out, dn_err *err);
/* Calls fn for every variable name used in src (for checking); -EINVAL on a
 * syntax error (unclosed brace) with the byte offset in err. */
int tmpl_each_variable(const char *src, int (*fn)(void *arg, const char *name), void *arg,
                       dn_err *err);

#endif
