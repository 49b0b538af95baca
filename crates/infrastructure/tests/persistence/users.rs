//! `SeaOrmUserRepository` against the `UserRepository` contract (R1).

use std::sync::Arc;

use chatroom_domain::user::ports::UserWriteError;
use chatroom_domain::user::{Email, PasswordHash, ProfileUpdate, UserName, UserRepository};
use chatroom_infrastructure::persistence::{Database, SeaOrmUserRepository};

use crate::support::{contract_tests, user, user_id};

contract_tests!(
    r1_a_user_is_found_by_id_and_by_email,
    r1_user_ids_are_unique_and_case_sensitive,
    r1_emails_differing_only_in_case_collide,
    r1_racing_registrations_of_one_email_let_exactly_one_through,
    r1_a_profile_update_to_another_users_email_is_refused,
    password_updates_replace_the_hash,
);

async fn r1_a_user_is_found_by_id_and_by_email(db: Database) {
    let repo = SeaOrmUserRepository::new(&db);
    let alice = user("alice", "Alice@Example.com");
    repo.insert(&alice).await.unwrap();

    assert_eq!(repo.find_by_id(&user_id("alice")).await.unwrap(), Some(alice.clone()));
    let by_email = repo.find_by_email(&Email::parse("alice@example.com").unwrap()).await.unwrap();
    assert_eq!(by_email, Some(alice));
    assert_eq!(repo.find_by_id(&user_id("nobody")).await.unwrap(), None);
}

async fn r1_user_ids_are_unique_and_case_sensitive(db: Database) {
    let repo = SeaOrmUserRepository::new(&db);
    repo.insert(&user("Alice", "upper@example.com")).await.unwrap();
    repo.insert(&user("alice", "lower@example.com")).await.unwrap();

    let again = repo.insert(&user("alice", "third@example.com")).await;

    assert!(matches!(again, Err(UserWriteError::IdOrEmailTaken)), "{again:?}");
    let upper = repo.find_by_id(&user_id("Alice")).await.unwrap().unwrap();
    let lower = repo.find_by_id(&user_id("alice")).await.unwrap().unwrap();
    assert_eq!(upper.email.as_str(), "upper@example.com");
    assert_eq!(lower.email.as_str(), "lower@example.com");
}

async fn r1_emails_differing_only_in_case_collide(db: Database) {
    let repo = SeaOrmUserRepository::new(&db);
    repo.insert(&user("bob", "Bob@Example.COM")).await.unwrap();

    let second = repo.insert(&user("robert", "bob@example.com")).await;

    assert!(matches!(second, Err(UserWriteError::IdOrEmailTaken)), "{second:?}");
}

async fn r1_racing_registrations_of_one_email_let_exactly_one_through(db: Database) {
    let repo = Arc::new(SeaOrmUserRepository::new(&db));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let repo = Arc::clone(&repo);
            tokio::spawn(async move { repo.insert(&user(&format!("racer{i}"), "same@example.com")).await })
        })
        .collect();

    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => stored += 1,
            Err(UserWriteError::IdOrEmailTaken) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(stored, 1);
}

async fn r1_a_profile_update_to_another_users_email_is_refused(db: Database) {
    let repo = SeaOrmUserRepository::new(&db);
    repo.insert(&user("carol", "carol@example.com")).await.unwrap();
    repo.insert(&user("dave", "dave@example.com")).await.unwrap();
    let name = UserName::parse("Carol C.").unwrap();
    let email = Email::parse("CAROL@new.example.com").unwrap();

    let taken = ProfileUpdate { name: None, email: Some(Email::parse("dave@example.com").unwrap()) };
    let refused = repo.update_profile(&user_id("carol"), &taken).await;
    let changed = ProfileUpdate { name: Some(name.clone()), email: Some(email.clone()) };
    repo.update_profile(&user_id("carol"), &changed).await.unwrap();

    assert!(matches!(refused, Err(UserWriteError::IdOrEmailTaken)), "{refused:?}");
    let carol = repo.find_by_id(&user_id("carol")).await.unwrap().unwrap();
    assert_eq!((carol.name, carol.email), (name, email));
}

async fn password_updates_replace_the_hash(db: Database) {
    let repo = SeaOrmUserRepository::new(&db);
    repo.insert(&user("erin", "erin@example.com")).await.unwrap();
    let hash = PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA".to_owned());

    repo.update_password(&user_id("erin"), &hash).await.unwrap();

    let erin = repo.find_by_id(&user_id("erin")).await.unwrap().unwrap();
    assert_eq!(erin.password_hash, hash);
}
