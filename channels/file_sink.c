/*
 * file_sink.c — the "file" channel driver, for development and demos: each
 * message becomes one text file in an outbox directory instead of being
 * sent anywhere.
 *
 * Config: { "dir": "/path/outbox", "fsync": false }. The file is named
 * "<contact_id>-<channel>-<idempotency key>.txt" (channel and key with every
 * byte outside [A-Za-z0-9._-] replaced by '_', each cut at 128 bytes), so a
 * retried send of the same message overwrites its file instead of adding a
 * second one. It is written to "<name>.tmp" and renamed into place, so a
 * reader never sees half a message. Content: a header block (To, Channel,
 * Language, Tone, Voice, Template, Idempotency-Key, Subject; CR/LF in
 * values flattened to spaces), a blank line, then the body verbatim.
 */
#include "channel.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_SINK_PART_MAX 128   /* bytes kept of the channel and of the key */
/* Room left in a path for "/<id>-<channel>-<key>.txt.tmp". */
#define FILE_SINK_DIR_MAX  (PATH_MAX - 2 * FILE_SINK_PART_MAX - 64)

typedef struct file_sink {
    char dir[FILE_SINK_DIR_MAX];
    bool fsync;
} file_sink;

/* Validates config and allocates the context (freed by file_sink_close).
 * The directory is created on the first send, not here, so a sink can be
 * configured before its volume is mounted. */
static int file_sink_init(void **ctx, struct event_base *base, json_t *config, dn_err *err)
{
    *ctx = NULL;
    json_t *dir = json_is_object(config) ? json_object_get(config, "dir") : NULL;
    if (!json_is_string(dir) || json_string_length(dir) == 0)
        return dn_err_set(err, -EINVAL, "dir",
                          "file channel needs a non-empty string \"dir\" in its config");
    if (json_string_length(dir) >= FILE_SINK_DIR_MAX)
        return dn_err_set(err, -EINVAL, "dir", "file channel \"dir\" is longer than %d bytes",
                          FILE_SINK_DIR_MAX - 1);
    json_t *sync = json_object_get(config, "fsync");
    if (sync && !json_is_boolean(sync))
        return dn_err_set(err, -EINVAL, "fsync", "file channel \"fsync\" must be true or false");
    file_sink *sink = calloc(1, sizeof *sink);
    if (!sink)
        return dn_err_set(err, -ENOMEM, NULL, "out of memory");
    dn_strlcpy(sink->dir, json_string_value(dir), sizeof sink->dir);
    sink->fsync = json_is_true(sync);
    *ctx = sink;
    return 0;
}

/* Frees the context from file_sink_init; files already written stay. */
static void file_sink_close(void *ctx)
{
    free(ctx);
}

/* Creates path and its missing parents (mkdir -p); an existing directory
 * is fine. Returns 0 or a negative errno, with the failing prefix in failed. */
