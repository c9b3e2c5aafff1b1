/*
 * voice.h — the voice robot ("Roberts"): SSML with a voice, rate and pitch
 * chosen per language × tone, outbound calls through a configurable
 * telephony HTTP API, and local rendering of the SSML to WAV with
 * libespeak-ng so analysts can listen to every voice and tone.
 *
 * Driver config (channels.voice):
 *   {"driver": "voice", "url": "http://telephony/calls", "callback_url":
 *    "https://dunningd/v1/voice/events", "from": "+371...", "timeout_ms": 10000,
 *    "promise_days": 7, "audio_dir": "var/voice" (optional: a WAV per call),
 *    "voices": {"lv": {"firm": {"voice": "lv", "gender": "male", "rate": 88,
 *    "pitch": -10}}}}  (any subset; the rest from voice_profile_default)
 * A call is POSTed as JSON {"to", "from", "ssml", "contact_id",
 * "idempotency_key", "callback_url"} with an Idempotency-Key header; the
 * provider answers 2xx with {"call_id": "..."} (kept as the provider id).
 * Call progress comes back through POST /v1/voice/events (channels_api.c).
 */
#ifndef DN_VOICE_H
#define DN_VOICE_H

#include <stddef.h>

#include "channel.h"

/* How one language × tone sounds: a voice name (an espeak-ng voice, or
 * the provider's), its gender, the speaking rate in percent of normal and
 * the pitch change in percent. */
typedef struct dn_voice_profile {
    char voice[32];
    char gender[8];     /* "female", "male" */
    int  rate;          /* 50..200 % */
    int  pitch;         /* -50..+50 % */
} dn_voice_profile;

/* The built-in profile for language × tone (unknown tones sound neutral,
 * unknown languages English). Pure. */
void voice_profile_default(const char *language, const char *tone, dn_voice_profile *out);

/* The key-press prompt appended to every call, in the customer's language
 * ("press 1 to promise to pay within N days, 2 to talk to a person").
 * Writes into out (always NUL-terminated). Pure. */
void voice_prompt(const char *language, int promise_days, char *out, size_t size);

/* Renders SSML: <speak xml:lang> <voice name> <prosody rate pitch> text
 * (XML-escaped) and the prompt after a pause. 0, or -E2BIG when out is too
 * small (out then holds ""). Pure. */
int  voice_ssml(const char *language, const dn_voice_profile *p, const char *text,
                const char *prompt, char *out, size_t size);

/* Speaks ssml with libespeak-ng into a WAV file (16-bit mono PCM) at path.
 * Blocking (CPU-bound, about real time / 20); for analysts and development.
 * 0 or a negative errno with err filled. */
int  voice_render_wav(const char *ssml, const char *path, dn_err *err);

/* The promise days of a running voice driver instance (ctx of a slot whose
 * driver is dn_channel_voice). */
int  voice_driver_promise_days(const void *ctx);

extern const dn_channel_driver dn_channel_voice;

#endif
