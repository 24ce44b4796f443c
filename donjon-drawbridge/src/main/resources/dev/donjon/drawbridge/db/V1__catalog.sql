-- Drawbridge's catalog in PostgreSQL: users, repositories, tags and tree nodes. Content is not here: it lives in the
-- blob directory the replicas share, named by SHA-256; every tag and node names its blob (the column "blob", also in
-- its entry JSON). Rows are only ever inserted: tags are immutable, and nothing is deleted.
-- Names are compared byte for byte (COLLATE "C"), as the file store compares its file names.

CREATE TABLE users (
    name    text COLLATE "C" PRIMARY KEY,
    subject text COLLATE "C" NOT NULL UNIQUE, -- a subject owns one user name
    record  text NOT NULL                     -- the user record JSON, as the file store writes user.json
);

CREATE TABLE repositories (
    owner  text COLLATE "C" NOT NULL REFERENCES users (name),
    name   text COLLATE "C" NOT NULL,
    config text NOT NULL,                     -- the repository config JSON
    PRIMARY KEY (owner, name)
);

CREATE TABLE tags (
    owner text COLLATE "C" NOT NULL,
    repo  text COLLATE "C" NOT NULL,
    name  text COLLATE "C" NOT NULL,
    entry text NOT NULL,                      -- entry JSON (digests, length, type) of the tag's body
    blob  char(64) NOT NULL,                  -- SHA-256 hex of that body
    PRIMARY KEY (owner, repo, name),
    FOREIGN KEY (owner, repo) REFERENCES repositories (owner, name)
);

CREATE TABLE nodes (
    owner text COLLATE "C" NOT NULL,
    repo  text COLLATE "C" NOT NULL,
    tag   text COLLATE "C" NOT NULL,
    path  text COLLATE "C" NOT NULL,          -- '' for the root, else names joined with '/'
    entry text NOT NULL,                      -- entry JSON of the node
    blob  char(64) NOT NULL,
    PRIMARY KEY (owner, repo, tag, path),
    FOREIGN KEY (owner, repo, tag) REFERENCES tags (owner, repo, name)
);
