//! Given/when/then tests of the catalog rules: one behaviour per test.

use super::*;
use crate::{AccountId, Actor, Money, Plan, Role, ServiceType};
use cqrs_es::test::TestFramework;
use rust_decimal_macros::dec;

type CatalogTest = TestFramework<Catalog>;

fn admin() -> Actor {
    Actor::new(AccountId::new(), Role::Admin)
}

fn legal() -> ServiceType {
    ServiceType::parse("legal").unwrap()
}

fn add(actor: Actor) -> CatalogCommand {
    CatalogCommand::AddServiceType {
        actor,
        code: legal(),
        name_en: "Legal".to_owned(),
        name_ru: "Юридические услуги".to_owned(),
        one_off_price: Money::rub(dec!(5000)),
        monthly_price: Money::rub(dec!(30000)),
    }
}

fn added() -> CatalogEvent {
    CatalogEvent::ServiceTypeAdded {
        code: legal(),
        name_en: "Legal".to_owned(),
        name_ru: "Юридические услуги".to_owned(),
        one_off_price: Money::rub(dec!(5000)),
        monthly_price: Money::rub(dec!(30000)),
    }
}

fn change_prices(actor: Actor, one_off: Money, monthly: Money) -> CatalogCommand {
    CatalogCommand::ChangePrices {
        actor,
        code: legal(),
        one_off_price: one_off,
        monthly_price: monthly,
    }
}

fn retired() -> CatalogEvent {
    CatalogEvent::ServiceTypeRetired { code: legal() }
}

fn catalog_of(events: Vec<CatalogEvent>) -> Catalog {
    let mut catalog = Catalog::default();
    for e in events {
        cqrs_es::Aggregate::apply(&mut catalog, e);
    }
    catalog
}

// ---- AddServiceType ----

#[test]
fn admin_adds_a_service_type() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(add(admin()))
        .then_expect_events(vec![added()]);
}

#[test]
fn names_are_trimmed() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::AddServiceType {
            actor: admin(),
            code: legal(),
            name_en: " Legal ".to_owned(),
            name_ru: "\tЮридические услуги\n".to_owned(),
            one_off_price: Money::rub(dec!(5000)),
            monthly_price: Money::rub(dec!(30000)),
        })
        .then_expect_events(vec![added()]);
}

#[test]
fn only_admins_add() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(add(Actor::new(AccountId::new(), Role::Provider)))
        .then_expect_error(CatalogError::NotAdmin);
}

#[test]
fn codes_are_unique() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(add(admin()))
        .then_expect_error(CatalogError::DuplicateCode(legal()));
}

#[test]
fn a_retired_code_cannot_be_added_again() {
    CatalogTest::with(())
        .given(vec![added(), retired()])
        .when(add(admin()))
        .then_expect_error(CatalogError::DuplicateCode(legal()));
}

#[test]
fn one_off_price_must_be_positive() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::AddServiceType {
            actor: admin(),
            code: legal(),
            name_en: "Legal".to_owned(),
            name_ru: "Юридические услуги".to_owned(),
            one_off_price: Money::rub(dec!(0)),
            monthly_price: Money::rub(dec!(30000)),
        })
        .then_expect_error(CatalogError::PriceNotPositive {
            field: "one_off_price",
        });
}

#[test]
fn monthly_price_must_be_positive() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::AddServiceType {
            actor: admin(),
            code: legal(),
            name_en: "Legal".to_owned(),
            name_ru: "Юридические услуги".to_owned(),
            one_off_price: Money::rub(dec!(5000)),
            monthly_price: Money::rub(dec!(0)),
        })
        .then_expect_error(CatalogError::PriceNotPositive {
            field: "monthly_price",
        });
}

#[test]
fn english_name_must_not_be_blank() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::AddServiceType {
            actor: admin(),
            code: legal(),
            name_en: "  ".to_owned(),
            name_ru: "Юридические услуги".to_owned(),
            one_off_price: Money::rub(dec!(5000)),
            monthly_price: Money::rub(dec!(30000)),
        })
        .then_expect_error(CatalogError::InvalidName { field: "name_en" });
}

#[test]
fn russian_name_at_most_200_chars() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::AddServiceType {
            actor: admin(),
            code: legal(),
            name_en: "Legal".to_owned(),
            name_ru: "ю".repeat(201),
            one_off_price: Money::rub(dec!(5000)),
            monthly_price: Money::rub(dec!(30000)),
        })
        .then_expect_error(CatalogError::InvalidName { field: "name_ru" });
}

// ---- ChangePrices ----

#[test]
fn admin_changes_prices() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(change_prices(
            admin(),
            Money::rub(dec!(5500.50)),
            Money::rub(dec!(32000)),
        ))
        .then_expect_events(vec![CatalogEvent::PricesChanged {
            code: legal(),
            one_off_price: Money::rub(dec!(5500.50)),
            monthly_price: Money::rub(dec!(32000)),
        }]);
}

#[test]
fn only_admins_change_prices() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(change_prices(
            Actor::new(AccountId::new(), Role::Auditor),
            Money::rub(dec!(1)),
            Money::rub(dec!(1)),
        ))
        .then_expect_error(CatalogError::NotAdmin);
}

