/*
 * letter.c — the formal written notice as a PDF for print-and-post, made
 * with libharu (Debian's libhpdf): the TrueType font named in the config
 * (DejaVu Sans by default) is embedded and text is encoded as UTF-8, so
 * Latvian diacritics and Cyrillic come out as written. One file per letter,
 * DIR/<contact id>.pdf; the provider id is the file name.
 *
 * Driver config (channels.letter):
 *   {"driver": "letter", "dir": "var/letters",
 *    "font": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
 *    "sender": "Company\nStreet 1\nRīga"}
 * The contact is "sent" when the file is written; that moment counts as the
 * posting date until the real one is recorded with
 * POST /v1/letters/{contact id}/posted (channels_api.c).
 */
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "model.h"

#define LETTER_PATH_MAX  512
#define LETTER_LINE_MAX  1024
#define LETTER_MARGIN    56.0f       /* points: about 2 cm */
#define LETTER_FONT_SIZE 11.0f
#define LETTER_LEADING   15.0f
#define LETTER_PAGES_MAX 20

typedef struct letter_ctx {
    char dir[LETTER_PATH_MAX];
    char font[LETTER_PATH_MAX];
    char sender[DN_NAME_MAX];
} letter_ctx;

/* libharu reports errors through a callback: keep the first one. */
typedef struct pdf_status {
    HPDF_STATUS error, detail;
} pdf_status;

static void on_pdf_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
    pdf_status *st = data;
    if (!st->error) {
        st->error = error;
        st->detail = detail;
    }
}

static void letter_close(void *ctx)
{
    free(ctx);
}

static int letter_init(void **out, struct event_base *base, json_t *config, dn_err *err)
{
    static const char *const keys[] = { "driver", "dir", "font", "sender", NULL };
    letter_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    int rc = 0;
    /* its own keys, and the ones every instance may carry (concurrency,
     * rate_per_second, retry, cost, ...: the dispatcher's) */
    if ((rc = channel_conf_known_keys(config, "letter", keys, err)))
        goto fail;
    const char *dir = json_string_value(json_object_get(config, "dir"));
    const char *font = json_string_value(json_object_get(config, "font"));
    const char *sender = json_string_value(json_object_get(config, "sender"));
    if (!font)
        font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (!dir || !dir[0] || !dn_strlcpy(ctx->dir, dir, sizeof ctx->dir)) {
        rc = dn_err_set(err, -EINVAL, "dir", "channels.letter.dir must name a folder");
        goto fail;
    }
    if (!dn_strlcpy(ctx->font, font, sizeof ctx->font) || access(font, R_OK) != 0) {
        rc = dn_err_set(err, -EINVAL, "font", "channels.letter.font: cannot read %s (Debian: "
                        "fonts-dejavu-core)", font);
        goto fail;
    }
    if (sender && (!dn_utf8_valid(sender) || !dn_strlcpy(ctx->sender, sender,
                                                         sizeof ctx->sender))) {
        rc = dn_err_set(err, -EINVAL, "sender", "channels.letter.sender must be UTF-8 text of "
                        "at most %d bytes", DN_NAME_MAX - 1);
        goto fail;
    }
    if (mkdir(ctx->dir, 0755) != 0 && errno != EEXIST) {
        rc = dn_err_set(err, -errno, "dir", "cannot create %s: %s", ctx->dir, strerror(errno));
        goto fail;
    }
    *out = ctx;
    return 0;
fail:
    letter_close(ctx);
    return rc;
}

/* The page being written: a new one when the current one is full. */
typedef struct writer {
    HPDF_Doc  pdf;
    HPDF_Font font;
    HPDF_Page page;
    float     y;
    int       pages;
} writer;

