-- People who sign in through Supabase Auth. An admin creates the account here (email and roles);
-- the first sign-in with that email, once Supabase has confirmed it, links the account to the
-- Supabase user (auth.users.id). From then on only that Supabase user is this account: a new
-- Supabase user with the same email is refused until an admin resets the account.
ALTER TABLE expand_contract.users ADD COLUMN IF NOT EXISTS auth_subject uuid UNIQUE;
COMMENT ON COLUMN expand_contract.users.auth_subject IS 'auth.users.id of the Supabase user linked at first sign-in; NULL for local accounts and accounts not yet linked';
COMMENT ON COLUMN expand_contract.users.password_hash IS 'scrypt; NULL for people who sign in through Supabase Auth';