#[test]
fn cannot_change_prices_of_an_unknown_code() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(change_prices(
            admin(),
            Money::rub(dec!(1)),
            Money::rub(dec!(1)),
        ))
        .then_expect_error(CatalogError::UnknownServiceType(legal()));
}

#[test]
fn changed_one_off_price_must_be_positive() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(change_prices(
            admin(),
            Money::rub(dec!(0)),
            Money::rub(dec!(1)),
        ))
        .then_expect_error(CatalogError::PriceNotPositive {
            field: "one_off_price",
        });
}

#[test]
fn changed_monthly_price_must_be_positive() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(change_prices(
            admin(),
            Money::rub(dec!(1)),
            Money::rub(dec!(0)),
        ))
        .then_expect_error(CatalogError::PriceNotPositive {
            field: "monthly_price",
        });
}

// ---- RetireServiceType ----

#[test]
fn admin_retires_a_service_type() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(CatalogCommand::RetireServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_events(vec![retired()]);
}

#[test]
fn only_admins_retire() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(CatalogCommand::RetireServiceType {
            actor: Actor::new(AccountId::new(), Role::Client),
            code: legal(),
        })
        .then_expect_error(CatalogError::NotAdmin);
}

#[test]
fn cannot_retire_an_unknown_code() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::RetireServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_error(CatalogError::UnknownServiceType(legal()));
}

#[test]
fn cannot_retire_twice() {
    CatalogTest::with(())
        .given(vec![added(), retired()])
        .when(CatalogCommand::RetireServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_error(CatalogError::AlreadyRetired(legal()));
}

// ---- RestoreServiceType ----

#[test]
fn admin_restores_a_retired_service_type() {
    CatalogTest::with(())
        .given(vec![added(), retired()])
        .when(CatalogCommand::RestoreServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_events(vec![CatalogEvent::ServiceTypeRestored { code: legal() }]);
}

#[test]
fn only_admins_restore() {
    CatalogTest::with(())
        .given(vec![added(), retired()])
        .when(CatalogCommand::RestoreServiceType {
            actor: Actor::new(AccountId::new(), Role::Provider),
            code: legal(),
        })
        .then_expect_error(CatalogError::NotAdmin);
}

#[test]
fn cannot_restore_an_unknown_code() {
    CatalogTest::with(())
        .given_no_previous_events()
        .when(CatalogCommand::RestoreServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_error(CatalogError::UnknownServiceType(legal()));
}

#[test]
fn cannot_restore_an_active_service_type() {
    CatalogTest::with(())
        .given(vec![added()])
        .when(CatalogCommand::RestoreServiceType {
            actor: admin(),
            code: legal(),
        })
        .then_expect_error(CatalogError::NotRetired(legal()));
}

// ---- Accessors ----

#[test]
fn price_follows_the_plan() {
    let catalog = catalog_of(vec![added()]);
    assert_eq!(
        catalog.price(&legal(), Plan::OneOff),
        Some(Money::rub(dec!(5000)))
    );
    assert_eq!(
        catalog.price(&legal(), Plan::Monthly),
        Some(Money::rub(dec!(30000)))
    );
}

#[test]
fn price_follows_the_latest_change() {
    let catalog = catalog_of(vec![
        added(),
        CatalogEvent::PricesChanged {
            code: legal(),
            one_off_price: Money::rub(dec!(7000)),
            monthly_price: Money::rub(dec!(40000)),
        },
    ]);
    assert_eq!(
        catalog.price(&legal(), Plan::OneOff),
        Some(Money::rub(dec!(7000)))
    );
}

#[test]
fn unknown_code_has_no_price_and_is_not_offered() {
    let catalog = catalog_of(vec![added()]);
    let delivery = ServiceType::parse("delivery").unwrap();
    assert_eq!(catalog.price(&delivery, Plan::OneOff), None);
    assert!(!catalog.is_offered(&delivery));
}

#[test]
fn retired_code_has_no_price_and_is_not_offered_but_is_listed() {
    let catalog = catalog_of(vec![added(), retired()]);
    assert_eq!(catalog.price(&legal(), Plan::Monthly), None);
    assert!(!catalog.is_offered(&legal()));
    let listed: Vec<_> = catalog.service_types().collect();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].retired);
}

#[test]
fn restored_code_is_offered_at_its_last_prices() {
    let catalog = catalog_of(vec![
        added(),
        retired(),
        CatalogEvent::ServiceTypeRestored { code: legal() },
    ]);
    assert!(catalog.is_offered(&legal()));
    assert_eq!(
        catalog.price(&legal(), Plan::OneOff),
        Some(Money::rub(dec!(5000)))
    );
}

#[test]
fn snapshot_round_trips_through_json() {
    let catalog = catalog_of(vec![added(), retired()]);
    let json = serde_json::to_value(&catalog).unwrap();
    assert_eq!(serde_json::from_value::<Catalog>(json).unwrap(), catalog);
}
