//! Given/when/then tests of the account rules: one behaviour per test.

use super::*;
use crate::{AccountId, Actor, Email, Inn, Role, ServiceType};
use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::test::TestFramework;

type AccountTest = TestFramework<Account>;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn account_id() -> AccountId {
    "0190a8e2-0000-7000-8000-000000000001".parse().unwrap()
}

fn admin() -> Actor {
    Actor::new(
        "0190a8e2-0000-7000-8000-0000000000ad".parse().unwrap(),
        Role::Admin,
    )
}

fn stranger(role: Role) -> Actor {
    Actor::new(
        "0190a8e2-0000-7000-8000-0000000000ff".parse().unwrap(),
        role,
    )
}

fn owner(role: Role) -> Actor {
    Actor::new(account_id(), role)
}

fn email() -> Email {
    Email::parse("info@romashka.ru").unwrap()
}

fn company() -> Company {
    Company {
        name: "ООО Ромашка".to_owned(),
        inn: Inn::parse("7707083893").unwrap(),
    }
}

fn st(code: &str) -> ServiceType {
    ServiceType::parse(code).unwrap()
}

fn register_client() -> AccountCommand {
    AccountCommand::RegisterClient {
        account_id: account_id(),
        email: email(),
        company: company(),
        contact_name: "Анна".to_owned(),
        at: at(),
    }
}

fn client_registered() -> AccountEvent {
    AccountEvent::ClientRegistered {
        account_id: account_id(),
        email: email(),
        company: company(),
        contact_name: "Анна".to_owned(),
        at: at(),
    }
}

fn register_provider(service_types: Vec<ServiceType>) -> AccountCommand {
    AccountCommand::RegisterProvider {
        account_id: account_id(),
        email: email(),
        company: company(),
        contact_name: "Пётр".to_owned(),
        service_types,
        at: at(),
    }
}

fn provider_registered() -> AccountEvent {
    AccountEvent::ProviderRegistered {
        account_id: account_id(),
        email: email(),
        company: company(),
        contact_name: "Пётр".to_owned(),
        service_types: vec![st("legal")],
        at: at(),
    }
}

fn register_staff(role: Role) -> AccountCommand {
    AccountCommand::RegisterStaff {
        account_id: account_id(),
        role,
        email: email(),
        name: "Olga".to_owned(),
        at: at(),
    }
}

fn staff_registered(role: Role) -> AccountEvent {
    AccountEvent::StaffRegistered {
        account_id: account_id(),
        role,
        email: email(),
        name: "Olga".to_owned(),
        at: at(),
    }
}

fn change(actor: Actor) -> AccountCommand {
    AccountCommand::ChangeProfile {
        actor,
        contact_name: Some("Мария".to_owned()),
        company_name: None,
        service_types: None,
        at: at(),
    }
}

fn changed(by: AccountId) -> AccountEvent {
    AccountEvent::ProfileChanged {
        changed_by: by,
        contact_name: Some("Мария".to_owned()),
        company_name: None,
        service_types: None,
        at: at(),
    }
}

fn block(actor: Actor) -> AccountCommand {
    AccountCommand::Block {
        actor,
        reason: "fraud report".to_owned(),
        at: at(),
    }
}

fn blocked() -> AccountEvent {
    AccountEvent::AccountBlocked {
        blocked_by: admin().id,
        reason: "fraud report".to_owned(),
        at: at(),
    }
}

fn unblock(actor: Actor) -> AccountCommand {
    AccountCommand::Unblock { actor, at: at() }
}

// ---- RegisterClient ----

#[test]
fn registers_a_client() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_client())
        .then_expect_events(vec![client_registered()]);
}

#[test]
fn client_names_are_trimmed() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterClient {
            account_id: account_id(),
            email: email(),
            company: Company {
                name: "  ООО Ромашка ".to_owned(),
                ..company()
            },
            contact_name: " Анна\n".to_owned(),
            at: at(),
        })
        .then_expect_events(vec![client_registered()]);
}

#[test]
fn client_registers_only_once() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(register_client())
        .then_expect_error(AccountError::AlreadyRegistered);
}

#[test]
fn client_needs_a_contact_name() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterClient {
            account_id: account_id(),
            email: email(),
            company: company(),
            contact_name: "   ".to_owned(),
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "contact_name",
            max: MAX_NAME_CHARS,
        });
}

#[test]
fn client_company_name_at_most_200_chars() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterClient {
            account_id: account_id(),
            email: email(),
            company: Company {
                name: "я".repeat(201),
                ..company()
            },
            contact_name: "Анна".to_owned(),
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "company.name",
            max: MAX_NAME_CHARS,
        });
}

