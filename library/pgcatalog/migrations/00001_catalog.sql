-- The chat libraries' records: the tables of library.Catalog.

-- +goose Up
CREATE TABLE library_docs (
    chat     bigint      NOT NULL,
    name     text        COLLATE "C" NOT NULL,
    uploader bigint      NOT NULL,
    bytes    bigint      NOT NULL,
    passages bigint      NOT NULL,
    added    timestamptz NOT NULL,
    PRIMARY KEY (chat, name)
);

CREATE TABLE library_used (
    chat bigint      PRIMARY KEY,
    used timestamptz NOT NULL
);

CREATE TABLE library_uploads (
    user_id bigint  NOT NULL,
    day     text    NOT NULL,
    n       integer NOT NULL CHECK (n >= 0),
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE library_uploads;
DROP TABLE library_used;
DROP TABLE library_docs;