static int make_directories(const char *path, char *failed, size_t failed_size)
{
    char prefix[FILE_SINK_DIR_MAX];
    dn_strlcpy(prefix, path, sizeof prefix);
    size_t length = strlen(prefix);
    for (size_t i = 1; i <= length; i++) {
        if (prefix[i] != '/' && prefix[i] != '\0')
            continue;
        char saved = prefix[i];
        prefix[i] = '\0';
        if (mkdir(prefix, 0755) != 0 && errno != EEXIST) {
            int code = -errno;
            dn_strlcpy(failed, prefix, failed_size);
            return code;
        }
        prefix[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        dn_strlcpy(failed, path, failed_size);
        return -ENOTDIR;
    }
    return 0;
}

/* Copies text to out keeping [A-Za-z0-9._-] and turning every other byte
 * into '_'; at most FILE_SINK_PART_MAX bytes; "none" for NULL or "". */
static void sanitise_name_part(const char *text, char out[FILE_SINK_PART_MAX + 1])
{
    if (!text || !*text)
        text = "none";
    size_t i = 0;
    for (; text[i] && i < FILE_SINK_PART_MAX; i++) {
        char c = text[i];
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out[i] = keep ? c : '_';
    }
    out[i] = '\0';
}

/* Writes "Name: value\n" with CR and LF in value turned into spaces so a
 * value can never end the header block early. */
static void write_header(FILE *f, const char *name, const char *value)
{
    fprintf(f, "%s: ", name);
    for (const char *p = value ? value : ""; *p; p++)
        fputc(*p == '\r' || *p == '\n' ? ' ' : *p, f);
    fputc('\n', f);
}

/*
 * Writes the message's file and calls done exactly once before returning:
 * rc 0 with provider_id "file:<file name>", or -EIO with a detail naming
 * the path and the system error. Always returns 0 (the outcome is in done).
 */
static int file_sink_send(void *ctx, const dn_message *m, dn_channel_done_fn done, void *arg,
                          dn_err *err)
{
    file_sink *sink = ctx;
    char channel[FILE_SINK_PART_MAX + 1], key[FILE_SINK_PART_MAX + 1];
    char name[2 * FILE_SINK_PART_MAX + 48];
    char provider_id[sizeof name + 8];
    char path[FILE_SINK_DIR_MAX + sizeof name + 1];
    char temporary[sizeof path + 4];
    char detail[sizeof temporary + sizeof name + 128];
    char failed[FILE_SINK_DIR_MAX];
    FILE *f = NULL;
    int fd = -1;
    int rc;

    sanitise_name_part(m->channel, channel);
    sanitise_name_part(m->idem_key, key);
    snprintf(name, sizeof name, "%lld-%s-%s.txt", (long long)m->contact_id, channel, key);
    snprintf(path, sizeof path, "%s/%s", sink->dir, name);
    snprintf(temporary, sizeof temporary, "%s.tmp", path);

    rc = make_directories(sink->dir, failed, sizeof failed);
    if (rc < 0) {
        snprintf(detail, sizeof detail, "cannot create directory %s: %s", failed,
                 strerror(-rc));
        goto fail;
    }
    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(detail, sizeof detail, "cannot create %s: %s", temporary, strerror(errno));
        goto fail;
    }
    f = fdopen(fd, "w");
    if (!f) {
        snprintf(detail, sizeof detail, "cannot open %s: %s", temporary, strerror(errno));
        goto fail;
    }
    fd = -1;                              /* now owned by f */
    write_header(f, "To", m->address);
    write_header(f, "Channel", m->channel);
    write_header(f, "Language", m->language);
    write_header(f, "Tone", m->tone);
    write_header(f, "Voice", m->voice);
    write_header(f, "Template", m->template_name);
    write_header(f, "Idempotency-Key", m->idem_key);
    write_header(f, "Subject", m->subject);
    fputc('\n', f);
    fputs(m->body ? m->body : "", f);
    if (fflush(f) != 0 || ferror(f) || (sink->fsync && fsync(fileno(f)) != 0)) {
        snprintf(detail, sizeof detail, "cannot write %s: %s", temporary, strerror(errno));
        goto fail;
    }
    rc = fclose(f);
    f = NULL;
    if (rc != 0) {
        snprintf(detail, sizeof detail, "cannot write %s: %s", temporary, strerror(errno));
        goto fail;
    }
    if (rename(temporary, path) != 0) {
        snprintf(detail, sizeof detail, "cannot rename %s to %s: %s", temporary, name,
                 strerror(errno));
        goto fail;
    }
    snprintf(provider_id, sizeof provider_id, "file:%s", name);
    done(arg, m->contact_id, 0, provider_id, NULL);
    return 0;

fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    unlink(temporary);
    done(arg, m->contact_id, -EIO, NULL, detail);
    return 0;
}

const dn_channel_driver dn_channel_file = {
    .name = "file",
    .init = file_sink_init,
    .send = file_sink_send,
    .close = file_sink_close,
};
