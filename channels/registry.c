/*
 * registry.c — the table of channel drivers. Adding a channel is one new
 * file channels/NAME.c defining its dn_channel_driver, one extern line and
 * one table row here.
 */
#include "channel.h"

#include <string.h>

extern const dn_channel_driver dn_channel_file;
extern const dn_channel_driver dn_channel_voice;
extern const dn_channel_driver dn_channel_telegram;
extern const dn_channel_driver dn_channel_letter;

static const dn_channel_driver *const drivers[] = {
    &dn_channel_file,
    &dn_channel_voice,
    &dn_channel_telegram,
    &dn_channel_letter,
};

/* Returns the driver registered under name, or NULL for an unknown name
 * or NULL. The drivers are static and never freed. */
const dn_channel_driver *channel_driver_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}