static bool new_page(writer *w)
{
    if (w->pages >= LETTER_PAGES_MAX)
        return false;
    w->page = HPDF_AddPage(w->pdf);
    if (!w->page)
        return false;
    HPDF_Page_SetSize(w->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    w->y = HPDF_Page_GetHeight(w->page) - LETTER_MARGIN;
    w->pages++;
    return true;
}

static bool put_line(writer *w, const char *text, float size)
{
    if (w->y - LETTER_LEADING < LETTER_MARGIN && !new_page(w))
        return false;
    w->y -= size + 4.0f;
    return HPDF_Page_BeginText(w->page) == HPDF_OK &&
           HPDF_Page_SetFontAndSize(w->page, w->font, size) == HPDF_OK &&
           HPDF_Page_TextOut(w->page, LETTER_MARGIN, w->y, text) == HPDF_OK &&
           HPDF_Page_EndText(w->page) == HPDF_OK;
}

/* Writes text wrapped at the right margin, word by word (a word longer
 * than a line is cut at a UTF-8 character boundary). */
static bool put_wrapped(writer *w, const char *text, float size)
{
    char line[LETTER_LINE_MAX];
    const char *p = text;
    for (;;) {
        size_t para = strcspn(p, "\n");
        size_t used = 0;
        const char *q = p, *end = p + para;
        line[0] = '\0';
        while (q < end) {
            size_t word = strcspn(q, " \n");
            if ((size_t)(end - q) < word)
                word = (size_t)(end - q);
            char candidate[LETTER_LINE_MAX];
            int n = snprintf(candidate, sizeof candidate, "%s%s%.*s", line, used ? " " : "",
                             (int)word, q);
            HPDF_Page_SetFontAndSize(w->page, w->font, size);
            float width = n > 0 && (size_t)n < sizeof candidate
                              ? HPDF_Page_TextWidth(w->page, candidate)
                              : 1e9f;
            float room = HPDF_Page_GetWidth(w->page) - 2 * LETTER_MARGIN;
            if (width <= room) {
                memcpy(line, candidate, (size_t)n + 1);
                used = (size_t)n;
                q += word;
                while (q < end && *q == ' ')
                    q++;
                continue;
            }
            if (used == 0) {
                /* one word wider than the line: cut it */
                size_t cut = word / 2;
                while (cut > 1 && ((unsigned char)q[cut] & 0xc0) == 0x80)
                    cut--;
                if (cut >= sizeof line)
                    cut = sizeof line - 1;
                memcpy(line, q, cut);
                line[cut] = '\0';
                q += cut;
            }
            if (!put_line(w, line, size))
                return false;
            line[0] = '\0';
            used = 0;
        }
        if (!put_line(w, line, size))
            return false;
        if (!p[para])
            return true;
        p += para + 1;
    }
}

static int write_letter(const letter_ctx *ctx, const dn_message *m, const char *path,
                        dn_err *err)
{
    pdf_status st = { 0, 0 };
    int rc = 0;
    HPDF_Doc pdf = HPDF_New(on_pdf_error, &st);
    if (!pdf)
        return dn_err_set(err, -ENOMEM, NULL, "libharu: cannot create a document");
    writer w = { .pdf = pdf };
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    const char *font_name = HPDF_LoadTTFontFromFile(pdf, ctx->font, HPDF_TRUE);
    w.font = font_name ? HPDF_GetFont(pdf, font_name, "UTF-8") : NULL;
    if (!w.font || !new_page(&w)) {
        rc = dn_err_set(err, -EIO, "font", "libharu: cannot use font %s (error 0x%04x)",
                        ctx->font, (unsigned)st.error);
        goto done;
    }
    /* the day it is written, by the engine's clock (UTC): the earliest
     * posting day the print room may record for it */
    char date[11];
    dn_date_format((dn_date)(m->now / 86400), date);
    char ref[DN_ID_MAX + 64];
    snprintf(ref, sizeof ref, "%s · %s", m->customer_external_id ? m->customer_external_id : "",
             date);
    bool ok = (!ctx->sender[0] || put_wrapped(&w, ctx->sender, 9.0f)) &&
              put_line(&w, "", LETTER_FONT_SIZE) && put_line(&w, ref, 9.0f) &&
              put_line(&w, "", LETTER_FONT_SIZE) &&
              (!m->subject || !m->subject[0] || put_wrapped(&w, m->subject, 14.0f)) &&
              put_line(&w, "", LETTER_FONT_SIZE) &&
              put_wrapped(&w, m->body, LETTER_FONT_SIZE);
    if (!ok || st.error) {
        rc = dn_err_set(err, -EPERM, "body", "libharu could not lay the letter out (error "
                        "0x%04x, %d pages)", (unsigned)st.error, w.pages);
        goto done;
    }
    if (HPDF_SaveToFile(pdf, path) != HPDF_OK || st.error)
        rc = dn_err_set(err, -EIO, "dir", "cannot write %s (libharu error 0x%04x)", path,
                        (unsigned)st.error);
done:
    HPDF_Free(pdf);
    return rc;
}

static int letter_send(void *vctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                       dn_err *err)
{
    letter_ctx *ctx = vctx;
    char path[LETTER_PATH_MAX + 32], name[40];
    snprintf(name, sizeof name, "%lld.pdf", (long long)m->contact_id);
    snprintf(path, sizeof path, "%s/%s", ctx->dir, name);
    if (!dn_utf8_valid(m->body) || (m->subject && !dn_utf8_valid(m->subject)))
        return dn_err_set(err, -EPERM, "body", "the letter's text is not UTF-8");
    int rc = write_letter(ctx, m, path, err);
    if (rc)
        return rc;
    done(arg, m->contact_id, 0, name, "written for print-and-post");
    return 0;
}

const dn_channel_driver dn_channel_letter = {
    .name = "letter",
    .init = letter_init,
    .send = letter_send,
    .close = letter_close,
};
