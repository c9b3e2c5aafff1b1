/* cli_channels.c — `dunningd voice-samples`: every voice and tone of the
 * robot rendered locally, so analysts can listen to them. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "voice.h"

int cli_voice_samples(int argc, char **argv);

static const char usage_voice_samples[] =
    "usage: dunningd voice-samples DIR [TEXT]\n"
    "\n"
    "Renders the robot's call for every language (lv, ru, en) and tone\n"
    "(friendly, gentle, neutral, firm, urgent) with libespeak-ng into\n"
    "DIR/LANG-TONE.wav, next to the SSML it spoke (DIR/LANG-TONE.ssml).\n"
    "TEXT replaces the built-in sample sentence of each language. The voices,\n"
    "rates and pitches are the built-in ones (channels.voice.voices in the\n"
    "config overrides them for real calls).\n";

int cli_voice_samples(int argc, char **argv)
{
    static const char *const languages[] = { "lv", "ru", "en" };
    static const char *const samples[] = {
        "Labdien! Atgādinām, ka rēķins par 45,90 € vēl nav apmaksāts.",
        "Здравствуйте! Напоминаем, что счёт на 45,90 € ещё не оплачен.",
        "Hello! This is a reminder that your bill of €45.90 is still unpaid.",
    };
    static const char *const tones[] = { "friendly", "gentle", "neutral", "firm", "urgent" };
    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
        fputs(usage_voice_samples, argc >= 2 ? stdout : stderr);
        return argc >= 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    const char *dir = argv[1];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "dunningd: cannot create %s: %s\n", dir, strerror(errno));
        return 2;
    }
    int failures = 0;
    for (size_t l = 0; l < sizeof languages / sizeof languages[0]; l++) {
        for (size_t t = 0; t < sizeof tones / sizeof tones[0]; t++) {
            dn_voice_profile p;
            char prompt[256], ssml[8192], path[4096];
            dn_err err;
            dn_err_clear(&err);
            voice_profile_default(languages[l], tones[t], &p);
            voice_prompt(languages[l], 7, prompt, sizeof prompt);
            if (voice_ssml(languages[l], &p, argc == 3 ? argv[2] : samples[l], prompt, ssml,
                           sizeof ssml)) {
                fprintf(stderr, "dunningd: the text is too long for a sample\n");
                return 2;
            }
            snprintf(path, sizeof path, "%s/%s-%s.ssml", dir, languages[l], tones[t]);
            FILE *f = fopen(path, "w");
            if (!f || fputs(ssml, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "dunningd: cannot write %s\n", path);
                return 2;
            }
            snprintf(path, sizeof path, "%s/%s-%s.wav", dir, languages[l], tones[t]);
            if (voice_render_wav(ssml, path, &err)) {
                fprintf(stderr, "dunningd: %s: %s\n", path, err.msg);
                failures++;
                continue;
            }
            printf("%s  voice %s (%s), rate %d%%, pitch %+d%%\n", path, p.voice, p.gender,
                   p.rate, p.pitch);
        }
    }
    return failures ? 1 : 0;
}
