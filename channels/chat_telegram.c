/* chat_telegram.c — a Telegram-Bot-API-shaped chat driver (chat_telegram.h). */
#include "chat_telegram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_async.h"
#include "http_client.h"
#include "model.h"

#define TELEGRAM_URL_MAX  512
#define TELEGRAM_TEXT_MAX 4096      /* the Bot API's message limit (characters) */

typedef struct telegram_ctx {
    dn_http_client *http;
    char     send_url[TELEGRAM_URL_MAX + 160];
    char     secret[257];
    long     timeout_ms;
} telegram_ctx;

typedef struct telegram_msg {
    int64_t            contact_id;
    char               chat_id[DN_ADDR_MAX];
    dn_channel_done_fn done;
    void              *arg;
} telegram_msg;

const char *telegram_webhook_secret(const void *ctx)
{
    return ((const telegram_ctx *)ctx)->secret;
}

static void telegram_close(void *vctx)
{
    telegram_ctx *ctx = vctx;
    if (!ctx)
        return;
    http_client_free(ctx->http);
    free(ctx);
}

static int telegram_init(void **out, struct event_base *base, json_t *config, dn_err *err)
{
    static const char *const keys[] = { "driver", "token", "api_url", "webhook_secret",
                                        "timeout_ms", NULL };
    telegram_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    ctx->timeout_ms = 10000;
    int rc = 0;
    /* its own keys, and the ones every instance may carry (concurrency,
     * rate_per_second, retry, cost, ...: the dispatcher's) */
    if ((rc = channel_conf_known_keys(config, "chat", keys, err)))
        goto fail;
    const char *token = json_string_value(json_object_get(config, "token"));
    const char *api = json_string_value(json_object_get(config, "api_url"));
    const char *secret = json_string_value(json_object_get(config, "webhook_secret"));
    if (!api)
        api = "https://api.telegram.org";
    if (!token || !token[0] || strlen(token) > 128 || strpbrk(token, "/?#% "))
        rc = dn_err_set(err, -EINVAL, "token", "channels.chat.token must be the bot's token "
                        "(1..128 characters, no / ? # %% or space)");
    else if ((strncmp(api, "http://", 7) && strncmp(api, "https://", 8)) ||
             strlen(api) >= TELEGRAM_URL_MAX)
        rc = dn_err_set(err, -EINVAL, "api_url", "channels.chat.api_url must be an http(s) URL");
    else if (secret && (strlen(secret) < 16 || !dn_strlcpy(ctx->secret, secret,
                                                           sizeof ctx->secret)))
        rc = dn_err_set(err, -EINVAL, "webhook_secret",
                        "channels.chat.webhook_secret must be 16..256 characters");
    if (rc)
        goto fail;
    size_t api_len = strlen(api);
    snprintf(ctx->send_url, sizeof ctx->send_url, "%s%sbot%s/sendMessage", api,
             api[api_len - 1] == '/' ? "" : "/", token);
    json_t *t = json_object_get(config, "timeout_ms");
    if (t && (!json_is_integer(t) || json_integer_value(t) < 100 ||
              json_integer_value(t) > 600000)) {
        rc = dn_err_set(err, -EINVAL, "timeout_ms", "channels.chat.timeout_ms must be 100..600000");
        goto fail;
    }
    if (t)
        ctx->timeout_ms = (long)json_integer_value(t);
    if ((rc = http_client_new(&ctx->http, base, err)))
        goto fail;
    *out = ctx;
    return 0;
fail:
    telegram_close(ctx);
    return rc;
}

static void on_sent(void *arg, long status, const char *body, const char *error)
{
    telegram_msg *msg = arg;
    char detail[300];
    json_t *reply = error ? NULL : json_loads(body, 0, NULL);
    json_t *id = json_object_get(json_object_get(reply, "result"), "message_id");
    if (status == DN_HTTP_CANCELLED) {
        /* stopping with the request out: its outcome is unknown (channel.h
         * wants done() once; the contact becomes in_doubt, never re-sent
         * blindly) */
        msg->done(msg->arg, msg->contact_id, -ETIMEDOUT, NULL,
                  "the engine stopped before the bot API answered");
    } else if (error) {
        /* sent but unanswered: the message may have been delivered, and the
         * bot API has no idempotency key: in_doubt, never sent again blindly */
        snprintf(detail, sizeof detail, "bot API: %s", error);
        msg->done(msg->arg, msg->contact_id, status == DN_HTTP_UNKNOWN ? -ETIMEDOUT : -EIO, NULL,
                  detail);
    } else if (status >= 200 && status < 300 && json_is_true(json_object_get(reply, "ok")) &&
               json_is_integer(id)) {
        char provider[DN_ADDR_MAX + 32];
        snprintf(provider, sizeof provider, "tg-%s-%lld", msg->chat_id,
                 (long long)json_integer_value(id));
        msg->done(msg->arg, msg->contact_id, 0, provider, "message sent");
    } else {
        const char *description = json_string_value(json_object_get(reply, "description"));
        snprintf(detail, sizeof detail, "bot API answered HTTP %ld%s%s", status,
                 description ? ": " : "", description ? description : "");
        /* a 2xx whose body is not an acceptance we can read: the message
         * may have gone out, so its outcome is unknown (in_doubt) */
        int rc = http_status_outcome(status);
        msg->done(msg->arg, msg->contact_id, rc == 0 ? -ETIMEDOUT : rc, NULL, detail);
    }
    json_decref(reply);
    free(msg);
}

static int telegram_send(void *vctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                         dn_err *err)
{
    telegram_ctx *ctx = vctx;
    if (strlen(m->body) > TELEGRAM_TEXT_MAX * 4)
        return dn_err_set(err, -EPERM, "body", "the message is longer than the bot API allows");
    telegram_msg *msg = calloc(1, sizeof *msg);
    if (!msg)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    msg->contact_id = m->contact_id;
    msg->done = done;
    msg->arg = arg;
    dn_strlcpy(msg->chat_id, m->address, sizeof msg->chat_id);
    json_t *req = json_pack("{s:s, s:s}", "chat_id", m->address, "text", m->body);
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!text) {
        free(msg);
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    }
    const char *headers[] = { "Content-Type: application/json", "Expect:", NULL };
    int rc = http_post(ctx->http, ctx->send_url, headers, text, strlen(text), ctx->timeout_ms,
                       on_sent, msg, err);
    free(text);
    if (rc)
        free(msg);
    return rc;
}

const dn_channel_driver dn_channel_telegram = {
    .name = "telegram",
    .init = telegram_init,
    .send = telegram_send,
    .close = telegram_close,
};
