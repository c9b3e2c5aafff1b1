/* callback_sign.c — HMAC signatures of callback URLs (callback_sign.h). */
#include "callback_sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static unsigned char secret[64];
static size_t secret_len;

int callback_secret_set(const char *text, dn_err *err)
{
    if (!text) {
        if (RAND_bytes(secret, 32) != 1)
            return dn_err_set(err, -EIO, "callback_secret", "no randomness for a callback "
                              "secret");
        secret_len = 32;
        return 0;
    }
    size_t n = strlen(text);
    if (n < 16 || n > sizeof secret)
        return dn_err_set(err, -EINVAL, "callback_secret", "callback_secret must be 16..%zu "
                          "characters", sizeof secret);
    memcpy(secret, text, n);
    secret_len = n;
    return 0;
}

void callback_sign(const char *purpose, int64_t contact_id, char out[DN_CALLBACK_SIG_HEX])
{
    char message[96];
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (secret_len == 0)
        callback_secret_set(NULL, NULL);
    int n = snprintf(message, sizeof message, "%s:%lld", purpose, (long long)contact_id);
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)message, (size_t)n, mac,
         &mac_len);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

bool callback_verify(const char *purpose, int64_t contact_id, const char *signature)
{
    char expected[DN_CALLBACK_SIG_HEX];
    if (!signature || strlen(signature) != DN_CALLBACK_SIG_HEX - 1 || contact_id <= 0)
        return false;
    callback_sign(purpose, contact_id, expected);
    unsigned char diff = 0;
    for (int i = 0; i < DN_CALLBACK_SIG_HEX - 1; i++)
        diff |= (unsigned char)(expected[i] ^ signature[i]);
    return diff == 0;
}
