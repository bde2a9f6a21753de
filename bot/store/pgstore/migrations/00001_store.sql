-- The bot's state: the tables of store.Backend.

-- +goose Up
CREATE SEQUENCE bot_update_seq;

-- One row per entry of the inbox, numbered in the order stored.
CREATE TABLE bot_updates (
    seq      bigint      PRIMARY KEY,
    id       bigint      NOT NULL CHECK (id >= 0),
    raw      bytea       NOT NULL,
    hash     text        NOT NULL,
    received timestamptz NOT NULL,
    state    text        NOT NULL,
    sent     bigint[]    NOT NULL DEFAULT '{}',
    attempts integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);

CREATE INDEX bot_updates_pending ON bot_updates (seq) WHERE state <> 'done';

-- The newest entry of each update_id and its content hash: the unique key
-- that tells a redelivery from a new update. An entry's deletion deletes
-- its row here, unless a newer entry took the id over.
CREATE TABLE bot_update_ids (
    id   bigint PRIMARY KEY,
    seq  bigint NOT NULL REFERENCES bot_updates (seq) ON DELETE CASCADE,
    hash text   NOT NULL
);

CREATE INDEX bot_update_ids_seq ON bot_update_ids (seq);

-- One vote per user per answer.
CREATE TABLE bot_votes (
    chat       bigint      NOT NULL,
    message    bigint      NOT NULL,
    user_id    bigint      NOT NULL,
    vote       text        NOT NULL,
    reason     text        NOT NULL,
    time       timestamptz NOT NULL,
    question   text        NOT NULL,
    body       bytea,
    mode       text        NOT NULL,
    generation bigint      NOT NULL,
    PRIMARY KEY (chat, message, user_id)
);

CREATE INDEX bot_votes_time ON bot_votes (time);

CREATE TABLE bot_chat_settings (
    chat     bigint PRIMARY KEY,
    settings jsonb  NOT NULL
);

-- +goose Down
DROP TABLE bot_chat_settings;
DROP TABLE bot_votes;
DROP TABLE bot_update_ids;
DROP TABLE bot_updates;
DROP SEQUENCE bot_update_seq;
