/*
 * chat_telegram.h — chat through a bot HTTP API shaped like Telegram's Bot
 * API: messages go out with POST {api_url}/bot{token}/sendMessage
 * {"chat_id", "text"}; replies come in as Update objects POSTed to
 * /v1/chat/telegram/webhook with the header X-Telegram-Bot-Api-Secret-Token
 * (the bot's webhook secret) and feed the inbound replies (replies.h).
 *
 * Driver config (channels.chat):
 *   {"driver": "telegram", "token": "123456:ABC...", "api_url":
 *    "https://api.telegram.org", "webhook_secret": "16..256 chars",
 *    "timeout_ms": 10000}
 */
#ifndef DN_CHAT_TELEGRAM_H
#define DN_CHAT_TELEGRAM_H

#include "channel.h"

/* The webhook secret of a running instance (ctx of a slot whose driver is
 * dn_channel_telegram); "" when none is configured (webhook refused). */
const char *telegram_webhook_secret(const void *ctx);

extern const dn_channel_driver dn_channel_telegram;

#endif
