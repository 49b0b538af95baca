//! Adapters for the ports of `chatroom-domain`: sea-orm persistence for SQLite,
//! PostgreSQL and MySQL/MariaDB, argon2 password hashing, JWT tokens, the system
//! clock and random ids, mailers, the in-process event bus and presence, and the
//! file-system image store. Nothing here holds a business rule: each adapter
//! fulfils the contract its port documents.

pub mod images;
pub mod live;
pub mod mail;
pub mod persistence;
pub mod security;
pub mod system;