#[test]
fn a_200_char_name_is_accepted() {
    let name = "я".repeat(200);
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterClient {
            account_id: account_id(),
            email: email(),
            company: company(),
            contact_name: name.clone(),
            at: at(),
        })
        .then_expect_events(vec![AccountEvent::ClientRegistered {
            account_id: account_id(),
            email: email(),
            company: company(),
            contact_name: name,
            at: at(),
        }]);
}

// ---- RegisterProvider ----

#[test]
fn registers_a_provider() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_provider(vec![st("legal")]))
        .then_expect_events(vec![provider_registered()]);
}

#[test]
fn provider_service_types_are_deduplicated() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_provider(vec![
            st("legal"),
            st("delivery"),
            st("legal"),
        ]))
        .then_expect_events(vec![AccountEvent::ProviderRegistered {
            account_id: account_id(),
            email: email(),
            company: company(),
            contact_name: "Пётр".to_owned(),
            service_types: vec![st("legal"), st("delivery")],
            at: at(),
        }]);
}

#[test]
fn provider_registers_only_once() {
    AccountTest::with(())
        .given(vec![provider_registered()])
        .when(register_provider(vec![st("legal")]))
        .then_expect_error(AccountError::AlreadyRegistered);
}

#[test]
fn provider_needs_a_service_type() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_provider(vec![]))
        .then_expect_error(AccountError::NoServiceTypes);
}

#[test]
fn provider_serves_at_most_20_service_types() {
    let types = (0..21).map(|i| st(&format!("type{i}"))).collect();
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_provider(types))
        .then_expect_error(AccountError::TooManyServiceTypes);
}

#[test]
fn twenty_service_types_with_repeats_are_accepted() {
    let mut types: Vec<ServiceType> = (0..20).map(|i| st(&format!("type{i}"))).collect();
    types.push(st("type0"));
    let result = AccountTest::with(())
        .given_no_previous_events()
        .when(register_provider(types))
        .inspect_result()
        .unwrap();
    let [AccountEvent::ProviderRegistered { service_types, .. }] = result.as_slice() else {
        panic!("expected one ProviderRegistered, got {result:?}");
    };
    assert_eq!(service_types.len(), 20);
}

#[test]
fn provider_needs_a_contact_name() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterProvider {
            account_id: account_id(),
            email: email(),
            company: company(),
            contact_name: String::new(),
            service_types: vec![st("legal")],
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "contact_name",
            max: MAX_NAME_CHARS,
        });
}

#[test]
fn provider_needs_a_company_name() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterProvider {
            account_id: account_id(),
            email: email(),
            company: Company {
                name: " ".to_owned(),
                ..company()
            },
            contact_name: "Пётр".to_owned(),
            service_types: vec![st("legal")],
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "company.name",
            max: MAX_NAME_CHARS,
        });
}

// ---- RegisterStaff ----

#[test]
fn registers_an_admin() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_staff(Role::Admin))
        .then_expect_events(vec![staff_registered(Role::Admin)]);
}

#[test]
fn registers_an_auditor() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_staff(Role::Auditor))
        .then_expect_events(vec![staff_registered(Role::Auditor)]);
}

#[test]
fn staff_cannot_be_a_client() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_staff(Role::Client))
        .then_expect_error(AccountError::NotAStaffRole);
}

#[test]
fn staff_cannot_be_a_provider() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(register_staff(Role::Provider))
        .then_expect_error(AccountError::NotAStaffRole);
}

#[test]
fn staff_registers_only_once() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(register_staff(Role::Admin))
        .then_expect_error(AccountError::AlreadyRegistered);
}

#[test]
fn staff_needs_a_name() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::RegisterStaff {
            account_id: account_id(),
            role: Role::Auditor,
            email: email(),
            name: "\t".to_owned(),
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "name",
            max: MAX_NAME_CHARS,
        });
}

// ---- ChangeProfile ----

#[test]
fn owner_changes_contact_name() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(change(owner(Role::Client)))
        .then_expect_events(vec![changed(account_id())]);
}

#[test]
fn admin_changes_someone_elses_profile() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(change(admin()))
        .then_expect_events(vec![changed(admin().id)]);
}

#[test]
fn owner_changes_company_name() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Client),
            contact_name: None,
            company_name: Some(" ООО Лютик ".to_owned()),
            service_types: None,
            at: at(),
        })
        .then_expect_events(vec![AccountEvent::ProfileChanged {
            changed_by: account_id(),
            contact_name: None,
            company_name: Some("ООО Лютик".to_owned()),
            service_types: None,
            at: at(),
        }]);
}

