//! Every string the UI shows, in Russian and English, and the language choice.
//!
//! One struct with a field per string: the compiler refuses a language that misses one.

pub mod admin;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Русский.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Code stored in localStorage and put in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language to start in: the stored choice, else Russian for a Russian browser, else English.
    pub fn initial(stored: Option<&str>, browser_language: Option<&str>) -> Lang {
        if let Some(lang) = stored.and_then(Lang::from_code) {
            return lang;
        }
        match browser_language {
            Some(l) if l.to_ascii_lowercase().starts_with("ru") => Lang::Ru,
            _ => Lang::En,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// The strings of this language.
    pub fn t(self) -> &'static Strings {
        match self {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }
}

/// All UI strings of one language.
#[derive(Debug)]
pub struct Strings {
    /// Product name in the top bar.
    pub product: &'static str,
    /// The admin console's strings.
    pub admin: &'static admin::AdminStrings,
    /// Label of the language switch: names the language it switches to.
    pub switch_to: &'static str,
    pub nav_my_requests: &'static str,
    pub nav_new_request: &'static str,
    pub nav_wallet: &'static str,
    pub nav_available: &'static str,
    pub nav_my_subscriptions: &'static str,
    pub nav_complaints: &'static str,
    pub nav_all_subscriptions: &'static str,
    pub nav_ledger_export: &'static str,
    pub logout: &'static str,
    pub role_client: &'static str,
    pub role_provider: &'static str,
    pub role_admin: &'static str,
    pub role_auditor: &'static str,

    pub login_title: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub login_submit: &'static str,
    pub no_account: &'static str,
    pub register_as_client: &'static str,
    pub register_as_provider: &'static str,

    pub register_client_title: &'static str,
    pub register_provider_title: &'static str,
    pub company_name: &'static str,
    pub inn: &'static str,
    pub contact_name: &'static str,
    pub service_types: &'static str,
    pub register_submit: &'static str,
    pub have_account: &'static str,
    pub catalog_unavailable: &'static str,

    pub loading: &'static str,
    pub load_more: &'static str,
    pub retry: &'static str,
    pub network_error: &'static str,
    pub session_expired: &'static str,
    pub unexpected_error: &'static str,

    pub my_requests_title: &'static str,
    pub my_subscriptions_title: &'static str,
    pub all_subscriptions_title: &'static str,
    pub no_requests: &'static str,
    pub new_request_title: &'static str,
    pub service_type: &'static str,
    pub choose_service: &'static str,
    pub plan: &'static str,
    pub plan_one_off: &'static str,
    pub plan_monthly: &'static str,
    pub description: &'static str,
    pub description_hint: &'static str,
    pub new_request_submit: &'static str,
    pub request_created: &'static str,

    pub available_title: &'static str,
    pub no_available: &'static str,
    pub accept: &'static str,
    pub reject: &'static str,

    pub col_service: &'static str,
    pub col_plan: &'static str,
    pub col_description: &'static str,
    pub col_price: &'static str,
    pub col_status: &'static str,
    pub col_created: &'static str,
    pub col_actions: &'static str,

    pub status_requested: &'static str,
    pub status_active: &'static str,
    pub status_past_due: &'static str,
    pub status_suspended: &'static str,
    pub status_cancelled: &'static str,
    pub status_expired: &'static str,
    pub status_overdue: &'static str,
    pub deadline_label: &'static str,
    pub no_deadline: &'static str,
    pub overdue_title: &'static str,
    pub overdue_body: &'static str,
    pub keep_waiting: &'static str,
    pub extend_until: &'static str,
    pub extend: &'static str,
    pub cancel_refund: &'static str,
    pub overdue_waiting: &'static str,
    pub status_completed: &'static str,

    pub wallet_title: &'static str,
    pub balance: &'static str,
    pub pending_payouts: &'static str,
    pub available: &'static str,
    pub in_escrow: &'static str,
    pub in_payout: &'static str,
    pub earnings: &'static str,
    pub top_up_title: &'static str,
    pub amount: &'static str,
    pub top_up_submit: &'static str,
    pub withdraw_title: &'static str,
    pub bik: &'static str,
    pub bank_account: &'static str,
    pub withdraw_submit: &'static str,
    pub withdrawal_created: &'static str,
    pub amount_invalid: &'static str,
    pub bik_invalid: &'static str,
    pub account_format_invalid: &'static str,
    pub account_key_invalid: &'static str,
    pub history_title: &'static str,
    pub no_history: &'static str,
    pub col_time: &'static str,
    pub col_kind: &'static str,
    pub col_amount: &'static str,
    pub col_balance_after: &'static str,
    pub col_account: &'static str,
    pub kind_top_up: &'static str,
    pub kind_top_up_failed: &'static str,
    pub kind_withdrawal: &'static str,
    pub kind_withdrawal_sent: &'static str,
    pub kind_withdrawal_settled: &'static str,
    pub kind_withdrawal_failed: &'static str,
    pub kind_to_escrow: &'static str,
    pub kind_refund: &'static str,
    pub kind_earnings: &'static str,
    pub payouts_title: &'static str,
    pub no_payouts: &'static str,
    pub payout_requested: &'static str,
    pub payout_sent: &'static str,
    pub payout_settled: &'static str,
    pub payout_failed: &'static str,
    pub pay_title: &'static str,
    pub pay_amount: &'static str,
    pub pay_note: &'static str,
    pub pay_approve: &'static str,
    pub pay_decline: &'static str,
    pub pay_waiting: &'static str,
    pub pay_settled: &'static str,
    pub pay_failed: &'static str,
    pub back_to_wallet: &'static str,
    pub subscription_title: &'static str,
    pub period: &'static str,
    pub next_charge: &'static str,
    pub next_charge_overdue: &'static str,
    pub no_next_charge: &'static str,
    pub escrow: &'static str,
    pub cancel_subscription: &'static str,
    pub cancel_question: &'static str,
    pub cancel_yes: &'static str,
    pub cancel_keep: &'static str,
    pub cancellation_scheduled: &'static str,
    pub back_to_list: &'static str,
    pub open: &'static str,

    pub coming_soon_title: &'static str,
    pub coming_soon_text: &'static str,
    pub not_found_title: &'static str,
    pub go_home: &'static str,
    pub live: &'static str,
    pub notifications: &'static str,
    pub mark_all_read: &'static str,
    pub no_notifications: &'static str,

    pub nav_documents: &'static str,
    pub documents_title: &'static str,
    pub no_documents: &'static str,
    pub col_number: &'static str,
    pub col_date: &'static str,
    pub col_period: &'static str,
    pub col_fee: &'static str,
    pub col_client: &'static str,
    pub col_provider: &'static str,
    pub inn_value: &'static str,
    pub download_pdf: &'static str,
    pub download_pdf_title: &'static str,
    pub ledger_title: &'static str,
    pub ledger_head_title: &'static str,
    pub ledger_entries: &'static str,
    pub ledger_head_hash: &'static str,
    pub ledger_balanced: &'static str,
    pub ledger_sum: &'static str,
    pub ledger_negative_accounts: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub refresh: &'static str,
    pub ledger_export_title: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub dates_hint: &'static str,
    pub ledger_account: &'static str,
    pub ledger_account_hint: &'static str,
    pub export_format: &'static str,
    pub format_csv: &'static str,
    pub format_jsonl: &'static str,
    pub download: &'static str,
    pub downloading: &'static str,
    pub file_saved: &'static str,
    pub save_failed: &'static str,
    pub date_range_invalid: &'static str,
    pub verify_title: &'static str,
    pub verify_chain: &'static str,
    pub verify_run: &'static str,
    pub verify_what: &'static str,
    pub verify_head: &'static str,
    pub register_title: &'static str,
    pub register_text: &'static str,
}

impl Strings {
    /// Label of a subscription status; an unknown one shows as sent.
    pub fn status<'a>(&'static self, status: &'a str) -> &'a str {
        match status {
            "requested" => self.status_requested,
            "active" => self.status_active,
            "past_due" => self.status_past_due,
            "suspended" => self.status_suspended,
            "cancelled" => self.status_cancelled,
            "expired" => self.status_expired,
            "overdue" => self.status_overdue,
            "completed" => self.status_completed,
            other => other,
        }
    }

    /// Label of a wallet movement's kind; an unknown one shows as sent.
    pub fn movement<'a>(&'static self, kind: &'a str) -> &'a str {
        match kind {
            "top_up" => self.kind_top_up,
            "top_up_failed" => self.kind_top_up_failed,
            "withdrawal" => self.kind_withdrawal,
            "withdrawal_sent" => self.kind_withdrawal_sent,
            "withdrawal_settled" => self.kind_withdrawal_settled,
            "withdrawal_failed" => self.kind_withdrawal_failed,
            "to_escrow" => self.kind_to_escrow,
            "refund" => self.kind_refund,
            "earnings" => self.kind_earnings,
            other => other,
        }
    }

    /// Label of a payout's status; an unknown one shows as sent.
    pub fn payout_status<'a>(&'static self, status: &'a str) -> &'a str {
        match status {
            "requested" => self.payout_requested,
            "sent" => self.payout_sent,
            "settled" => self.payout_settled,
            "failed" => self.payout_failed,
            other => other,
        }
    }

    /// Label of a plan; an unknown one shows as sent.
    pub fn plan_label<'a>(&'static self, plan: &'a str) -> &'a str {
        match plan {
            "one_off" => self.plan_one_off,
            "monthly" => self.plan_monthly,
            other => other,
        }
    }
}

/// Russian.
pub static RU: Strings = Strings {
    product: "Hub",
    admin: &admin::RU,
    switch_to: "English",
    nav_my_requests: "Мои заявки",
    nav_new_request: "Новая заявка",
    nav_wallet: "Кошелёк",
    nav_available: "Доступные заявки",
    nav_my_subscriptions: "Мои подписки",
    nav_complaints: "Жалобы",
    nav_all_subscriptions: "Все подписки",
    nav_ledger_export: "Выгрузка журнала",
    logout: "Выйти",
    role_client: "Клиент",
    role_provider: "Исполнитель",
    role_admin: "Администратор",
    role_auditor: "Аудитор",

    login_title: "Вход",
    email: "Эл. почта",
    password: "Пароль",
    login_submit: "Войти",
    no_account: "Нет учётной записи?",
    register_as_client: "Регистрация клиента",
    register_as_provider: "Регистрация исполнителя",

    register_client_title: "Регистрация клиента",
    register_provider_title: "Регистрация исполнителя",
    company_name: "Название компании",
    inn: "ИНН",
    contact_name: "Контактное лицо",
    service_types: "Виды услуг",
    register_submit: "Зарегистрироваться",
    have_account: "Уже есть учётная запись? Войти",
    catalog_unavailable: "Каталог услуг недоступен. Попробуйте позже.",

    loading: "Загрузка…",
    load_more: "Показать ещё",
    retry: "Повторить",
    network_error: "Сервер недоступен. Проверьте соединение и попробуйте ещё раз.",
    session_expired: "Сеанс истёк. Войдите снова.",
    unexpected_error: "Непредвиденная ошибка.",

    my_requests_title: "Мои заявки",
    my_subscriptions_title: "Мои подписки",
    all_subscriptions_title: "Все подписки",
    no_requests: "Пока ничего нет.",
    new_request_title: "Новая заявка",
    service_type: "Вид услуги",
    choose_service: "Выберите услугу",
    plan: "Тариф",
    plan_one_off: "Разовая",
    plan_monthly: "Ежемесячная",
    description: "Описание",
    description_hint: "Опишите, что нужно сделать",
    new_request_submit: "Отправить заявку",
    request_created: "Заявка создана.",

    available_title: "Доступные заявки",
    no_available: "Сейчас нет заявок по вашим видам услуг.",
    accept: "Принять",
    reject: "Отклонить",

    col_service: "Услуга",
    col_plan: "Тариф",
    col_description: "Описание",
    col_price: "Цена",
    col_status: "Статус",
    col_created: "Создана",
    col_actions: "Действия",

    status_requested: "Ожидает исполнителя",
    status_active: "Активна",
    status_past_due: "Просрочена оплата",
    status_suspended: "Приостановлена",
    status_cancelled: "Отменена",
    status_expired: "Истекла",
    status_overdue: "Срок принятия истёк",
    deadline_label: "Принять до",
    no_deadline: "Без срока",
    overdue_title: "Заявку никто не принял к {date}",
    overdue_body: "Деньги по-прежнему зарезервированы под заявку, и исполнители ещё могут её принять. Можно подождать, продлить срок или отменить заявку с полным возвратом.",
    keep_waiting: "Подождать без срока",
    extend_until: "Новый срок",
    extend: "Продлить",
    cancel_refund: "Отменить и вернуть деньги",
    overdue_waiting: "Ждём исполнителя без срока: напомнить больше не придётся.",
    status_completed: "Завершена",

    wallet_title: "Кошелёк",
    balance: "Баланс",
    pending_payouts: "Ожидает выплаты",
    available: "Доступно",
    in_escrow: "В эскроу",
    in_payout: "Выводится",
    earnings: "Заработано всего",
    top_up_title: "Пополнить",
    amount: "Сумма, ₽",
    top_up_submit: "Перейти к оплате",
    withdraw_title: "Вывести на счёт",
    bik: "БИК банка",
    bank_account: "Расчётный счёт",
    withdraw_submit: "Вывести",
    withdrawal_created: "Заявка на вывод принята.",
    amount_invalid: "Введите положительную сумму, не больше двух знаков после запятой.",
    bik_invalid: "БИК — 9 цифр, начинается с 04.",
    account_format_invalid: "Номер счёта — 20 цифр.",
    account_key_invalid: "Контрольный ключ счёта не сходится с БИК — проверьте номер.",
    history_title: "История операций",
    no_history: "Операций пока нет.",
    col_time: "Время",
    col_kind: "Операция",
    col_amount: "Сумма",
    col_balance_after: "Остаток",
    col_account: "Счёт",
    kind_top_up: "Пополнение",
    kind_top_up_failed: "Пополнение не прошло",
    kind_withdrawal: "Вывод",
    kind_withdrawal_sent: "Вывод отправлен в банк",
    kind_withdrawal_settled: "Вывод зачислен",
    kind_withdrawal_failed: "Вывод вернулся",
    kind_to_escrow: "Оплата подписки (эскроу)",
    kind_refund: "Возврат",
    kind_earnings: "Оплата работы",
    payouts_title: "Выводы",
    no_payouts: "Выводов пока не было.",
    payout_requested: "Принят",
    payout_sent: "Отправлен в банк",
    payout_settled: "Зачислен",
    payout_failed: "Не прошёл",
    pay_title: "Оплата (тестовый шлюз)",
    pay_amount: "Оплатить {amount}",
    pay_note: "Это тестовая страница платёжного шлюза: деньги не списываются.",
    pay_approve: "Подтвердить",
    pay_decline: "Отклонить",
    pay_waiting: "Ждём ответа банка…",
    pay_settled: "Оплата прошла, деньги зачислены в кошелёк.",
    pay_failed: "Оплата отклонена, деньги не списаны.",
    back_to_wallet: "Вернуться в кошелёк",
    subscription_title: "Подписка",
    period: "Текущий период",
    next_charge: "Следующее списание",
    next_charge_overdue: "просрочено",
    no_next_charge: "Не запланировано",
    escrow: "В эскроу",
    cancel_subscription: "Отменить подписку",
    cancel_question: "Отменить подписку? Если исполнитель ещё не принял заявку, деньги вернутся в кошелёк; иначе подписка закончится в конце оплаченного периода.",
    cancel_yes: "Да, отменить",
    cancel_keep: "Нет, оставить",
    cancellation_scheduled: "Отмена в конце периода: {date}",
    back_to_list: "← К списку",
    open: "Открыть",

    coming_soon_title: "Скоро",
    coming_soon_text: "Этот раздел ещё в разработке.",
    not_found_title: "Страница не найдена",
    go_home: "На главную",
    live: "Обновляется в реальном времени",
    notifications: "Уведомления",
    mark_all_read: "Прочитать все",
    no_notifications: "Уведомлений пока нет",

    nav_documents: "Документы",
    documents_title: "Закрывающие документы",
    no_documents: "Актов пока нет. Акт составляется, когда оплата за период или разовую заявку переходит исполнителю.",
    col_number: "Номер",
    col_date: "Дата",
    col_period: "Период",
    col_fee: "Комиссия",
    col_client: "Заказчик",
    col_provider: "Исполнитель",
    inn_value: "ИНН {inn}",
    download_pdf: "PDF",
    download_pdf_title: "Скачать акт № {number} (PDF)",
    ledger_title: "Журнал проводок",
    ledger_head_title: "Журнал сейчас",
    ledger_entries: "Проводок",
    ledger_head_hash: "Хеш последней проводки",
    ledger_balanced: "Сходится",
    ledger_sum: "Сумма по всем счетам",
    ledger_negative_accounts: "Счетов с минусом",
    yes: "да",
    no: "нет",
    refresh: "Обновить",
    ledger_export_title: "Выгрузка проводок",
    date_from: "С",
    date_to: "По",
    dates_hint: "Дни по UTC, обе даты включительно. Пустое поле — без ограничения.",
    ledger_account: "Счёт журнала",
    ledger_account_hint: "Необязательно. Один счёт: wallet:<uuid>, escrow:<uuid>, payout:<uuid>, external:bank или platform:fees.",
    export_format: "Формат",
    format_csv: "CSV",
    format_jsonl: "JSON Lines",
    download: "Скачать",
    downloading: "Готовим файл…",
    file_saved: "Файл «{name}» сохранён.",
    save_failed: "Браузер не дал сохранить файл.",
    date_range_invalid: "Дата «по» раньше даты «с».",
    verify_title: "Как проверить выгрузку",
    verify_chain: "Выгрузка — цепочка хешей: SHA-256 каждой строки покрывает хеш предыдущей, поэтому изменённая, удалённая или вставленная строка видна.",
    verify_run: "Проверьте файл на своём компьютере, база данных не нужна:",
    verify_what: "Команда заново считает цепочку SHA-256 по каждой строке и текущие остатки по счетам и называет первую строку, где что-то не сходится.",
    verify_head: "Затем сравните хеш последней строки с хешем последней проводки выше. У выгрузки без даты «по» и без счёта они совпадают, если после выгрузки не появилось новых проводок.",
    register_title: "Реестр закрывающих документов",
    register_text: "Все акты за период одним CSV-файлом.",
};

/// English.
pub static EN: Strings = Strings {
    product: "Hub",
    admin: &admin::EN,
    switch_to: "Русский",
    nav_my_requests: "My requests",
    nav_new_request: "New request",
    nav_wallet: "Wallet",
    nav_available: "Available requests",
    nav_my_subscriptions: "My subscriptions",
    nav_complaints: "Complaints",
    nav_all_subscriptions: "All subscriptions",
    nav_ledger_export: "Ledger export",
    logout: "Log out",
    role_client: "Client",
    role_provider: "Provider",
    role_admin: "Admin",
    role_auditor: "Auditor",

    login_title: "Sign in",
    email: "Email",
    password: "Password",
    login_submit: "Sign in",
    no_account: "No account yet?",
    register_as_client: "Register as a client",
    register_as_provider: "Register as a provider",

    register_client_title: "Client registration",
    register_provider_title: "Provider registration",
    company_name: "Company name",
    inn: "INN (taxpayer number)",
    contact_name: "Contact name",
    service_types: "Service types",
    register_submit: "Register",
    have_account: "Already registered? Sign in",
    catalog_unavailable: "The service catalog is unavailable. Try again later.",

    loading: "Loading…",
    load_more: "Load more",
    retry: "Retry",
    network_error: "The server cannot be reached. Check your connection and try again.",
    session_expired: "Your session has expired. Please sign in again.",
    unexpected_error: "Unexpected error.",

    my_requests_title: "My requests",
    my_subscriptions_title: "My subscriptions",
    all_subscriptions_title: "All subscriptions",
    no_requests: "Nothing here yet.",
    new_request_title: "New request",
    service_type: "Service type",
    choose_service: "Choose a service",
    plan: "Plan",
    plan_one_off: "One-off",
    plan_monthly: "Monthly",
    description: "Description",
    description_hint: "Describe what needs to be done",
    new_request_submit: "Send request",
    request_created: "Request created.",

    available_title: "Available requests",
    no_available: "No open requests for your service types right now.",
    accept: "Accept",
    reject: "Reject",

    col_service: "Service",
    col_plan: "Plan",
    col_description: "Description",
    col_price: "Price",
    col_status: "Status",
    col_created: "Created",
    col_actions: "Actions",

    status_requested: "Awaiting a provider",
    status_active: "Active",
    status_past_due: "Past due",
    status_suspended: "Suspended",
    status_cancelled: "Cancelled",
    status_expired: "Expired",
    status_overdue: "Past its deadline",
    deadline_label: "Accept by",
    no_deadline: "No deadline",
    overdue_title: "Nobody accepted this request by {date}",
    overdue_body: "The money stays reserved for it and providers can still accept it. You can keep waiting, extend the deadline, or cancel with a full refund.",
    keep_waiting: "Keep waiting",
    extend_until: "New deadline",
    extend: "Extend",
    cancel_refund: "Cancel with a full refund",
    overdue_waiting: "Waiting for a provider without a deadline: you will not be reminded again.",
    status_completed: "Completed",

    wallet_title: "Wallet",
    balance: "Balance",
    pending_payouts: "Pending payouts",
    available: "Available",
    in_escrow: "In escrow",
    in_payout: "Being paid out",
    earnings: "Earned in total",
    top_up_title: "Top up",
    amount: "Amount, ₽",
    top_up_submit: "Go to payment",
    withdraw_title: "Withdraw to a bank account",
    bik: "Bank BIK",
    bank_account: "Account number",
    withdraw_submit: "Withdraw",
    withdrawal_created: "Withdrawal requested.",
    amount_invalid: "Enter a positive amount with at most two decimals.",
    bik_invalid: "A BIK is 9 digits starting with 04.",
    account_format_invalid: "An account number is 20 digits.",
    account_key_invalid: "The account's control key does not match the BIK: check the number.",
    history_title: "History",
    no_history: "No movements yet.",
    col_time: "Time",
    col_kind: "Movement",
    col_amount: "Amount",
    col_balance_after: "Balance after",
    col_account: "Account",
    kind_top_up: "Top-up",
    kind_top_up_failed: "Top-up failed",
    kind_withdrawal: "Withdrawal",
    kind_withdrawal_sent: "Withdrawal sent to the bank",
    kind_withdrawal_settled: "Withdrawal paid out",
    kind_withdrawal_failed: "Withdrawal returned",
    kind_to_escrow: "Subscription payment (escrow)",
    kind_refund: "Refund",
    kind_earnings: "Earnings",
    payouts_title: "Payouts",
    no_payouts: "No payouts yet.",
    payout_requested: "Requested",
    payout_sent: "Sent to the bank",
    payout_settled: "Paid out",
    payout_failed: "Failed",
    pay_title: "Payment (sandbox gateway)",
    pay_amount: "Pay {amount}",
    pay_note: "This is the sandbox gateway's page: no real money moves.",
    pay_approve: "Approve",
    pay_decline: "Decline",
    pay_waiting: "Waiting for the bank…",
    pay_settled: "Payment received: the money is in your wallet.",
    pay_failed: "Payment declined: nothing was charged.",
    back_to_wallet: "Back to the wallet",
    subscription_title: "Subscription",
    period: "Current period",
    next_charge: "Next charge",
    next_charge_overdue: "overdue",
    no_next_charge: "None scheduled",
    escrow: "In escrow",
    cancel_subscription: "Cancel the subscription",
    cancel_question: "Cancel the subscription? If no provider has accepted it yet, the money returns to your wallet; otherwise it ends with the paid period.",
    cancel_yes: "Yes, cancel",
    cancel_keep: "No, keep it",
    cancellation_scheduled: "Cancelled at the end of the period: {date}",
    back_to_list: "← Back to the list",
    open: "Open",

    coming_soon_title: "Coming soon",
    coming_soon_text: "This section is still being built.",
    not_found_title: "Page not found",
    go_home: "Go to the start page",
    live: "Updates live",
    notifications: "Notifications",
    mark_all_read: "Mark all read",
    no_notifications: "No notifications yet",

    nav_documents: "Documents",
    documents_title: "Closing documents",
    no_documents: "No acts yet. An act is drawn up when the payment for a period or a one-off request goes to the provider.",
    col_number: "Number",
    col_date: "Date",
    col_period: "Period",
    col_fee: "Fee",
    col_client: "Client",
    col_provider: "Provider",
    inn_value: "INN {inn}",
    download_pdf: "PDF",
    download_pdf_title: "Download act No. {number} (PDF)",
    ledger_title: "Ledger",
    ledger_head_title: "The ledger now",
    ledger_entries: "Entries",
    ledger_head_hash: "Head hash",
    ledger_balanced: "Balanced",
    ledger_sum: "Sum over all accounts",
    ledger_negative_accounts: "Accounts below zero",
    yes: "yes",
    no: "no",
    refresh: "Refresh",
    ledger_export_title: "Export entries",
    date_from: "From",
    date_to: "To",
    dates_hint: "UTC days, both inclusive. Leave a date empty for no limit.",
    ledger_account: "Ledger account",
    ledger_account_hint: "Optional. One account: wallet:<uuid>, escrow:<uuid>, payout:<uuid>, external:bank or platform:fees.",
    export_format: "Format",
    format_csv: "CSV",
    format_jsonl: "JSON Lines",
    download: "Download",
    downloading: "Preparing the file…",
    file_saved: "Saved “{name}”.",
    save_failed: "The browser refused to save the file.",
    date_range_invalid: "The end date is before the start date.",
    verify_title: "How to verify an export",
    verify_chain: "The export is hash-chained: each row's SHA-256 covers the previous row's hash, so a changed, removed or inserted row shows.",
    verify_run: "Check the file on your own computer, no database needed:",
    verify_what: "It recomputes every row's SHA-256 chain and the running balances, and names the first line that does not add up.",
    verify_head: "Then compare the last row's hash with the head hash above. For an export with no end date and no account they match, unless entries were recorded since.",
    register_title: "Register of closing documents",
    register_text: "All acts of a date range in one CSV file.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_choice_wins_over_browser_language() {
        assert_eq!(Lang::initial(Some("en"), Some("ru-RU")), Lang::En);
        assert_eq!(Lang::initial(Some("ru"), Some("en-US")), Lang::Ru);
    }

    #[test]
    fn russian_browser_defaults_to_russian_any_other_to_english() {
        assert_eq!(Lang::initial(None, Some("ru-RU")), Lang::Ru);
        assert_eq!(Lang::initial(None, Some("RU")), Lang::Ru);
        assert_eq!(Lang::initial(None, Some("en-GB")), Lang::En);
        assert_eq!(Lang::initial(None, Some("de")), Lang::En);
        assert_eq!(Lang::initial(None, None), Lang::En);
        assert_eq!(Lang::initial(Some("garbage"), Some("ru")), Lang::Ru);
    }

    #[test]
    fn code_round_trips() {
        for lang in [Lang::Ru, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
    }

    #[test]
    fn known_statuses_are_translated_unknown_pass_through() {
        assert_eq!(RU.status("active"), "Активна");
        assert_eq!(EN.status("past_due"), "Past due");
        assert_eq!(EN.status("brand_new"), "brand_new");
        assert_eq!(RU.plan_label("monthly"), "Ежемесячная");
        assert_eq!(EN.movement("to_escrow"), "Subscription payment (escrow)");
        assert_eq!(RU.payout_status("failed"), "Не прошёл");
        assert_eq!(EN.payout_status("lost"), "lost");
    }
}
