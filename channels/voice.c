/* voice.c — the voice robot driver, SSML and local audio (voice.h). */
#include "voice.h"

#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callback_sign.h"
#include "http_async.h"
#include "http_client.h"

#define VOICE_URL_MAX       512
#define VOICE_WAV_MAX_BYTES (32u << 20)   /* about 12 minutes of speech */

/* ---- profiles, prompt and SSML (pure) ---- */

void voice_profile_default(const char *language, const char *tone, dn_voice_profile *out)
{
    static const struct { const char *tone; const char *gender; int rate, pitch; } tones[] = {
        { "friendly", "female", 100, 10 }, { "gentle", "female", 85, 5 },
        { "neutral", "male", 95, 0 },      { "firm", "male", 88, -10 },
        { "urgent", "male", 105, -5 },
    };
    static const char *const languages[] = { "lv", "ru", "en" };
    memset(out, 0, sizeof *out);
    dn_strlcpy(out->voice, "en", sizeof out->voice);
    for (size_t i = 0; language && i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(language, languages[i]) == 0)
            dn_strlcpy(out->voice, languages[i], sizeof out->voice);
    size_t t = 2;   /* neutral */
    for (size_t i = 0; tone && i < sizeof tones / sizeof tones[0]; i++)
        if (strcmp(tone, tones[i].tone) == 0)
            t = i;
    dn_strlcpy(out->gender, tones[t].gender, sizeof out->gender);
    out->rate = tones[t].rate;
    out->pitch = tones[t].pitch;
}

void voice_prompt(const char *language, int promise_days, char *out, size_t size)
{
    if (language && strcmp(language, "lv") == 0)
        snprintf(out, size, "Nospiediet 1, lai apsolītu samaksāt %d dienu laikā. "
                            "Nospiediet 2, lai runātu ar darbinieku.", promise_days);
    else if (language && strcmp(language, "ru") == 0)
        snprintf(out, size, "Нажмите 1, чтобы пообещать оплатить в течение %d дней. "
                            "Нажмите 2, чтобы поговорить с сотрудником.", promise_days);
    else
        snprintf(out, size, "Press 1 to promise to pay within %d days. "
                            "Press 2 to talk to a person.", promise_days);
}

/* Appends text XML-escaped; false when it does not fit. */
static bool put_escaped(char *out, size_t size, size_t *len, const char *text)
{
    for (const char *p = text; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: break;
        }
        size_t n = rep ? strlen(rep) : 1;
        if (*len + n >= size)
            return false;
        memcpy(out + *len, rep ? rep : p, n);
        *len += n;
    }
    out[*len] = '\0';
    return true;
}

static bool put_format(char *out, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool put_format(char *out, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size - *len)
        return false;
    *len += (size_t)n;
    return true;
}

int voice_ssml(const char *language, const dn_voice_profile *p, const char *text,
               const char *prompt, char *out, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return -E2BIG;
    out[0] = '\0';
    bool ok = put_format(out, size, &len, "<speak version=\"1.0\" xml:lang=\"") &&
              put_escaped(out, size, &len, language && language[0] ? language : "en") &&
              put_format(out, size, &len, "\"><voice name=\"") &&
              put_escaped(out, size, &len, p->voice) &&
              put_format(out, size, &len, "\" gender=\"") &&
              put_escaped(out, size, &len, p->gender) &&
              put_format(out, size, &len, "\"><prosody rate=\"%d%%\" pitch=\"%+d%%\">", p->rate,
                         p->pitch) &&
              put_escaped(out, size, &len, text) &&
              (!prompt || !prompt[0] ||
               (put_format(out, size, &len, "<break time=\"700ms\"/>") &&
                put_escaped(out, size, &len, prompt))) &&
              put_format(out, size, &len, "</prosody></voice></speak>");
    if (!ok) {
        out[0] = '\0';
        return -E2BIG;
    }
    return 0;
}