#[test]
fn provider_changes_service_types() {
    AccountTest::with(())
        .given(vec![provider_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Provider),
            contact_name: None,
            company_name: None,
            service_types: Some(vec![st("delivery"), st("accounting"), st("delivery")]),
            at: at(),
        })
        .then_expect_events(vec![AccountEvent::ProfileChanged {
            changed_by: account_id(),
            contact_name: None,
            company_name: None,
            service_types: Some(vec![st("delivery"), st("accounting")]),
            at: at(),
        }]);
}

#[test]
fn another_client_cannot_change_the_profile() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(change(stranger(Role::Client)))
        .then_expect_error(AccountError::NotOwnerOrAdmin);
}

#[test]
fn an_auditor_cannot_change_the_profile() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(change(stranger(Role::Auditor)))
        .then_expect_error(AccountError::NotOwnerOrAdmin);
}

#[test]
fn blocked_profile_cannot_change() {
    AccountTest::with(())
        .given(vec![client_registered(), blocked()])
        .when(change(owner(Role::Client)))
        .then_expect_error(AccountError::Blocked);
}

#[test]
fn unregistered_profile_cannot_change() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(change(admin()))
        .then_expect_error(AccountError::NotRegistered);
}

#[test]
fn client_has_no_service_types() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Client),
            contact_name: None,
            company_name: None,
            service_types: Some(vec![st("legal")]),
            at: at(),
        })
        .then_expect_error(AccountError::NotAProvider);
}

#[test]
fn staff_has_no_company_name() {
    AccountTest::with(())
        .given(vec![staff_registered(Role::Auditor)])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Auditor),
            contact_name: None,
            company_name: Some("Acme".to_owned()),
            service_types: None,
            at: at(),
        })
        .then_expect_error(AccountError::NoCompany);
}

#[test]
fn an_empty_change_is_refused() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Client),
            contact_name: None,
            company_name: None,
            service_types: None,
            at: at(),
        })
        .then_expect_error(AccountError::NothingToChange);
}

#[test]
fn changed_contact_name_must_not_be_blank() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Client),
            contact_name: Some("  ".to_owned()),
            company_name: None,
            service_types: None,
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "contact_name",
            max: MAX_NAME_CHARS,
        });
}

#[test]
fn changed_company_name_at_most_200_chars() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Client),
            contact_name: None,
            company_name: Some("x".repeat(201)),
            service_types: None,
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "company_name",
            max: MAX_NAME_CHARS,
        });
}

#[test]
fn changed_service_types_must_not_be_empty() {
    AccountTest::with(())
        .given(vec![provider_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Provider),
            contact_name: None,
            company_name: None,
            service_types: Some(vec![]),
            at: at(),
        })
        .then_expect_error(AccountError::NoServiceTypes);
}

#[test]
fn changed_service_types_at_most_20() {
    AccountTest::with(())
        .given(vec![provider_registered()])
        .when(AccountCommand::ChangeProfile {
            actor: owner(Role::Provider),
            contact_name: None,
            company_name: None,
            service_types: Some((0..21).map(|i| st(&format!("t{i}"))).collect()),
            at: at(),
        })
        .then_expect_error(AccountError::TooManyServiceTypes);
}

// ---- Block ----

#[test]
fn admin_blocks_an_account() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(block(admin()))
        .then_expect_events(vec![blocked()]);
}

#[test]
fn only_admins_block() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(block(stranger(Role::Auditor)))
        .then_expect_error(AccountError::NotAdmin);
}

#[test]
fn owner_cannot_block_itself_unless_admin() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(block(owner(Role::Client)))
        .then_expect_error(AccountError::NotAdmin);
}

#[test]
fn admin_cannot_block_own_account() {
    AccountTest::with(())
        .given(vec![staff_registered(Role::Admin)])
        .when(block(owner(Role::Admin)))
        .then_expect_error(AccountError::CannotBlockSelf);
}

#[test]
fn cannot_block_twice() {
    AccountTest::with(())
        .given(vec![client_registered(), blocked()])
        .when(block(admin()))
        .then_expect_error(AccountError::AlreadyBlocked);
}

#[test]
fn block_needs_a_reason() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(AccountCommand::Block {
            actor: admin(),
            reason: " ".to_owned(),
            at: at(),
        })
        .then_expect_error(AccountError::InvalidText {
            field: "reason",
            max: MAX_REASON_CHARS,
        });
}

#[test]
fn cannot_block_an_unregistered_account() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(block(admin()))
        .then_expect_error(AccountError::NotRegistered);
}

// ---- Unblock ----

#[test]
fn admin_unblocks_an_account() {
    AccountTest::with(())
        .given(vec![client_registered(), blocked()])
        .when(unblock(admin()))
        .then_expect_events(vec![AccountEvent::AccountUnblocked {
            unblocked_by: admin().id,
            at: at(),
        }]);
}

