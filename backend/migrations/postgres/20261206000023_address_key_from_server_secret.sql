-- Addresses become pseudonyms for throttling under a key derived from the server secret, which
-- the database does not hold; the key that was kept here (with which a copy of the database
-- could try every address) is deleted, and so are the short-lived rows made under it.
-- Kept in step with migrations/sqlite/20261206000023_address_key_from_server_secret.sql.

DELETE FROM server_keys WHERE name = 'address_pseudonyms';
DELETE FROM sign_in_failures;
DELETE FROM sign_ups;