/* ---- local rendering with libespeak-ng ---- */

typedef struct wav_sink {
    unsigned char *data;
    size_t         len, cap;
    bool           overflow;
} wav_sink;

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    wav_sink *sink = events ? events->user_data : NULL;
    if (!sink || !wav || n <= 0)
        return 0;
    size_t bytes = (size_t)n * 2;
    if (sink->len + bytes > VOICE_WAV_MAX_BYTES) {
        sink->overflow = true;
        return 1;                       /* stop synthesis */
    }
    if (sink->len + bytes > sink->cap) {
        size_t cap = sink->cap ? sink->cap * 2 : 1 << 16;
        while (cap < sink->len + bytes)
            cap *= 2;
        unsigned char *grown = realloc(sink->data, cap);
        if (!grown) {
            sink->overflow = true;
            return 1;
        }
        sink->data = grown;
        sink->cap = cap;
    }
    for (int i = 0; i < n; i++) {        /* little-endian 16-bit PCM */
        unsigned short v = (unsigned short)wav[i];
        sink->data[sink->len++] = (unsigned char)(v & 0xff);
        sink->data[sink->len++] = (unsigned char)(v >> 8);
    }
    return 0;
}

static void put_le(unsigned char *p, unsigned v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int voice_render_wav(const char *ssml, const char *path, dn_err *err)
{
    static int rate = 0;             /* espeak-ng is initialised once per process */
    if (rate <= 0) {
        rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0);
        if (rate <= 0)
            return dn_err_set(err, -EIO, "voice", "libespeak-ng did not initialise "
                              "(is espeak-ng-data installed?)");
    }
    espeak_SetSynthCallback(on_samples);
    wav_sink sink = { 0 };
    int rc = 0;
    espeak_ERROR e = espeak_Synth(ssml, strlen(ssml) + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8 | espeakSSML, NULL, &sink);
    if (e != EE_OK) {
        rc = dn_err_set(err, -EIO, "voice", "libespeak-ng could not speak the text (%d)", (int)e);
        goto done;
    }
    espeak_Synchronize();
    if (sink.overflow) {
        rc = dn_err_set(err, -E2BIG, "voice", "the audio is longer than %u bytes",
                        VOICE_WAV_MAX_BYTES);
        goto done;
    }
    unsigned char header[44];
    memcpy(header, "RIFF", 4);
    put_le(header + 4, (unsigned)(36 + sink.len), 4);
    memcpy(header + 8, "WAVEfmt ", 8);
    put_le(header + 16, 16, 4);                 /* fmt chunk size */
    put_le(header + 20, 1, 2);                  /* PCM */
    put_le(header + 22, 1, 2);                  /* mono */
    put_le(header + 24, (unsigned)rate, 4);
    put_le(header + 28, (unsigned)rate * 2, 4); /* bytes per second */
    put_le(header + 32, 2, 2);                  /* block align */
    put_le(header + 34, 16, 2);                 /* bits per sample */
    memcpy(header + 36, "data", 4);
    put_le(header + 40, (unsigned)sink.len, 4);
    FILE *f = fopen(path, "wb");
    if (!f) {
        rc = dn_err_set(err, -errno, "audio_dir", "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    bool ok = fwrite(header, 1, sizeof header, f) == sizeof header &&
              fwrite(sink.data ? (void *)sink.data : (void *)"", 1, sink.len, f) == sink.len;
    if (fclose(f) != 0 || !ok)
        rc = dn_err_set(err, -EIO, "audio_dir", "cannot write %s", path);
done:
    free(sink.data);
    return rc;
}

/* ---- the driver ---- */

typedef struct voice_ctx {
    dn_http_client *http;
    char     url[VOICE_URL_MAX];
    char     callback_url[VOICE_URL_MAX];
    char     from[32];
    char     audio_dir[VOICE_URL_MAX];
    long     timeout_ms;
    int      promise_days;
    json_t  *voices;               /* overrides, owned; may be NULL */
    bool     deduplicates;         /* the telephony API drops a repeated Idempotency-Key */
} voice_ctx;

/* One call being placed; owned by the HTTP completion. */
typedef struct voice_call {
    int64_t            contact_id;
    dn_channel_done_fn done;
    void              *arg;
} voice_call;

int voice_driver_promise_days(const void *ctx)
{
    return ((const voice_ctx *)ctx)->promise_days;
}

static int config_text(json_t *config, const char *key, bool required, char *dst, size_t size,
                       dn_err *err)
{
    json_t *v = json_object_get(config, key);
    if (!v && !required)
        return 0;
    if (!json_is_string(v) || !json_string_value(v)[0] ||
        !dn_strlcpy(dst, json_string_value(v), size))
        return dn_err_set(err, -EINVAL, key, "channels.voice.%s must be text of 1..%zu bytes",
                          key, size - 1);
    return 0;
}

static int check_voices(json_t *voices, dn_err *err)
{
    const char *lang, *tone, *key;
    json_t *tones, *p, *v;
    if (!json_is_object(voices))
        return dn_err_set(err, -EINVAL, "voices", "channels.voice.voices must be an object "
                          "{language: {tone: {voice, gender, rate, pitch}}}");
    json_object_foreach(voices, lang, tones) {
        if (!json_is_object(tones))
            return dn_err_set(err, -EINVAL, "voices", "voices.%s must be an object", lang);
        json_object_foreach(tones, tone, p) {
            if (!json_is_object(p))
                return dn_err_set(err, -EINVAL, "voices", "voices.%s.%s must be an object",
                                  lang, tone);
            json_object_foreach(p, key, v) {
                bool text = strcmp(key, "voice") == 0 || strcmp(key, "gender") == 0;
                bool number = strcmp(key, "rate") == 0 || strcmp(key, "pitch") == 0;
                if (!text && !number)
                    return dn_err_set(err, -EINVAL, "voices", "voices.%s.%s: unknown key "
                                      "\"%s\"", lang, tone, key);
                if (text && (!json_is_string(v) || strlen(json_string_value(v)) >= 8 * 4 ||
                             strpbrk(json_string_value(v), "<>&\"'")))
                    return dn_err_set(err, -EINVAL, "voices", "voices.%s.%s.%s must be a "
                                      "short name", lang, tone, key);
                if (strcmp(key, "rate") == 0 && (!json_is_integer(v) ||
                                                 json_integer_value(v) < 50 ||
                                                 json_integer_value(v) > 200))
                    return dn_err_set(err, -EINVAL, "voices", "voices.%s.%s.rate must be "
                                      "50..200 (percent)", lang, tone);
                if (strcmp(key, "pitch") == 0 && (!json_is_integer(v) ||
                                                  json_integer_value(v) < -50 ||
                                                  json_integer_value(v) > 50))
                    return dn_err_set(err, -EINVAL, "voices", "voices.%s.%s.pitch must be "
                                      "-50..50 (percent)", lang, tone);
            }
        }
    }
    return 0;
}

static void voice_close(void *vctx)
{
    voice_ctx *ctx = vctx;
    if (!ctx)
        return;
    http_client_free(ctx->http);
    json_decref(ctx->voices);
    free(ctx);
}

static int voice_init(void **out, struct event_base *base, json_t *config, dn_err *err)
{
    static const char *const keys[] = { "driver", "url", "callback_url", "from", "timeout_ms",
                                        "promise_days", "audio_dir", "voices", "deduplicates",
                                        NULL };
    voice_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    ctx->timeout_ms = 10000;
    ctx->promise_days = 7;
    int rc = 0;
    /* its own keys, and the ones every instance may carry (concurrency,
     * rate_per_second, retry, cost, ...: the dispatcher's) */
    if ((rc = channel_conf_known_keys(config, "voice", keys, err)))
        goto fail;
    if ((rc = config_text(config, "url", true, ctx->url, sizeof ctx->url, err)) ||
        (rc = config_text(config, "callback_url", false, ctx->callback_url,
                          sizeof ctx->callback_url, err)) ||
        (rc = config_text(config, "from", false, ctx->from, sizeof ctx->from, err)) ||
        (rc = config_text(config, "audio_dir", false, ctx->audio_dir, sizeof ctx->audio_dir,
                          err)))
        goto fail;
    if (strncmp(ctx->url, "http://", 7) && strncmp(ctx->url, "https://", 8)) {
        rc = dn_err_set(err, -EINVAL, "url", "channels.voice.url must be an http(s) URL");
        goto fail;
    }
    json_t *t = json_object_get(config, "timeout_ms");
    if (t && (!json_is_integer(t) || json_integer_value(t) < 100 ||
              json_integer_value(t) > 600000)) {
        rc = dn_err_set(err, -EINVAL, "timeout_ms", "channels.voice.timeout_ms must be 100..600000");
        goto fail;
    }
    if (t)
        ctx->timeout_ms = (long)json_integer_value(t);
    json_t *d = json_object_get(config, "promise_days");
    if (d && (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 90)) {
        rc = dn_err_set(err, -EINVAL, "promise_days", "channels.voice.promise_days must be 1..90");
        goto fail;
    }
    if (d)
        ctx->promise_days = (int)json_integer_value(d);
    json_t *voices = json_object_get(config, "voices");
    if (voices && (rc = check_voices(voices, err)))
        goto fail;
    ctx->voices = json_incref(voices);
    json_t *dd = json_object_get(config, "deduplicates");
    if (dd && !json_is_boolean(dd)) {
        rc = dn_err_set(err, -EINVAL, "deduplicates",
                        "channels.voice.deduplicates must be true or false");
        goto fail;
    }
    ctx->deduplicates = json_is_true(dd);
    if ((rc = http_client_new(&ctx->http, base, err)))
        goto fail;
    *out = ctx;
    return 0;
fail:
    voice_close(ctx);
    return rc;
}

/* The profile for a message: built-in, then config overrides, then the
 * rule step's voice. */
static void profile_for(const voice_ctx *ctx, const dn_message *m, dn_voice_profile *p)
{
    voice_profile_default(m->language, m->tone, p);
    json_t *o = json_object_get(json_object_get(ctx->voices, m->language ? m->language : ""),
                                m->tone ? m->tone : "");
    if (json_is_string(json_object_get(o, "voice")))
        dn_strlcpy(p->voice, json_string_value(json_object_get(o, "voice")), sizeof p->voice);
    if (json_is_string(json_object_get(o, "gender")))
        dn_strlcpy(p->gender, json_string_value(json_object_get(o, "gender")), sizeof p->gender);
    if (json_is_integer(json_object_get(o, "rate")))
        p->rate = (int)json_integer_value(json_object_get(o, "rate"));
    if (json_is_integer(json_object_get(o, "pitch")))
        p->pitch = (int)json_integer_value(json_object_get(o, "pitch"));
    if (m->voice && m->voice[0] && !strpbrk(m->voice, "<>&\"'"))
        dn_strlcpy(p->voice, m->voice, sizeof p->voice);
}

static void on_call_placed(void *arg, long status, const char *body, const char *error)
{
    voice_call *call = arg;
    char detail[300];
    if (status == DN_HTTP_CANCELLED) {
        /* the engine is stopping with the request out: the outcome is
         * unknown (channel.h wants done() once; the contact becomes
         * in_doubt, never called twice blindly) */
        call->done(call->arg, call->contact_id, -ETIMEDOUT, NULL,
                   "the engine stopped before the telephony API answered");
    } else if (error) {
        /* sent but unanswered: the call may be ringing; in_doubt unless the
         * instance says the API deduplicates by the idempotency key */
        snprintf(detail, sizeof detail, "telephony API: %s", error);
        call->done(call->arg, call->contact_id, status == DN_HTTP_UNKNOWN ? -ETIMEDOUT : -EIO,
                   NULL, detail);
    } else if (status >= 200 && status < 300) {
        json_t *reply = json_loads(body, 0, NULL);
        const char *call_id = json_string_value(json_object_get(reply, "call_id"));
        call->done(call->arg, call->contact_id, 0, call_id, "call placed");
        json_decref(reply);
    } else {
        snprintf(detail, sizeof detail, "telephony API answered HTTP %ld", status);
        call->done(call->arg, call->contact_id, http_status_outcome(status), NULL, detail);
    }
    free(call);
}

static int voice_send(void *vctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                      dn_err *err)
{
    voice_ctx *ctx = vctx;
    dn_voice_profile p;
    char prompt[256];
    profile_for(ctx, m, &p);
    voice_prompt(m->language, ctx->promise_days, prompt, sizeof prompt);
    size_t size = strlen(m->body) * 6 + sizeof prompt * 6 + 512;
    char *ssml = malloc(size);
    char *text = NULL;
    voice_call *call = NULL;
    int rc;
    if (!ssml)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    if ((rc = voice_ssml(m->language, &p, m->body, prompt, ssml, size))) {
        dn_err_set(err, -EPERM, "body", "the call's text does not fit its SSML");
        goto done;
    }
    if (ctx->audio_dir[0]) {
        char path[VOICE_URL_MAX + 32];
        snprintf(path, sizeof path, "%s/%lld.wav", ctx->audio_dir, (long long)m->contact_id);
        dn_err werr;
        if (voice_render_wav(ssml, path, &werr))
            dn_log(DN_LOG_WARN, "voice", "contact %lld: no audio: %s", (long long)m->contact_id,
                   werr.msg);
    }
    json_t *req = json_pack("{s:s, s:s, s:s, s:I, s:s}", "to", m->address, "from", ctx->from,
                            "ssml", ssml, "contact_id", (json_int_t)m->contact_id,
                            "idempotency_key", m->idem_key);
    if (req && ctx->callback_url[0]) {
        /* signed for this contact, so the provider calls back without an
         * API token (and cannot speak for any other contact) */
        char sig[DN_CALLBACK_SIG_HEX], url[VOICE_URL_MAX + 80];
        callback_sign("voice", m->contact_id, sig);
        snprintf(url, sizeof url, "%s%cc=%lld&s=%s", ctx->callback_url,
                 strchr(ctx->callback_url, '?') ? '&' : '?', (long long)m->contact_id, sig);
        json_object_set_new(req, "callback_url", json_string(url));
    }
    text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    call = text ? calloc(1, sizeof *call) : NULL;
    if (!call) {
        rc = dn_err_set(err, -ENOMEM, NULL, "out of memory");
        goto done;
    }
    call->contact_id = m->contact_id;
    call->done = done;
    call->arg = arg;
    char idem[160];
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", m->idem_key);
    const char *headers[] = { "Content-Type: application/json", idem, "Expect:", NULL };
    rc = http_post(ctx->http, ctx->url, headers, text, strlen(text), ctx->timeout_ms,
                   on_call_placed, call, err);
    if (rc == 0)
        call = NULL;    /* owned by the completion now */
done:
    free(call);
    free(text);
    free(ssml);
    return rc;
}

/* Only when configured: a call placed twice rings a person twice. */
static bool voice_deduplicates(void *vctx)
{
    return ((const voice_ctx *)vctx)->deduplicates;
}

const dn_channel_driver dn_channel_voice = {
    .name = "voice",
    .init = voice_init,
    .send = voice_send,
    .close = voice_close,
    .deduplicates = voice_deduplicates,
};