#[test]
fn only_admins_unblock() {
    AccountTest::with(())
        .given(vec![client_registered(), blocked()])
        .when(unblock(owner(Role::Client)))
        .then_expect_error(AccountError::NotAdmin);
}

#[test]
fn cannot_unblock_an_account_that_is_not_blocked() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(unblock(admin()))
        .then_expect_error(AccountError::NotBlocked);
}

#[test]
fn cannot_unblock_twice() {
    AccountTest::with(())
        .given(vec![
            client_registered(),
            blocked(),
            AccountEvent::AccountUnblocked {
                unblocked_by: admin().id,
                at: at(),
            },
        ])
        .when(unblock(admin()))
        .then_expect_error(AccountError::NotBlocked);
}

#[test]
fn cannot_unblock_an_unregistered_account() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(unblock(admin()))
        .then_expect_error(AccountError::NotRegistered);
}

// ---- Language ----

fn choose(actor: Actor, language: crate::Language) -> AccountCommand {
    AccountCommand::ChooseLanguage {
        actor,
        language,
        at: at(),
    }
}

#[test]
fn the_owner_chooses_english_and_the_account_reads_it() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(choose(owner(Role::Client), crate::Language::En))
        .then_expect_events(vec![AccountEvent::LanguageChosen {
            language: crate::Language::En,
            at: at(),
        }]);
    use cqrs_es::Aggregate;
    let mut account = Account::default();
    account.apply(client_registered());
    assert_eq!(
        account.language(),
        crate::Language::Ru,
        "Russian until chosen"
    );
    account.apply(AccountEvent::LanguageChosen {
        language: crate::Language::En,
        at: at(),
    });
    assert_eq!(account.language(), crate::Language::En);
}

#[test]
fn only_the_owner_or_an_admin_chooses_the_language() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(choose(stranger(Role::Client), crate::Language::En))
        .then_expect_error(AccountError::NotOwnerOrAdmin);
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(choose(admin(), crate::Language::En))
        .then_expect_events(vec![AccountEvent::LanguageChosen {
            language: crate::Language::En,
            at: at(),
        }]);
}

#[test]
fn choosing_the_current_language_changes_nothing() {
    AccountTest::with(())
        .given(vec![client_registered()])
        .when(choose(owner(Role::Client), crate::Language::Ru))
        .then_expect_error(AccountError::NothingToChange);
}

// ---- State and accessors ----

#[test]
fn accessors_reflect_the_provider_history() {
    let mut account = Account::default();
    for event in [
        provider_registered(),
        AccountEvent::ProfileChanged {
            changed_by: account_id(),
            contact_name: None,
            company_name: Some("ООО Лютик".to_owned()),
            service_types: Some(vec![st("delivery")]),
            at: at(),
        },
        blocked(),
    ] {
        cqrs_es::Aggregate::apply(&mut account, event);
    }
    assert_eq!(account.id(), Some(account_id()));
    assert_eq!(account.role(), Some(Role::Provider));
    assert_eq!(account.email(), Some(&email()));
    assert_eq!(
        account.company().map(|c| c.name.as_str()),
        Some("ООО Лютик")
    );
    assert_eq!(account.service_types(), &[st("delivery")]);
    assert!(account.serves(&st("delivery")));
    assert!(!account.serves(&st("legal")));
    assert!(account.is_blocked());
}

#[test]
fn snapshot_round_trips_through_json() {
    let mut account = Account::default();
    cqrs_es::Aggregate::apply(&mut account, provider_registered());
    let json = serde_json::to_value(&account).unwrap();
    assert_eq!(serde_json::from_value::<Account>(json).unwrap(), account);
}

#[test]
fn every_error_has_a_distinct_rule_code() {
    use crate::RuleViolation;
    let errors = [
        AccountError::AlreadyRegistered,
        AccountError::NotRegistered,
        AccountError::InvalidText {
            field: "name",
            max: 1,
        },
        AccountError::NoServiceTypes,
        AccountError::TooManyServiceTypes,
        AccountError::NotAStaffRole,
        AccountError::NotOwnerOrAdmin,
        AccountError::NotAdmin,
        AccountError::Blocked,
        AccountError::NotAProvider,
        AccountError::NoCompany,
        AccountError::NothingToChange,
        AccountError::AlreadyBlocked,
        AccountError::NotBlocked,
        AccountError::CannotBlockSelf,
    ];
    let codes: std::collections::HashSet<_> = errors.iter().map(|e| e.rule()).collect();
    assert_eq!(codes.len(), errors.len());
}
