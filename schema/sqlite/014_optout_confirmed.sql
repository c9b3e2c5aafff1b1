-- customers.opt_out_confirmed is written when an opt-out confirmation goes
-- out (the store's record_sent, or a delivery report), and the guard reads
-- it. Contacts sent before that are carried over here: a channel (bits as
-- opt_out: sms 1, email 2, voice 4, chat 8) still opted out whose
-- confirmation was sent or delivered.
UPDATE customers SET opt_out_confirmed = opt_out_confirmed | 1
 WHERE (opt_out & 1) <> 0 AND id IN (SELECT customer_id FROM contacts
  WHERE purpose = 'optout_confirm' AND channel = 'sms' AND state IN ('sent', 'delivered'));
UPDATE customers SET opt_out_confirmed = opt_out_confirmed | 2
 WHERE (opt_out & 2) <> 0 AND id IN (SELECT customer_id FROM contacts
  WHERE purpose = 'optout_confirm' AND channel = 'email' AND state IN ('sent', 'delivered'));
UPDATE customers SET opt_out_confirmed = opt_out_confirmed | 4
 WHERE (opt_out & 4) <> 0 AND id IN (SELECT customer_id FROM contacts
  WHERE purpose = 'optout_confirm' AND channel IN ('voice', 'agent')
  AND state IN ('sent', 'delivered'));
UPDATE customers SET opt_out_confirmed = opt_out_confirmed | 8
 WHERE (opt_out & 8) <> 0 AND id IN (SELECT customer_id FROM contacts
  WHERE purpose = 'optout_confirm' AND channel = 'chat' AND state IN ('sent', 'delivered'));
