-- Donjon secret broker, PostgreSQL store: sealed values (AES-256-GCM under the operator's master key), never clear text.
CREATE TABLE donjon_secret (
    name        TEXT PRIMARY KEY,
    version     BIGINT NOT NULL CHECK (version >= 1),
    policy      TEXT NOT NULL,          -- canonical JSON, bound into the value's encryption
    nonce       BYTEA NOT NULL,
    ciphertext  BYTEA NOT NULL,
    created     TIMESTAMPTZ NOT NULL,
    updated     TIMESTAMPTZ NOT NULL
);

CREATE TABLE donjon_secret_meta (
    key    TEXT PRIMARY KEY,
    value  BYTEA NOT NULL
);
