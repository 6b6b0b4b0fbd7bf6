//! End-to-end: the real server over a fresh SQLite database with the demo loaded, the built front
//! end, and a real headless Chromium. One journey through the foundation's promises: read the
//! consultation, sign up, take positions (a reservation without a reason is refused next to the
//! field), comment, sign out and in again, switch language; and the identity journeys: two-factor
//! sign-in, data export and deletion, organisations, conveners and invitations.

use serde_json::json;
use tests::browser::Browser;
use tests::{TestApp, spawn_app_with_front_end};

// Locators.
const CONSULTATION_LINK: &str = "#consultations li:first-child h2 a";
const FIRST_CLAUSE_LINK: &str = "#clauses li:first-child h3 a";
const CLAUSE_TITLE: &str = "#clause-title";
const SIGN_UP_LINK: &str = "#sign-up-link";
const SIGN_IN_LINK: &str = "#sign-in-link";
const SIGN_OUT: &str = "#sign-out";
const HANDLE: &str = "#handle";
const PASSWORD: &str = "#password";
const ACCOUNT_SUBMIT: &str = "#account-submit";
const SIGNED_IN_HANDLE: &str = "#signed-in-handle";
const RESERVATION: &str = "input[name='stance'][value='endorse_with_reservation']";
const REASON: &str = "#reason";
const REASON_ERROR: &str = "#reason-error";
const RECORD_POSITION: &str = "#record-position";
const COMMENT_BODY: &str = "#body";
const COMMENT_ERROR: &str = "#body-error";
const POST_COMMENT: &str = "#post-comment";

fn count(stance: &str) -> String {
    format!(".count[data-stance='{stance}']")
}

/// The tally's count for `stance` once it reads `n` (the tally re-renders after each change).
fn count_is(stance: &str, n: u32) -> String {
    format!("//span[@data-stance='{stance}' and text()='{n}']")
}

// Checks.
async fn wait_for_count(browser: &Browser, stance: &str, n: u32) {
    browser
        .wait_for(fantoccini::Locator::XPath(&count_is(stance, n)))
        .await;
}

/// Concord with the built front end over a fresh SQLite database, and a fresh browser.
async fn app_and_browser() -> (TestApp, Browser) {
    (spawn_app_with_front_end().await, Browser::start().await)
}

/// The language the page says it is in (`<html lang>`).
async fn page_language(browser: &Browser) -> serde_json::Value {
    browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("script")
}

// Actions.

/// Turns on two-factor sign-in from the account page; returns the key shown there.
async fn turn_on_two_factor(browser: &Browser, password: &str) -> String {
    browser.click(SIGNED_IN_HANDLE).await;
    browser.fill("#two-factor-password", password).await;
    browser.click("#two-factor-start").await;
    browser.wait(".qr svg").await;
    let secret = browser.text("#totp-secret").await;
    browser.fill("#code", &tests::totp_code(&secret, 0)).await;
    browser.click("#two-factor-confirm").await;
    browser
        .wait_for_text("two-factor-state", "Two-factor sign-in is on.")
        .await;
    secret
}
/// Signs `handle` up in the browser, makes them an administrator (as `concord admin grant`
/// does) and turns on their two-factor sign-in; returns the key of their authenticator.
async fn become_administrator(app: &TestApp, browser: &Browser, handle: &str) -> String {
    browser.client.goto(&app.address).await.expect("open");
    sign_up(browser, handle, "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    app.make_admin(handle).await;
    turn_on_two_factor(browser, "a long passphrase").await
}

/// Switches the interface's language with the menu every page has.
async fn choose_language(browser: &Browser, lang: &str) {
    browser
        .client
        .find(fantoccini::Locator::Css(".language select"))
        .await
        .expect("language switcher")
        .select_by_value(lang)
        .await
        .expect("select a language");
}

/// Chooses the stakeholder group and the region (from the consultation's list) that a first
/// position states.
async fn state_standing(browser: &Browser, group: &str, region: &str) {
    for (select, value) in [("#stakeholder_group", group), ("#region", region)] {
        browser
            .wait(select)
            .await
            .select_by_value(value)
            .await
            .expect("choose");
    }
}

async fn sign_up(browser: &Browser, handle: &str, password: &str) {
    browser.click(SIGN_UP_LINK).await;
    browser.fill(HANDLE, handle).await;
    browser.fill(PASSWORD, password).await;
    browser.click(ACCOUNT_SUBMIT).await;
}

async fn sign_in(browser: &Browser, handle: &str, password: &str) {
    browser.click(SIGN_IN_LINK).await;
    browser.fill(HANDLE, handle).await;
    browser.fill(PASSWORD, password).await;
    browser.click(ACCOUNT_SUBMIT).await;
}

#[tokio::test]
async fn a_participant_reads_signs_up_takes_positions_and_comments_in_a_real_browser() {
    let (app, browser) = app_and_browser().await;

    // Step 2: the list of consultations, then the current round and its clauses.
    browser.client.goto(&app.address).await.expect("open");
    browser.click(CONSULTATION_LINK).await;
    browser
        .wait_for_text("round-heading", "2019 review Phase: Voting")
        .await;
    let clauses = browser
        .client
        .find_all(fantoccini::Locator::Css("#clauses > li"))
        .await
        .expect("clauses");
    assert_eq!(clauses.len(), 9);

    // With no account, the round's page offers its feeds and calendar, and names the feeds in
    // the document's head for feed readers; each link answers what it says.
    let feed = link_of(&browser, "#follow-feed").await;
    assert_eq!(feed, "/api/v1/consultations/paris-call/feed.atom?lang=en");
    let round_feed = link_of(&browser, "#follow-round-feed").await;
    let calendar = link_of(&browser, "#follow-calendar").await;
    let announced = browser
        .client
        .execute(
            "return Array.from(document.head.querySelectorAll(\
             \"link[rel='alternate'][type='application/atom+xml']\")).map(l => l.getAttribute('href'))",
            vec![],
        )
        .await
        .expect("the head's feeds");
    assert_eq!(announced, json!([feed, round_feed]));
    for (href, kind) in [
        (&feed, "application/atom+xml"),
        (&round_feed, "application/atom+xml"),
        (&calendar, "text/calendar"),
    ] {
        let answer = browser
            .client
            .execute(
                "return fetch(arguments[0]).then(r => r.text().then(text => ({
                    status: r.status, type: r.headers.get('content-type'), text })));",
                vec![json!(href)],
            )
            .await
            .expect("fetch from the page");
        assert_eq!(answer["status"], 200, "{href}");
        assert!(
            answer["type"].as_str().is_some_and(|t| t.starts_with(kind)),
            "{href}: {answer}"
        );
        let text = answer["text"].as_str().expect("text");
        if kind == "text/calendar" {
            text.parse::<icalendar::Calendar>().expect("a calendar");
        } else {
            let parsed: atom_syndication::Feed = text.parse().expect("an Atom feed");
            assert!(
                parsed
                    .entries
                    .iter()
                    .any(|e| e.title.value == "2019 review: round opened")
            );
        }
    }

    // Step 4 (reading): a clause with its text, tally and comments; no position form yet.
    browser.click(FIRST_CLAUSE_LINK).await;
    assert_eq!(
        browser.text(CLAUSE_TITLE).await,
        "1. Protect individuals and infrastructure"
    );
    browser.wait_for_text("comments", "amina-k").await;
    assert_eq!(browser.text(&count("endorse")).await, "2");
    browser
        .wait_for_text("main", "Sign in to take a position.")
        .await;

    // Step 3: sign up, which brings the participant back to the clause.
    sign_up(&browser, "e2e-reader", "a long passphrase").await;
    assert_eq!(browser.text(SIGNED_IN_HANDLE).await, "e2e-reader");
    browser.wait(CLAUSE_TITLE).await;

    // Step 4: a reservation without a reason is refused next to the reason field.
    browser.click(RESERVATION).await;
    browser.click(RECORD_POSITION).await;
    let error = browser.wait(REASON_ERROR).await;
    assert_eq!(
        error.text().await.expect("text"),
        "A reservation or an opposition needs a reason."
    );
    let reason = browser.wait(REASON).await;
    assert_eq!(
        reason.attr("aria-invalid").await.expect("attr").as_deref(),
        Some("true")
    );
    assert_eq!(browser.text(&count("endorse_with_reservation")).await, "0");

    // With a reason it is recorded and the tally changes at once.
    browser
        .fill(REASON, "Name journalists and activists at risk.")
        .await;
    browser.click(RECORD_POSITION).await;
    browser
        .wait_for_text("position-status", "Endorse with reservation")
        .await;
    wait_for_count(&browser, "endorse_with_reservation", 1).await;
    wait_for_count(&browser, "endorse", 2).await;

    // Changing the position moves the count.
    browser.click("input[name='stance'][value='endorse']").await;
    browser.click(RECORD_POSITION).await;
    wait_for_count(&browser, "endorse", 3).await;
    wait_for_count(&browser, "endorse_with_reservation", 0).await;

    // Comments: an empty one is refused next to the field; a real one appears in the list.
    browser.click(POST_COMMENT).await;
    browser.wait(COMMENT_ERROR).await;
    browser
        .fill(COMMENT_BODY, "Please define 'individuals'.")
        .await;
    browser.click(POST_COMMENT).await;
    browser
        .wait_for_text("comments", "Please define 'individuals'.")
        .await;
    browser.wait_for_text("comments", "e2e-reader").await;

    // Step 3: sign out, then sign in again; the recorded position is still there.
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    sign_in(&browser, "e2e-reader", "a long passphrase").await;
    assert_eq!(browser.text(SIGNED_IN_HANDLE).await, "e2e-reader");
    let endorse = browser.wait("input[name='stance'][value='endorse']").await;
    browser
        .wait_for(fantoccini::Locator::Css(
            "input[name='stance'][value='endorse']:checked",
        ))
        .await;
    drop(endorse);

    // Account settings: another device's session can be ended, after a confirmation.
    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_in_elsewhere = phone
        .post(format!("{}{}", app.address, tests::api::path("/session")))
        .json(&serde_json::json!({"handle": "e2e-reader", "password": "a long passphrase"}))
        .send()
        .await
        .expect("sign in elsewhere");
    assert_eq!(signed_in_elsewhere.status(), 200);
    browser.click(SIGNED_IN_HANDLE).await;
    browser.wait_for_text("sessions", "This device").await;
    browser.click(".end-session").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("main", "That device is signed out.")
        .await;
    let phone_session = phone
        .get(format!("{}{}", app.address, tests::api::path("/session")))
        .send()
        .await
        .expect("request");
    assert_eq!(phone_session.status(), 401);

    // The password changes only with the current one; the new one works at the next sign-in.
    browser.fill("#current_password", "not my password").await;
    browser.fill("#new_password", "tulip orbit sandal").await;
    browser.click("#save-password").await;
    browser.wait("#current_password-error").await;
    browser.fill("#current_password", "a long passphrase").await;
    browser.click("#save-password").await;
    browser
        .wait_for_text("password-status", "Your password is changed.")
        .await;
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;
    sign_in(&browser, "e2e-reader", "tulip orbit sandal").await;
    assert_eq!(browser.text(SIGNED_IN_HANDLE).await, "e2e-reader");

    // Last year's closed round can be read but takes no positions or comments.
    go(&browser, &app, "/c/paris-call/2018/protect-individuals").await;
    browser
        .wait_for_text(
            "main",
            "Positions can only be taken while the round is in its voting phase.",
        )
        .await;
    browser
        .wait_for_text(
            "main",
            "This round does not take comments in its current phase.",
        )
        .await;
    wait_for_count(&browser, "endorse_with_reservation", 1).await;
    // Its counts are final, not "so far".
    browser.wait_for_text("tally-heading", "Positions").await;

    // The translation layer: switching to French changes the interface's words.
    choose_language(&browser, "fr").await;
    browser
        .wait_for_text(
            "main",
            "On ne peut prendre position que pendant la phase de vote du cycle.",
        )
        .await;
    // Every word follows, the names of the stakeholder groups in the results too.
    browser
        .wait_for_text("results-by-group", "Société civile")
        .await;
    assert_eq!(page_language(&browser).await, "fr");

    // The choice is remembered by this browser.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("results-by-group", "Société civile")
        .await;

    // Spanish, and Arabic laid out right to left.
    choose_language(&browser, "es").await;
    browser.wait_for_text("tally-heading", "Posiciones").await;
    choose_language(&browser, "ar").await;
    browser.wait_for_text("tally-heading", "المواقف").await;
    let (lang, dir, direction) = (
        browser
            .client
            .execute("return document.documentElement.lang", vec![])
            .await
            .expect("script"),
        browser
            .client
            .execute("return document.documentElement.dir", vec![])
            .await
            .expect("script"),
        browser
            .client
            .execute(
                "return getComputedStyle(document.querySelector('main')).direction",
                vec![],
            )
            .await
            .expect("script"),
    );
    assert_eq!(
        (lang, dir, direction),
        (json!("ar"), json!("rtl"), json!("rtl"))
    );

    browser.close().await;
}

#[tokio::test]
async fn the_interface_speaks_the_browsers_language_until_the_reader_picks_another() {
    let app = spawn_app_with_front_end().await;
    // Mexican Spanish first, then English: the catalogues have Spanish.
    let browser = Browser::start_preferring("es-MX,es;q=0.9,en;q=0.5").await;
    let clause = format!("{}/c/paris-call/2019/protect-individuals", app.address);
    browser.client.goto(&clause).await.expect("open");
    browser
        .wait_for_text("tally-heading", "Posiciones hasta ahora")
        .await;
    assert_eq!(page_language(&browser).await, "es");

    // A choice made in the menu outlasts the browser's preference.
    choose_language(&browser, "en").await;
    browser
        .wait_for_text("tally-heading", "Positions so far")
        .await;
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("tally-heading", "Positions so far")
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_participant_gives_an_address_verifies_it_picks_reminders_and_stops_one() {
    let smtp = tests::smtp::SmtpServer::start().await;
    let app = tests::spawn_app_with_front_end_mailing(&smtp).await;
    let browser = Browser::start().await;
    browser.client.goto(&app.address).await.expect("open");
    browser.click(CONSULTATION_LINK).await;
    browser.wait(FIRST_CLAUSE_LINK).await;
    sign_up(&browser, "follower", "a long passphrase").await;

    // The account page offers reminders; a mistyped address is refused beside its field.
    browser.click(SIGNED_IN_HANDLE).await;
    browser.wait("#reminders-heading").await;
    browser
        .fill("#email-address-field", "follower at example.org")
        .await;
    browser.click("#send-email-link").await;
    browser.wait("#email-address-field-error").await;
    browser
        .fill("#email-address-field", "follower@example.org")
        .await;
    browser.click("#send-email-link").await;
    browser
        .wait_containing(
            "email-status",
            "A verification link is on its way to follower@example.org.",
        )
        .await;
    let received = smtp.until_received(1).await;
    let link = received[0].link(&format!("{}/email/verify#", app.passkey_origin()));

    // The link verifies the address, and leaves no token in the address bar.
    let here = link.replace(&app.passkey_origin(), &app.address);
    browser.client.goto(&here).await.expect("open the link");
    browser.wait("#verified").await;
    let address = browser.client.current_url().await.expect("url");
    assert_eq!(address.fragment(), None, "{address}");

    // Back on the account: the address is verified; the follower picks phase changes.
    browser.click(SIGNED_IN_HANDLE).await;
    browser
        .wait_containing("email-address", "Reminders go to follower@example.org.")
        .await;
    browser
        .click("#reminders-paris-call input[name='phase_changes']")
        .await;
    browser
        .click("#reminders-paris-call button[type='submit']")
        .await;
    browser
        .wait_containing("email-status", "Your reminders are saved.")
        .await;
    assert!(
        axe_violations(&browser).await.is_empty(),
        "axe on the account page"
    );

    // A phase change reaches them; its link stops that kind of reminder after a click.
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let closed = convener
        .move_phase("paris-call", "2019", json!({"phase": "closed"}))
        .await;
    assert_eq!(closed.status(), 200);
    let received = smtp.until_received(2).await;
    let stop = received[1].link(&format!("{}/unsubscribe#", app.passkey_origin()));
    browser
        .client
        .goto(&stop.replace(&app.passkey_origin(), &app.address))
        .await
        .expect("open the link");
    browser.click("#unsubscribe").await;
    browser
        .wait_containing(
            "unsubscribe-status",
            "Done: you will no longer get these reminders.",
        )
        .await;
    browser.click(SIGNED_IN_HANDLE).await;
    let unticked = browser
        .wait("#reminders-paris-call input[name='phase_changes']")
        .await
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(unticked.as_deref(), Some("false"));
    assert_no_console_errors(&browser, "following by e-mail").await;
    browser.close().await;
}

#[tokio::test]
async fn a_participant_downloads_their_data_and_deletes_their_account() {
    let (app, browser) = app_and_browser().await;
    let clause = format!("{}/c/paris-call/2019/protect-internet", app.address);
    browser.client.goto(&clause).await.expect("open");
    sign_up(&browser, "leaving-reader", "a long passphrase").await;
    browser.fill(COMMENT_BODY, "I was here.").await;
    browser.click(POST_COMMENT).await;
    browser.wait_for_text("comments", "I was here.").await;

    // The download link gives everything held about the account.
    browser.click(SIGNED_IN_HANDLE).await;
    browser.wait("#download-data").await;
    let export = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.getElementById('download-data').href).then(r => r.json()).then(done);",
            vec![],
        )
        .await
        .expect("download");
    assert_eq!(export["handle"], "leaving-reader");
    assert_eq!(export["comments"][0]["body"], "I was here.");

    // Deleting needs the password and a confirmation; then the participant is signed out.
    browser.fill("#delete-password", "not my password").await;
    browser.click("#delete-account").await;
    browser.client.accept_alert().await.expect("confirm");
    browser.wait("#delete-password-error").await;
    browser.fill("#delete-password", "a long passphrase").await;
    browser.click("#delete-account").await;
    browser.client.accept_alert().await.expect("confirm");
    browser.wait(SIGN_IN_LINK).await;

    // The comment stays, no longer under the handle.
    browser.client.goto(&clause).await.expect("open");
    browser.wait_for_text("comments", "I was here.").await;
    browser
        .wait_for_text("comments", "former participant")
        .await;
    let comments = browser.text("#comments").await;
    assert!(!comments.contains("leaving-reader"), "{comments}");

    browser.close().await;
}

#[tokio::test]
async fn a_participant_turns_on_two_factor_sign_in_and_signs_in_with_a_code() {
    let (app, browser) = app_and_browser().await;
    browser.client.goto(&app.address).await.expect("open");
    sign_up(&browser, "careful-reader", "a long passphrase").await;

    // Set up: password, then the app's first code (computed here from the key on the page).
    let secret = turn_on_two_factor(&browser, "a long passphrase").await;
    let codes = browser.text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");

    // Signing in now asks for a code; a wrong one is refused next to the field.
    browser.click(SIGN_OUT).await;
    sign_in(&browser, "careful-reader", "a long passphrase").await;
    let good = tests::totp_code(&secret, 1);
    let wrong = if good == "123456" { "654321" } else { "123456" };
    browser.fill("#code", wrong).await;
    browser.click("#code-submit").await;
    browser.wait("#code-error").await;
    browser.fill("#code", &good).await;
    browser.click("#code-submit").await;
    assert_eq!(browser.text(SIGNED_IN_HANDLE).await, "careful-reader");

    browser.close().await;
}

/// A newcomer adds a passkey (Chromium's virtual authenticator stands for the phone), signs
/// out, and signs in with it and no handle or password; made an administrator, they convene
/// with the passkey alone and make the consultation ask its conveners for one.
#[tokio::test]
async fn a_newcomer_signs_in_with_a_passkey_and_an_administrator_convenes_with_one() {
    let (app, browser) = app_and_browser().await;
    let authenticator = browser.add_virtual_authenticator().await;
    // A passkey belongs to a host name, not an address: the site as people would type it.
    let site = app.passkey_origin();
    browser.client.goto(&site).await.expect("open");
    sign_up(&browser, "key-holder", "a long passphrase").await;
    browser.click(SIGNED_IN_HANDLE).await;
    browser.wait("#no-passkeys").await;
    // A passkey without a name is refused before the device makes one.
    browser.fill("#passkey-password", "a long passphrase").await;
    browser.click("#add-passkey").await;
    browser
        .wait_for_text(
            "passkey-name-error",
            "Name this passkey, for example “my phone”.",
        )
        .await;
    let made = browser.virtual_credentials(&authenticator).await;
    assert_eq!(made, json!([]), "no passkey was made on the device");
    browser.fill("#passkey-name", "This laptop").await;
    browser.fill("#passkey-password", "a long passphrase").await;
    browser.click("#add-passkey").await;
    let codes = browser.text("#passkey-recovery-codes").await;
    assert_eq!(
        codes.lines().count(),
        10,
        "first factor, recovery codes: {codes}"
    );
    browser.wait_for_text("passkeys", "This laptop").await;
    browser
        .wait_containing("security-events", "Passkey added")
        .await;
    let found = axe_violations(&browser).await;
    assert!(found.is_empty(), "account page with a passkey: {found:?}");

    browser.click(SIGN_OUT).await;
    browser.click(SIGN_IN_LINK).await;
    browser.wait("#passkey-sign-in").await;
    let found = axe_violations(&browser).await;
    assert!(found.is_empty(), "sign-in page: {found:?}");
    browser.click("#passkey-sign-in").await;
    browser
        .wait_for_text("signed-in-handle", "key-holder")
        .await;

    // An administrator with a passkey and no authenticator app convenes.
    app.make_admin("key-holder").await;
    browser
        .client
        .goto(&format!("{site}/convene/paris-call"))
        .await
        .expect("open");
    browser.click("#conveners-need-passkey").await;
    browser.click("#save-passkey-rule").await;
    browser.wait_for_text("passkey-rule-status", "Saved.").await;
    let (_, consultation) = tests::parts(app.get_consultation("paris-call").await).await;
    assert_eq!(consultation["conveners_need_passkey"], true);
    assert_no_console_errors(&browser, "passkeys").await;
    browser.close().await;
}

#[tokio::test]
async fn an_administrator_with_two_factor_adds_an_organisation() {
    let (app, browser) = app_and_browser().await;
    browser.client.goto(&app.address).await.expect("open");
    sign_up(&browser, "secretariat", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    app.make_admin("secretariat").await;
    let organisations = format!("{}/organisations", app.address);

    // An administrator without two factors is told what to do first.
    browser.client.goto(&organisations).await.expect("open");
    browser
        .wait_for_text(
            "main",
            "Turn on two-factor sign-in in your account to verify organisations and act as \
             administrator or convener.",
        )
        .await;
    browser.wait_for_text("main", "No organisations yet.").await;

    turn_on_two_factor(&browser, "a long passphrase").await;
    browser.client.goto(&organisations).await.expect("open");
    browser.fill("#name", "University of the Commons").await;
    browser
        .wait("#stakeholder_group")
        .await
        .select_by_value("academia")
        .await
        .expect("choose a group");
    browser.fill("#region", "Global").await;
    browser.click("#create-organisation").await;

    browser
        .wait_for_text("organisations", "University of the Commons")
        .await;
    browser
        .wait_for_text("organisations", "Academia · Global · Verified")
        .await;

    // A participant asks to join (here through the API); the administrator accepts in the page.
    let applicant = app.another_browser();
    applicant.sign_up("applicant", "a long passphrase").await;
    assert_eq!(
        applicant
            .request_membership("university-of-the-commons")
            .await
            .status(),
        200
    );
    browser.client.goto(&organisations).await.expect("open");
    browser
        .wait_for_text(
            "membership-requests",
            "applicant asks to join University of the Commons",
        )
        .await;
    browser.click(".accept").await;
    browser.wait_for_text("main", "No requests waiting.").await;
    let (_, mine) = tests::parts(applicant.list_memberships().await).await;
    assert_eq!(mine[0]["status"], "member");

    // Someone declares a lookalike (a zero for an O): the card says so, and verifying it asks
    // first; the administrator declines.
    let lookalike = serde_json::json!({"name": "University of the C0mmons",
        "stakeholder_group": "academia", "region": "Global"});
    let impostor = app.another_browser();
    impostor.sign_up("impostor", "a long passphrase").await;
    let created = impostor.create_organisation(lookalike).await;
    assert_eq!(created.status(), 201);
    browser.client.goto(&organisations).await.expect("open");
    browser
        .wait_for_text(
            "organisations",
            "Its name looks like “University of the Commons”: check which is which.",
        )
        .await;
    browser.click(".verify").await;
    let question = browser.client.get_alert_text().await.expect("a question");
    assert!(question.starts_with("This name looks like “University of the Commons”."));
    browser.client.dismiss_alert().await.expect("decline");
    let (_, list) = tests::parts(app.another_browser().list_organisations().await).await;
    let copy = list
        .as_array()
        .expect("organisations")
        .iter()
        .find(|o| o["name"] == "University of the C0mmons")
        .expect("the lookalike");
    assert_eq!(copy["verified"], false, "declining leaves it unverified");

    // Another participant asks to join from the page itself.
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;
    sign_up(&browser, "joiner", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    browser.client.goto(&organisations).await.expect("open");
    browser.click(".join").await;
    browser
        .wait_for_text("organisations", "You asked to join")
        .await;

    // A participant declares their own organisation: self-declared until verified.
    browser.fill("#name", "Lagos Digital Rights Lab").await;
    browser.fill("#region", "West Africa").await;
    browser.click("#create-organisation").await;
    browser
        .wait_for_text(
            "organisations",
            "Civil society · West Africa · Self-declared",
        )
        .await;
    // …and shows it next to their handle.
    browser.click(SIGNED_IN_HANDLE).await;
    browser
        .wait("#shown_organisation")
        .await
        .select_by_value("lagos-digital-rights-lab")
        .await
        .expect("choose the organisation");
    browser.click("#save-shown-organisation").await;
    browser
        .wait_for_text("shown-organisation-form", "Saved.")
        .await;
    let (_, shown) = tests::parts(app.another_browser().list_organisations().await).await;
    let declared = shown
        .as_array()
        .expect("organisations")
        .iter()
        .find(|o| o["slug"] == "lagos-digital-rights-lab")
        .expect("declared");
    assert_eq!(declared["verified"], false);

    // Their first position says they speak for it.
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    browser
        .wait("#standing-organisation")
        .await
        .select_by_value("lagos-digital-rights-lab")
        .await
        .expect("choose the organisation");
    browser.click("input[name='stance'][value='endorse']").await;
    browser.click(RECORD_POSITION).await;
    browser.wait("#position-receipt").await;
    let spoken_for = app
        .strings(
            "SELECT o.slug FROM participants p JOIN organisations o ON o.id = p.organisation_id \
             JOIN accounts a ON a.id = p.account_id WHERE a.handle = 'joiner'",
        )
        .await;
    assert_eq!(spoken_for, ["lagos-digital-rights-lab"]);
    browser.close().await;
}

#[tokio::test]
async fn a_convener_keeps_a_consultation_to_invitations_and_an_invited_participant_accepts() {
    let (app, browser) = app_and_browser().await;
    let consultation = format!("{}/c/paris-call", app.address);
    app.another_browser()
        .sign_up("chair", "a long passphrase")
        .await;

    // An administrator (granted on the command line, with two factors) names the convener.
    become_administrator(&app, &browser, "secretariat").await;
    browser.client.goto(&consultation).await.expect("open");
    browser.click("#convene-link").await;
    browser.fill("#convener_handle", "nobody-here").await;
    browser.click("#add-convener").await;
    browser
        .wait_for_text(
            "convener_handle-error",
            "No account has this handle. Check the spelling.",
        )
        .await;
    browser.fill("#convener_handle", "chair").await;
    browser.click("#add-convener").await;
    browser
        .wait_for_text(
            "conveners",
            "chair · must turn on two-factor sign-in before acting Remove",
        )
        .await;
    browser.click(SIGN_OUT).await;

    // The convener turns on two factors and finds the convening page from the consultation.
    sign_in(&browser, "chair", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    turn_on_two_factor(&browser, "a long passphrase").await;
    browser.client.goto(&consultation).await.expect("open");
    browser.click("#convene-link").await;
    browser.click("#access-invitation").await;
    browser.click("#save-access").await;
    browser.wait_for_text("access-status", "Saved.").await;

    // Two links: one revoked (after confirming), one sent to the participant.
    browser.fill("#note", "spare").await;
    browser.click("#issue-invitation").await;
    browser.wait("#invitation-link").await;
    browser.wait_for_text("invitations", "spare").await;
    browser.click(".revoke").await;
    browser.client.accept_alert().await.expect("confirm");
    browser.wait_for_text("invitations", "Revoked").await;

    browser
        .wait("#stakeholder_group")
        .await
        .select_by_value("civil_society")
        .await
        .expect("choose a group");
    browser.fill("#note", "for the Lagos lab").await;
    browser.click("#issue-invitation").await;
    browser
        .wait_for_text("invitations", "for the Lagos lab")
        .await;
    let link = browser
        .wait("#invitation-link")
        .await
        .prop("value")
        .await
        .expect("value")
        .expect("a link");
    assert!(link.contains("/invitation#"), "{link}");
    browser.wait_for_text("invitations", "Sent").await;
    // The inclusion dashboard counts it at once, without a reload (not the revoked one).
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='funnel']//tr[@data-group='civil_society']/td[1][text()='1']",
        ))
        .await;
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;

    // A link cut short says so; the whole link, opened next in the same tab, replaces it.
    browser
        .client
        .goto(&format!("{}/invitation#cut-short", app.address))
        .await
        .expect("open the link");
    browser
        .wait_for_text(
            "invitation-invalid",
            "This invitation link is not valid: it may be mistyped or cut short. Open the \
             whole link you received, or ask the conveners for a new one.",
        )
        .await;

    // The participant opens the link, signs up on the way, and is not yet let in.
    browser.client.goto(&link).await.expect("open the link");
    browser
        .wait_for_text("invitation-group", "Civil society")
        .await;
    let address = browser.client.current_url().await.expect("url");
    assert!(
        address.fragment().is_none(),
        "the token left the address bar: {address}"
    );
    browser.click("#invitation-sign-up").await;
    browser.fill(HANDLE, "amina-b").await;
    browser.fill(PASSWORD, "a long passphrase").await;
    browser.click(ACCOUNT_SUBMIT).await;
    browser.wait("#accept-invitation").await;
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    browser.wait(".not-invited").await;

    // Back on the invitation page (the token waited in this tab), accept, then comment.
    go(&browser, &app, "/invitation").await;
    browser.click("#accept-invitation").await;
    browser.wait("#invitation-accepted").await;
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    browser
        .fill(COMMENT_BODY, "Thank you for inviting civil society.")
        .await;
    browser.click(POST_COMMENT).await;
    browser
        .wait_for_text("comments", "Thank you for inviting civil society.")
        .await;
    let page = browser.client.source().await.expect("page source");
    assert!(
        !tests::looks_like_it_holds_an_email_address(&page),
        "a public page shows something like an email address"
    );

    let (_, consultation) =
        tests::parts(app.another_browser().get_consultation("paris-call").await).await;
    assert_eq!(consultation["access"], "invitation");
    browser.close().await;
}

#[tokio::test]
async fn a_convener_opens_the_next_round_and_a_participant_sees_the_redline_and_gets_a_receipt() {
    let (app, browser) = app_and_browser().await;
    let convene = format!("{}/convene/paris-call", app.address);

    // An administrator (who convenes every consultation) with two factors.
    let secret = become_administrator(&app, &browser, "chair").await;
    // A participant who comments in Markdown on clause 1, then deletes their account.
    let leaving = app.another_browser();
    leaving.sign_up("leaving", "a long passphrase").await;
    leaving.join("civil_society").await;
    let posted = leaving
        .post_comment(
            tests::CLAUSE,
            json!({ "body": "Name **hospitals** _explicitly_." }),
        )
        .await;
    assert_eq!(posted.status(), 201);
    let gone = leaving
        .delete_account(json!({ "password": "a long passphrase" }))
        .await;
    assert!(gone.status().is_success());

    // Close 2019 (after confirming) and open 2020 from it.
    browser.client.goto(&convene).await.expect("open");
    browser.click(".move-phase[data-phase='closed']").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("newest-round", "2019 review Phase: Closed")
        .await;
    browser.fill("#round-slug", "2020").await;
    browser.fill("#round-title", "2020 review").await;
    browser.click("#open-round").await;

    // The editor: rewrite clause 1, say why, and name the 2019 comment that led to it.
    let body = "#clause-protect-individuals-body";
    browser.wait(body).await;
    let old = browser
        .wait(body)
        .await
        .prop("value")
        .await
        .expect("value")
        .expect("text");
    browser
        .fill(body, &format!("{old} Companies share this duty."))
        .await;
    browser
        .fill(
            "#clause-protect-individuals-note",
            "Companies run most of the infrastructure.",
        )
        .await;
    // Earlier comments are listed as read, a deleted account's as a former participant's.
    let earlier = browser.text("#clause-protect-individuals fieldset").await;
    assert!(
        earlier.contains("former participant: Name hospitals explicitly."),
        "{earlier}"
    );
    assert!(
        !earlier.contains('*') && !earlier.contains(" : "),
        "{earlier}"
    );
    browser
        .click("#clause-protect-individuals input[type='checkbox']")
        .await;
    browser
        .click("#clause-protect-individuals .save-clause")
        .await;
    browser.wait_for_text("draft-status", "Saved.").await;

    // Open voting straight away, then sign out.
    browser.client.goto(&convene).await.expect("open");
    browser.click(".move-phase[data-phase='voting']").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("newest-round", "2020 review Phase: Voting")
        .await;
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;

    // A participant reads the redline, states their group with their first position, and
    // keeps the receipt.
    go(&browser, &app, "/c/paris-call/2020/protect-individuals").await;
    browser
        .wait_for_text("redline", "Added: Companies share this duty.")
        .await;
    browser
        .wait_for_text(
            "main",
            "Why it changed: Companies run most of the infrastructure.",
        )
        .await;
    // The whole text reads as one redline too, each clause saying how it fared.
    go(&browser, &app, "/c/paris-call/2020").await;
    browser.click("#changes-link").await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//ol[@id='whole-redline']/li[@data-fate='changed']//ins[normalize-space(.)='Added: Companies share this duty.']",
        ))
        .await;
    browser.client.back().await.expect("back");
    browser.client.back().await.expect("back");
    let response = browser.text(".responds-to a").await;
    assert!(
        response.starts_with('#'),
        "a link to the 2019 comment: {response}"
    );
    sign_up(&browser, "amina-r", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    // Regions come from the consultation's list.
    state_standing(&browser, "civil_society", "Southern Africa").await;
    browser.click("input[name='stance'][value='endorse']").await;
    browser.click(RECORD_POSITION).await;
    let receipt = browser.text("#position-receipt").await;
    assert_eq!(receipt.len(), 44, "{receipt}");
    // The receipt promises only what holds: the round's conveners can tell whose it is.
    let promise = browser.text(".receipt .help").await;
    assert!(promise.contains("the round’s conveners can"), "{promise}");
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='results-by-group']//tr[th='Civil society']/td[1][text()='1']",
        ))
        .await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='results-by-region']//tr[th='Southern Africa']/td[1][text()='1']",
        ))
        .await;
    browser.click(SIGN_OUT).await;

    // The convener closes the round, designates the consensus level and publishes.
    sign_in(&browser, "chair", "a long passphrase").await;
    browser.fill("#code", &tests::totp_code(&secret, 1)).await;
    browser.click("#code-submit").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    browser.client.goto(&convene).await.expect("open");
    browser.click(".move-phase[data-phase='closed']").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("newest-round", "2020 review Phase: Closed")
        .await;
    go(&browser, &app, "/c/paris-call/2020/protect-individuals").await;
    browser
        .wait("#consensus-level")
        .await
        .select_by_value("full_consensus")
        .await
        .expect("choose a level");
    browser.click("#save-consensus").await;
    browser.wait_for_text("consensus-status", "Saved.").await;
    browser.client.goto(&convene).await.expect("open");
    browser.click(".move-phase[data-phase='published']").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("newest-round", "2020 review Phase: Published")
        .await;
    // The complete record is the conveners': its links download with their session, and the
    // Convene page links its printable report.
    let report = link_of(&browser, "#convener-record a.record-report").await;
    assert!(
        report.ends_with("/report.html?visibility=convener"),
        "{report}"
    );
    let convener_bundle = link_of(&browser, "#convener-record a.record-bundle").await;
    let got = fetch_from_page(&browser, &convener_bundle).await;
    assert_eq!(
        (&got["status"], &got["type"], &got["head"]),
        (&json!(200), &json!("application/zip"), &json!([80, 75])),
        "a ZIP"
    );
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;
    let got = fetch_from_page(&browser, &convener_bundle).await;
    assert_eq!(got["status"], 401, "not once signed out");

    // Anyone reads the results: the chart, its table, the house-by-house result, the level.
    go(&browser, &app, "/c/paris-call/2020").await;
    browser.click("#results-link").await;
    browser
        .wait("#results-protect-individuals svg.chart[role='img']")
        .await;
    browser
        .wait_for_text(
            "results-protect-individuals",
            "Consensus level: Full consensus",
        )
        .await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='protect-individuals-results-by-group']//tr[th='Civil society']/td[1][text()='1']",
        ))
        .await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='protect-individuals-houses']//tr[th='Civil society']/td[3][normalize-space(.)='Carried']",
        ))
        .await;
    // … opens the printable report in the browser …
    let report = link_of(&browser, "#public-record a.record-report").await;
    let got = fetch_from_page(&browser, &report).await;
    assert_eq!(got["status"], 200);
    assert!(
        got["disposition"]
            .as_str()
            .is_some_and(|d| d.starts_with("inline;")),
        "{got}"
    );
    // … and downloads the public record: the signed bundle and each spreadsheet.
    let bundle = link_of(&browser, "#public-record a.record-bundle").await;
    assert!(!bundle.contains("visibility"), "{bundle}");
    let got = fetch_from_page(&browser, &bundle).await;
    assert_eq!(
        (&got["status"], &got["head"]),
        (&json!(200), &json!([80, 75]))
    );
    let comments = link_of(
        &browser,
        "#public-record a.record-csv[href$='comments.csv']",
    )
    .await;
    let got = fetch_from_page(&browser, &comments).await;
    assert_eq!(got["status"], 200);
    assert!(
        got["disposition"]
            .as_str()
            .is_some_and(|d| d.contains("paris-call-2020-public-comments.csv")),
        "{got}"
    );
    browser.close().await;
}

/// The `href` of the link `css`, once it is on the page.
async fn link_of(browser: &Browser, css: &str) -> String {
    browser
        .wait(css)
        .await
        .attr("href")
        .await
        .expect("attribute")
        .expect("an href")
}

/// Follows `href` from the page with its cookies, as a download link does: status, type,
/// disposition and the first two bytes.
async fn fetch_from_page(browser: &Browser, href: &str) -> serde_json::Value {
    browser
        .client
        .execute(
            "return fetch(arguments[0]).then(r => r.arrayBuffer().then(b => ({
                status: r.status,
                type: r.headers.get('content-type'),
                disposition: r.headers.get('content-disposition'),
                head: Array.from(new Uint8Array(b).slice(0, 2)),
            })));",
            vec![json!(href)],
        )
        .await
        .expect("fetch from the page")
}

#[tokio::test]
async fn a_convener_sees_positions_arrive_in_the_live_tally() {
    let (app, browser) = app_and_browser().await;
    become_administrator(&app, &browser, "chair").await;
    go(&browser, &app, "/convene/paris-call").await;
    let cell = |n: u32| {
        format!(
            "//tr[@id='live-protect-individuals']/td[@data-stance='oppose' and normalize-space(.)='{n}']"
        )
    };
    browser.wait_for(fantoccini::Locator::XPath(&cell(0))).await;
    // The inclusion dashboard on the same page: the demo's two civil society participants, and
    // the groups nobody speaks for yet.
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//table[@id='funnel']//tr[@data-group='civil_society']/td[2][normalize-space(.)='2']",
        ))
        .await;
    let missing = browser.text("#missing-groups").await;
    assert!(missing.contains("Academia"), "{missing}");

    // A participant opposes, elsewhere; the convener's table changes without a reload.
    let voter = app.another_browser();
    voter.sign_up("amina", "a long passphrase").await;
    voter.join("civil_society").await;
    let cast = voter
        .cast_position(
            tests::CLAUSE,
            serde_json::json!({"stance": "oppose", "reason": "Surveillance."}),
        )
        .await;
    assert_eq!(cast.status(), 200);
    browser.wait_for(fantoccini::Locator::XPath(&cell(1))).await;
    browser.close().await;
}

#[tokio::test]
async fn a_convener_sets_the_rule_and_a_representative_attaches_a_minority_statement() {
    let (app, browser) = app_and_browser().await;
    let clause = format!("{}/c/paris-call/2019/protect-individuals", app.address);

    // A representative of a civil society organisation opposes (through the API).
    let activist = app.another_browser();
    activist.sign_up("activist", "a long passphrase").await;
    let new = serde_json::json!({"name": "Digital Rights Lab", "stakeholder_group": "civil_society", "region": "Global"});
    activist.create_organisation(new).await;
    let admin = app.new_admin("secretariat").await;
    let named = admin
        .set_representative(
            "digital-rights-lab",
            serde_json::json!({"handle": "activist"}),
        )
        .await;
    assert_eq!(named.status(), 204);
    activist.join("civil_society").await;
    let cast = activist
        .cast_position(
            tests::CLAUSE,
            serde_json::json!({"stance": "oppose", "reason": "It permits bulk collection."}),
        )
        .await;
    assert_eq!(cast.status(), 200);

    // The convener chooses a majority in every house, then closes the round.
    become_administrator(&app, &browser, "chair").await;
    go(&browser, &app, "/convene/paris-call").await;
    browser
        .wait("#round-rule")
        .await
        .select_by_value("every_house")
        .await
        .expect("choose the rule");
    browser.click("#save-rules").await;
    browser.wait_for_text("rules-form", "Saved.").await;

    // A closing time in the past is refused next to its field; one in the future is kept and
    // shown as the round's deadline. (The page's own date picker is set by script: its typed
    // format depends on the browser's locale.)
    let set_closing = |value: &str| {
        format!(
            "const input = document.getElementById('closing_at_ms'); input.value = '{value}'; \
             input.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        )
    };
    browser
        .client
        .execute(&set_closing("2001-01-01T10:00"), vec![])
        .await
        .expect("set a past time");
    browser.click("#save-schedule").await;
    browser
        .wait_for_text("closing_at_ms-error", "Choose a time in the future.")
        .await;
    browser
        .client
        .execute(&set_closing("2099-12-01T10:00"), vec![])
        .await
        .expect("set a future time");
    browser.click("#save-schedule").await;
    browser.wait_for_text("schedule-form", "Saved.").await;
    browser.client.goto(&clause).await.expect("open");
    browser
        .wait_for_text(
            "outcome",
            "With a majority in every stakeholder group, this clause did not carry.",
        )
        .await;
    let deadline = browser.text("#deadline").await;
    assert!(deadline.starts_with("The round closes on"), "{deadline}");
    assert!(deadline.contains("2099"), "{deadline}");
    go(&browser, &app, "/convene/paris-call").await;
    browser.click(".move-phase[data-phase='closed']").await;
    browser.client.accept_alert().await.expect("confirm");
    browser
        .wait_for_text("newest-round", "2019 review Phase: Closed")
        .await;
    browser.click(SIGN_OUT).await;

    // The representative attaches the organisation's statement; everyone reads it.
    browser.wait(SIGN_IN_LINK).await;
    sign_in(&browser, "activist", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    browser.client.goto(&clause).await.expect("open");
    browser
        .fill(
            "#statement-body",
            "We oppose: the clause permits bulk collection.",
        )
        .await;
    browser.click("#save-statement").await;
    browser.wait_for_text("statement-form", "Saved.").await;
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text(
            "minority-statements",
            "We oppose: the clause permits bulk collection.",
        )
        .await;
    browser.close().await;
}

/// The id attribute of the comment whose text is `text`, once it shows in `browser`.
async fn comment_element_id(browser: &Browser, text: &str) -> String {
    let xpath = format!(
        "//article[contains(@class,'comment')][.//div[@class='comment-body'][normalize-space(.)='{text}']]"
    );
    browser
        .wait_for(fantoccini::Locator::XPath(&xpath))
        .await
        .attr("id")
        .await
        .expect("attribute")
        .expect("an id")
}

/// Clicks the button labelled `label` among the actions of comment `id` (e.g. `comment-7`).
async fn comment_action(browser: &Browser, id: &str, label: &str) {
    let xpath = format!("//article[@id='{id}']//button[normalize-space(.)='{label}']");
    browser
        .wait_for(fantoccini::Locator::XPath(&xpath))
        .await
        .click()
        .await
        .expect("click");
}

#[tokio::test]
async fn participants_discuss_a_passage_and_conveners_moderate_and_respond_live() {
    use fantoccini::key::Key;
    let (app, convener) = app_and_browser().await;
    become_administrator(&app, &convener, "chair").await;
    let clause_page = format!("{}/c/paris-call/2019/protect-individuals", app.address);
    convener.client.goto(&clause_page).await.expect("open");
    convener.wait_for_text("comments", "amina-k").await;

    // A participant, in a second browser, chooses a passage with the keyboard alone.
    let participant = Browser::start().await;
    participant.client.goto(&app.address).await.expect("open");
    sign_up(&participant, "grace", "a long passphrase").await;
    participant.wait(SIGNED_IN_HANDLE).await;
    participant.client.goto(&clause_page).await.expect("open");
    let checkbox = participant.wait("#about-passage").await;
    checkbox.send_keys(" ").await.expect("space");
    let from = participant.wait("#passage-from").await;
    from.send_keys(&format!("{}{}", Key::Down, Key::Down))
        .await
        .expect("arrows");
    let to = participant.wait("#passage-to").await;
    to.send_keys(&format!(
        "{}{}{}{}",
        Key::Down,
        Key::Down,
        Key::Down,
        Key::Down
    ))
    .await
    .expect("arrows");
    let preview = participant.text("#passage-preview").await;
    assert!(preview.contains("“"), "{preview}");
    let chosen = preview
        .trim_start_matches("Passage: “")
        .trim_end_matches('”')
        .to_owned();
    // The last word follows the first (to the third), then moves four words on: 3rd to 7th.
    assert_eq!(chosen.split_whitespace().count(), 5, "{preview}");
    participant
        .fill(COMMENT_BODY, "These words leave journalists out.")
        .await;
    let post = participant.wait(POST_COMMENT).await;
    post.send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");
    let mine = comment_element_id(&participant, "These words leave journalists out.").await;
    let quoted = participant
        .text(&format!("#{mine} blockquote.passage"))
        .await;
    assert!(quoted.contains(&chosen), "{quoted} quotes {chosen}");

    // The convener's page received it live, and after a reload the passage is marked.
    comment_element_id(&convener, "These words leave journalists out.").await;
    participant.client.refresh().await.expect("reload");
    let marked = participant.text(".clause-body mark").await;
    assert_eq!(marked, chosen);

    // The convener replies; the participant sees the reply arrive, nested under the comment.
    comment_action(&convener, &mine, "Reply").await;
    let reply_field = format!("#action-{}", mine.trim_start_matches("comment-"));
    convener
        .fill(&reply_field, "Which journalists do you mean?")
        .await;
    convener
        .click(&format!("#{mine} form.action-form button[type='submit']"))
        .await;
    participant
        .wait_for(fantoccini::Locator::XPath(&format!(
            "//article[@id='{mine}']/following-sibling::ol[@class='replies']//div[@class='comment-body'][normalize-space(.)='Which journalists do you mean?']"
        )))
        .await;

    // The participant flags the demo's comment by someone else.
    let demo = comment_element_id(
        &participant,
        "Naming health services is welcome. Could the text also name the people who defend \
         human rights online?",
    )
    .await;
    comment_action(&participant, &demo, "Flag").await;
    let demo_id = demo.trim_start_matches("comment-").to_owned();
    participant
        .fill(&format!("#action-{demo_id}"), "Off topic, I think.")
        .await;
    participant
        .click(&format!("#{demo} form.action-form button[type='submit']"))
        .await;
    participant
        .wait_for_text(
            "discussion-status",
            "Thank you. The conveners will look at the comment.",
        )
        .await;

    // The convener finds it in the queue and hides it, after confirming; the participant's
    // page shows the public reason in its place, live.
    convener
        .client
        .goto(&format!("{}/convene/paris-call", app.address))
        .await
        .expect("open");
    convener
        .wait_for_text("moderation-queue", "Off topic, I think.")
        .await;
    convener
        .fill(&format!("#reason-{demo_id}"), "Duplicates another comment.")
        .await;
    let hide = format!("//article[@id='flagged-{demo_id}']//button[normalize-space(.)='Hide']");
    convener
        .wait_for(fantoccini::Locator::XPath(&hide))
        .await
        .click()
        .await
        .expect("click");
    convener.client.accept_alert().await.expect("confirm");
    convener
        .wait_for_text(
            "moderation-queue",
            "No comment is waiting for the conveners.",
        )
        .await;
    participant
        .wait_for_text(
            &demo,
            "Hidden by the conveners: Duplicates another comment.",
        )
        .await;

    // The convener responds to the participant's comment; it stands out in the thread.
    convener.client.goto(&clause_page).await.expect("open");
    comment_action(&convener, &mine, "Respond").await;
    let mine_id = mine.trim_start_matches("comment-").to_owned();
    let verdict = convener.wait(&format!("#verdict-{mine_id}")).await;
    verdict
        .select_by_value("accepted")
        .await
        .expect("choose a verdict");
    convener
        .fill(
            &format!("#action-{mine_id}"),
            "Clause 1 now names journalists.",
        )
        .await;
    convener
        .click(&format!("#{mine} form.action-form button[type='submit']"))
        .await;
    participant
        .wait_for(fantoccini::Locator::XPath(&format!(
            "//article[@id='{mine}']//aside[@class='response'][contains(normalize-space(.), 'Accepted')][contains(., 'Clause 1 now names journalists.')]"
        )))
        .await;

    // The participant proposes an amendment; its page shows the change word by word.
    participant.client.goto(&clause_page).await.expect("open");
    participant.click("details.proposal-form summary").await;
    let body = participant.wait("#amendment-body").await;
    body.send_keys(" Journalists included.")
        .await
        .expect("type");
    participant.click("#submit-amendment").await;
    participant
        .wait_for_text("clause-title", "P1. Protect individuals and infrastructure")
        .await;
    let added = participant.text("#redline ins").await;
    assert!(added.contains("Journalists included."), "{added}");
    participant.click("#amended-clause-link").await;
    participant
        .wait_for_text("clause-title", "1. Protect individuals and infrastructure")
        .await;

    // An addition, from the round page; the moderation log is public.
    participant
        .client
        .goto(&format!("{}/c/paris-call/2019", app.address))
        .await
        .expect("open");
    participant.click("details.proposal-form summary").await;
    participant
        .fill("#addition-title", "Protect journalists")
        .await;
    participant
        .fill(
            "#addition-body",
            "States refrain from targeting journalists online.",
        )
        .await;
    participant.click("#submit-addition").await;
    participant
        .wait_for_text("clause-title", "P2. Protect journalists")
        .await;
    participant
        .client
        .goto(&format!("{}/c/paris-call/moderation", app.address))
        .await
        .expect("open");
    participant
        .wait_for_text("moderation-log", "Duplicates another comment.")
        .await;

    // The convener answers the proposal.
    convener
        .client
        .goto(&format!("{}/c/paris-call/2019/proposal-1", app.address))
        .await
        .expect("open");
    convener.click(".proposal-note details summary").await;
    convener
        .wait("#proposal-verdict")
        .await
        .select_by_value("not_accepted")
        .await
        .expect("choose a verdict");
    convener
        .fill("#proposal-explanation", "Clause 1 covers them already.")
        .await;
    convener.click("#submit-proposal-response").await;
    let answer = convener.text("#proposal-response").await;
    assert!(answer.contains("Not accepted"), "{answer}");

    // Script in a comment or a proposal's title stays text.
    let writer = app.another_browser();
    writer.sign_up("mallory", "a long passphrase").await;
    let trap = r#"<img src=x onerror="document.title='pwned'">"#;
    for body in [
        trap.to_owned(),
        "[x](javascript:document.title='pwned')".to_owned(),
    ] {
        let posted = writer
            .post_comment(tests::CLAUSE, serde_json::json!({ "body": body }))
            .await;
        assert_eq!(posted.status(), 201);
    }
    let proposed = writer
        .propose(
            "paris-call",
            "2019",
            serde_json::json!({"kind": "addition", "title": trap, "body_md": trap}),
        )
        .await;
    assert_eq!(proposed.status(), 201);
    participant.client.goto(&clause_page).await.expect("open");
    participant.wait_for_text("comments", "x").await;
    participant
        .client
        .goto(&format!("{}/c/paris-call/2019", app.address))
        .await
        .expect("open");
    participant
        .wait_for_text("proposals", &format!("P3. {trap}"))
        .await;
    participant.client.goto(&clause_page).await.expect("open");
    participant.wait("#comments").await;
    let injected = participant
        .client
        .execute(
            "return [document.title, document.querySelectorAll('main img, main script, a[href^=\"javascript\"]').length]",
            vec![],
        )
        .await
        .expect("script");
    assert_ne!(injected[0], "pwned", "{injected}");
    assert_eq!(injected[1], 0, "{injected}");
    participant.close().await;
    convener.close().await;
}

/// The main pages a reader goes through, by name and path.
const MAIN_PAGES: [(&str, &str); 6] = [
    ("home", "/"),
    ("consultation", "/c/paris-call"),
    ("round", "/c/paris-call/2019"),
    ("clause", "/c/paris-call/2019/protect-individuals"),
    ("changes", "/c/paris-call/2019/changes"),
    ("organisations", "/organisations"),
];

/// More pages a phone must show whole: results, the conveners' pages (whose moderation queue
/// holds a comment of one long unbroken line in the test) and a reading page without the app.
const MORE_PAGES: [(&str, &str); 4] = [
    ("results", "/c/paris-call/2018/results"),
    ("convene", "/convene/paris-call"),
    ("new-consultation", "/new"),
    ("read-round", "/read/paris-call/2018"),
];

/// Opens `path` of `app`.
async fn go(browser: &Browser, app: &TestApp, path: &str) {
    browser
        .client
        .goto(&format!("{}{path}", app.address))
        .await
        .expect("open");
}

/// Opens `path` and waits for the app's own heading (a page that starts with the text the
/// server sent shows the app's in its place).
async fn open_page(browser: &Browser, app: &TestApp, path: &str) {
    go(browser, app, path).await;
    if path.starts_with("/read") {
        browser.wait("h1").await;
    } else {
        browser.wait_for(APP_HEADING).await;
    }
}

/// The app's own page heading, once the text the server sent with the page has made way for it.
const APP_HEADING: fantoccini::Locator<'static> =
    fantoccini::Locator::XPath("//main[@id='main']//h1[not(//*[@id='first-text'])]");

/// The main pages fit a 360-pixel-wide screen without scrolling sideways, in English and in
/// Arabic (right to left). Screenshots go to `target/screenshots/` (copied to `docs/` by hand).
#[tokio::test]
async fn the_main_pages_fit_a_360_pixel_screen_in_english_and_arabic() {
    let (app, browser) = app_and_browser().await;
    become_administrator(&app, &browser, "narrow-chair").await;
    // A comment of one long unbroken line, flagged, waits in the conveners' queue.
    let poster = app.another_browser();
    poster.sign_up("long-lines", "a long passphrase").await;
    let long = format!("https://example.org/{}", "a".repeat(120));
    let (_, comment) = tests::parts(
        poster
            .post_comment(
                tests::api::clause("paris-call", "2019", "protect-individuals"),
                json!({ "body": long }),
            )
            .await,
    )
    .await;
    let flagger = app.another_browser();
    flagger.sign_up("flagger", "a long passphrase").await;
    let flagged = flagger
        .flag_comment(
            "paris-call",
            &comment["id"].as_i64().expect("an id"),
            json!({ "reason": format!("Look: {}", "b".repeat(100)) }),
        )
        .await;
    assert_eq!(flagged.status(), 204);
    browser
        .client
        .set_window_size(360, 800)
        .await
        .expect("a narrow window");
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots directory");
    for lang in ["en", "ar"] {
        browser.client.goto(&app.address).await.expect("open");
        browser
            .client
            .execute(
                "localStorage.setItem('concord.locale', arguments[0])",
                vec![json!(lang)],
            )
            .await
            .expect("choose the language");
        for (name, path) in MAIN_PAGES.into_iter().chain(MORE_PAGES) {
            // The reading pages take their language from the address, not the app's choice.
            let path = &if path.starts_with("/read") {
                format!("{path}?lang={lang}")
            } else {
                path.to_owned()
            };
            open_page(&browser, &app, path).await;
            let widths = browser
                .client
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth, \
                     document.documentElement.dir, [...document.querySelectorAll('body *')] \
                     .filter(e => e.getBoundingClientRect().right > innerWidth + 1 \
                       || e.getBoundingClientRect().left < -1) \
                     .slice(-4).map(e => e.tagName + '.' + e.className + '#' + e.id)]",
                    vec![],
                )
                .await
                .expect("script");
            assert_eq!(widths[1], 360, "the window is 360 pixels wide");
            assert!(
                widths[0].as_u64() <= widths[1].as_u64(),
                "{lang} {path} scrolls sideways: {widths}"
            );
            let expected_dir = if lang == "ar" { "rtl" } else { "ltr" };
            assert_eq!(widths[2], expected_dir, "{lang} {path}");
            let png = browser.client.screenshot().await.expect("screenshot");
            std::fs::write(shots.join(format!("{lang}-{name}-360.png")), png).expect("write");
        }
    }
    browser.close().await;
}

/// axe-core's findings on the page now, for the WCAG 2.2 AA tags: one line per violated rule
/// with the first offending elements.
async fn axe_violations(browser: &Browser) -> Vec<String> {
    let axe = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../.tools/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core (scripts/setup --test installs it into .tools/)");
    browser
        .client
        .execute(&axe, vec![])
        .await
        .expect("load axe");
    let found = browser
        .client
        .execute(
            // axe-core ships its 24-pixel target check (WCAG 2.5.8) switched off.
            "return axe.run(document, {runOnly: {type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, \
             rules: {'target-size': {enabled: true}}}) \
             .then(r => r.violations.map(v => v.id + ': ' + v.help + ' — ' + \
               v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))",
            vec![],
        )
        .await
        .expect("axe.run");
    serde_json::from_value(found).expect("a list")
}

/// WCAG 2.2 AA as axe-core checks it, on every main page and state: zero violations.
#[tokio::test]
async fn axe_finds_no_violations_on_the_main_pages_and_states() {
    let (app, browser) = app_and_browser().await;
    let mut report = Vec::new();
    let mut check = async |name: &str, browser: &Browser| {
        for violation in axe_violations(browser).await {
            report.push(format!("{name}: {violation}"));
        }
    };
    let more = [
        ("moderation log", "/c/paris-call/moderation"),
        ("not found", "/nowhere"),
    ];
    for (name, path) in MAIN_PAGES.into_iter().chain(more) {
        open_page(&browser, &app, path).await;
        check(name, &browser).await;
    }
    // The pages that need no script, in French (with the conveners' translation) and Arabic.
    for (name, path) in [
        ("reading page, index", "/read?lang=ar"),
        (
            "reading page, round in French",
            "/read/paris-call/2019?lang=fr",
        ),
    ] {
        browser
            .client
            .goto(&format!("{}{path}", app.address))
            .await
            .expect("open");
        browser.wait("h1").await;
        check(name, &browser).await;
    }

    // Signed in: the voting form showing an error, the account page.
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    become_administrator(&app, &browser, "axe-chair").await;
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    browser.click(RESERVATION).await;
    browser.click(RECORD_POSITION).await;
    browser.wait(REASON_ERROR).await;
    check("voting form with an error", &browser).await;
    browser.click(SIGNED_IN_HANDLE).await;
    browser.wait("main h1").await;
    check("account", &browser).await;
    // The convener's page: rounds, live tally, dashboard, moderation, invitations.
    go(&browser, &app, "/convene/paris-call").await;
    browser.wait("#funnel").await;
    check("convening and dashboard", &browser).await;
    // Published results, and the round in Arabic (right to left).
    app.execute(
        "UPDATE rounds SET phase = 'published' WHERE slug = '2018'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    go(&browser, &app, "/c/paris-call/2018/results").await;
    browser.wait("#public-record").await;
    check("results", &browser).await;
    browser
        .client
        .execute("localStorage.setItem('concord.locale', 'ar')", vec![])
        .await
        .expect("Arabic");
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    browser.wait("main h1").await;
    check("clause in Arabic", &browser).await;
    assert!(report.is_empty(), "{}", report.join("\n"));

    // The check can fail: an image without a text alternative is found.
    browser
        .client
        .execute(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\\'/x.png\\'>')",
            vec![],
        )
        .await
        .expect("script");
    let found = axe_violations(&browser).await;
    assert!(
        found.iter().any(|v| v.starts_with("image-alt")),
        "{found:?}"
    );
    // …and so are two 10-pixel buttons side by side (styled through the DOM: the page's
    // Content Security Policy ignores style attributes).
    let tiny = "width:10px;height:10px;min-width:0;min-height:0;padding:0;margin:0;border:0";
    browser
        .client
        .execute(
            "const p = document.createElement('p'); \
             for (const t of ['a', 'b']) { \
               const b = document.createElement('button'); \
               b.textContent = t; b.style.cssText = arguments[0]; p.append(b); \
             } \
             document.querySelector('main').append(p);",
            vec![json!(tiny)],
        )
        .await
        .expect("script");
    let found = axe_violations(&browser).await;
    assert!(
        found.iter().any(|v| v.starts_with("target-size")),
        "{found:?}"
    );
    browser.close().await;
}

/// Nothing but this origin: every request a page made (its document, scripts, wasm, styles,
/// images, fonts, API calls and event streams), as the browser's own resource timing lists it.
#[tokio::test]
async fn pages_request_nothing_from_any_other_origin() {
    let (app, browser) = app_and_browser().await;
    let mut seen = 0;
    for (_, path) in MAIN_PAGES {
        open_page(&browser, &app, path).await;
        let requests = browser
            .client
            .execute(
                "return [location.href, ...performance.getEntriesByType('resource').map(e => e.name)]",
                vec![],
            )
            .await
            .expect("script");
        let requests: Vec<String> = serde_json::from_value(requests).expect("names");
        assert!(
            requests.iter().any(|r| r.ends_with(".wasm")),
            "the page's own requests are listed: {requests:?}"
        );
        for request in &requests {
            assert!(
                request.starts_with(&app.address),
                "{path} requested {request}"
            );
        }
        seen += requests.len();
    }
    assert!(seen > 12, "{seen} requests seen");
    browser.close().await;
}

const TAB: &str = "\u{E004}";
const SHIFT_TAB: &str = "\u{E008}\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = " ";

/// Types `keys` into whatever has the focus, as a keyboard does.
async fn press(browser: &Browser, keys: &str) {
    browser
        .client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .expect("keys");
}

/// What has the focus: whether it matches `css`, whether its focus is visible (an outline or
/// a shadow), and its start, for messages.
async fn focused(browser: &Browser, css: &str) -> (bool, bool, String) {
    let answer = browser
        .client
        .execute(
            "const e = document.activeElement; const s = getComputedStyle(e); \
             return [e.matches(arguments[0]), \
               (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none', \
               e === document.body ? 'body' : e.outerHTML.slice(0, 90)]",
            vec![json!(css)],
        )
        .await
        .expect("script");
    serde_json::from_value(answer).expect("three values")
}

/// Presses Tab until `css` has the focus, checking on the way that every focused element shows
/// it.
async fn tab_to(browser: &Browser, css: &str) {
    for _ in 0..120 {
        let (matches, visible, what) = focused(browser, css).await;
        if matches {
            assert!(visible, "no visible focus on {what}");
            return;
        }
        press(browser, TAB).await;
        let (_, visible, what) = focused(browser, css).await;
        assert!(visible || what == "body", "no visible focus on {what}");
    }
    panic!("Tab never reached {css}");
}

/// From the home page to a posted comment and a recorded position with the keyboard alone:
/// Tab, Shift-Tab, Enter, Space and typing; focus visible on every stop and never lost to the
/// page after an action.
#[tokio::test]
async fn a_participant_comments_and_takes_a_position_with_the_keyboard_alone() {
    let (app, browser) = app_and_browser().await;
    browser.client.goto(&app.address).await.expect("open");
    browser.wait(CONSULTATION_LINK).await;

    tab_to(&browser, SIGN_UP_LINK).await;
    press(&browser, ENTER).await;
    browser.wait(HANDLE).await;
    tab_to(&browser, HANDLE).await;
    press(&browser, "kim-keys").await;
    tab_to(&browser, PASSWORD).await;
    press(&browser, "a long keyboard passphrase").await;
    tab_to(&browser, ACCOUNT_SUBMIT).await;
    press(&browser, ENTER).await;
    browser.wait_for_text("signed-in-handle", "kim-keys").await;

    tab_to(&browser, CONSULTATION_LINK).await;
    press(&browser, ENTER).await;
    browser
        .wait_for_text("round-heading", "2019 review Phase: Voting")
        .await;
    // The new page's heading has the focus, and its name is announced.
    let heading = browser.text("main h1").await;
    browser.wait_for_text("page-announcement", &heading).await;
    let focused_tag = browser
        .client
        .execute("return document.activeElement.tagName", vec![])
        .await
        .expect("script");
    assert_eq!(focused_tag, "H1");
    tab_to(&browser, FIRST_CLAUSE_LINK).await;
    press(&browser, ENTER).await;
    browser.wait(CLAUSE_TITLE).await;

    // A position: the first stance by Space, then the button by Enter.
    tab_to(&browser, "input[name='stance'][value='endorse']").await;
    press(&browser, SPACE).await;
    tab_to(&browser, RECORD_POSITION).await;
    press(&browser, ENTER).await;
    browser.wait_for_text("position-status", "Endorse").await;
    let (_, _, after) = focused(&browser, "body").await;
    assert_ne!(after, "body", "focus stays in the form after recording");

    // A comment, typed and posted.
    tab_to(&browser, COMMENT_BODY).await;
    press(&browser, "Typed without a mouse.").await;
    tab_to(&browser, POST_COMMENT).await;
    press(&browser, ENTER).await;
    browser
        .wait_for_text("comments", "Typed without a mouse.")
        .await;
    let (_, _, after) = focused(&browser, "body").await;
    assert_ne!(after, "body", "focus is not lost after posting");

    // Shift-Tab walks back, still visibly.
    press(&browser, SHIFT_TAB).await;
    let (_, visible, what) = focused(&browser, "body").await;
    assert!(visible, "no visible focus on {what}");

    // Stepping through the language menu with the arrow keys changes nothing until Enter.
    tab_to(&browser, ".language select").await;
    press(&browser, &fantoccini::key::Key::Down.to_string()).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        page_language(&browser).await,
        "en",
        "one step switched the interface"
    );
    press(&browser, ENTER).await;
    browser
        .wait_for(fantoccini::Locator::XPath("/html[@lang!='en']"))
        .await;
    browser.close().await;
}

/// With JavaScript (and so WebAssembly) switched off, the app's shell points to the reading
/// pages, which show the consultations, a round's text, and a published round's results and
/// public record; a link to a clause in the app shows that clause's text.
#[tokio::test]
async fn the_published_text_and_results_read_without_javascript() {
    let app = spawn_app_with_front_end().await;
    app.execute(
        "UPDATE rounds SET phase = 'published' WHERE slug = '2018'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    let browser = Browser::start_without_javascript().await;
    browser.client.goto(&app.address).await.expect("open");
    // Only a browser running no script shows what <noscript> holds.
    browser.click("a[href='/read']").await;
    browser.click("a[href^='/read/paris-call/2018']").await;
    browser.wait("h1").await;
    let text = browser.text("body").await;
    for expected in [
        "Paris Call for Trust and Security in Cyberspace",
        "Protect individuals and infrastructure",
        "By stakeholder group",
        "Result house by house",
        "Signed bundle (ZIP)",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // In Arabic, right to left, from a link that needs no script.
    browser.click("a[hreflang='ar']").await;
    browser.wait("html[lang='ar'][dir='rtl']").await;
    let text = browser.text("body").await;
    for expected in ["النتائج", "حسب فئة أصحاب المصلحة", "كل المشاورات"]
    {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    browser.click("a[hreflang='en']").await;
    browser.wait("html[lang='en']").await;
    browser.click("a[href^='/read?']").await;
    browser.click("a[href^='/read/paris-call/2019']").await;
    browser.wait("a[href='/c/paris-call/2019']").await;
    let text = browser.text("body").await;
    assert!(text.contains("Results are shown here once the round is published."));
    assert!(
        !text.contains("By stakeholder group"),
        "no results before publication"
    );
    // In French, the conveners' translation of the first principle, the original one click away.
    browser.click("a[hreflang='fr']").await;
    browser.wait("html[lang='fr']").await;
    let text = browser.text("body").await;
    for expected in [
        "Protéger les individus et les infrastructures",
        "Traduction des organisateurs. Le texte original fait foi.",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    browser.click("#protect-individuals details summary").await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//section[@id='protect-individuals']//details[@open]\
             [contains(., 'Protect individuals and infrastructure')]",
        ))
        .await;
    // A link into the app shows that clause's text (not the list of everything), with the way
    // to its reading page.
    go(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    assert_eq!(
        browser.text("#first-text h1").await,
        "1. Protect individuals and infrastructure"
    );
    assert!(browser.text("#first-text .clause-body").await.len() > 40);
    browser
        .click("#first-text a[href='/read/paris-call/2019']")
        .await;
    browser.wait("section#protect-individuals").await;
    browser.close().await;
}

/// The results overview: every clause's support as a diverging bar, sortable by support, and
/// each stakeholder group's result as a grid with its table, on the results page and in the
/// report; a round nobody took a position in says so instead of drawing empty charts.
#[tokio::test]
async fn the_results_page_and_the_report_show_every_clause_at_a_glance() {
    let (app, browser) = app_and_browser().await;
    app.execute(
        "UPDATE rounds SET phase = 'published' WHERE slug = '2018'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    let results: serde_json::Value = app
        .get("/api/v1/consultations/paris-call/rounds/2018/results")
        .await
        .json()
        .await
        .expect("results");
    let clauses = results["clauses"].as_array().expect("clauses");
    // The clause with most support (then most positions for or against, then first in the
    // text), counted here from the numbers the API gives.
    let support = |c: &serde_json::Value| {
        let t = &c["results"]["total"];
        let n = |k: &str| t[k].as_f64().unwrap_or_default();
        let endorsing = n("endorse") + n("endorse_with_reservation");
        let decided = endorsing + n("oppose");
        let share = if decided == 0.0 {
            -1.0
        } else {
            endorsing / decided
        };
        (share, decided)
    };
    let best = clauses
        .iter()
        .reduce(|best, c| if support(c) > support(best) { c } else { best })
        .expect("a clause");
    let best_label = format!(
        "{}. {}",
        best["number"],
        best["title"].as_str().unwrap_or_default()
    );

    open_page(&browser, &app, "/c/paris-call/2018/results").await;
    browser.wait("#overview-support svg.support-chart").await;
    // Pictures of both drawings at desktop and phone width, for docs/screenshots/ (copied by
    // hand), and at 360 px nothing runs past the screen.
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots directory");
    for (width, name) in [(1024, "desktop"), (360, "360")] {
        browser
            .client
            .set_window_size(width, 900)
            .await
            .expect("window size");
        for part in ["support", "grid"] {
            let png = browser
                .wait(&format!("#overview-{part}"))
                .await
                .screenshot()
                .await
                .expect("screenshot");
            std::fs::write(shots.join(format!("overview-{part}-{name}.png")), png).expect("write");
        }
    }
    let overflow = browser
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .expect("width");
    assert_eq!(overflow, json!(0), "the results page at 360 px");
    browser
        .client
        .set_window_size(1024, 900)
        .await
        .expect("window size");
    let chart = browser.wait("#overview-support svg.support-chart").await;
    let name = chart
        .attr("aria-label")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(name.starts_with("Support for each clause. 1. "), "{name}");
    let labels = async || -> Vec<String> {
        let found = browser
            .client
            .execute(
                "return [...document.querySelectorAll('#overview-support text.ov-name')]\
                     .map(t => t.textContent)",
                vec![],
            )
            .await
            .expect("labels");
        serde_json::from_value(found).expect("strings")
    };
    let in_text_order = labels().await;
    assert_eq!(in_text_order.len(), clauses.len());
    assert!(in_text_order[0].starts_with("1. "), "{in_text_order:?}");
    browser
        .wait("#overview-order")
        .await
        .select_by_value("support")
        .await
        .expect("order by support");
    let by_support = labels().await;
    assert_eq!(by_support[0], best_label, "{by_support:?}");
    assert!(browser.has("#overview-grid svg.house-grid").await);
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("#overview-table tbody tr"))
        .await
        .expect("rows");
    assert_eq!(rows.len(), clauses.len());
    assert!(
        browser
            .text("#overview-table thead")
            .await
            .contains("Civil society")
    );
    assert_no_console_errors(&browser, "the overview").await;

    // The printable report draws the same.
    let report = app
        .get("/api/v1/consultations/paris-call/rounds/2018/record/report.html")
        .await
        .text()
        .await
        .expect("report");
    for expected in [
        "<section id=\"overview\">",
        "support-chart",
        "house-grid",
        "house-table",
    ] {
        assert!(report.contains(expected), "{expected} in the report");
    }

    // A round without positions: a sentence, not empty charts.
    app.execute("DELETE FROM positions", &[]).await;
    app.execute("DELETE FROM tally_counts", &[]).await;
    app.until_the_server_notices().await;
    open_page(&browser, &app, "/c/paris-call/2018/results").await;
    browser.wait("#overview-empty").await;
    assert!(!browser.has("#overview-support").await);
    browser.close().await;
}

/// Redlines compare the text as readers see it: the demo's first principle shows its new
/// emphasis as emphasis, marked as a change of formatting, with no Markdown sign, in the app,
/// on the reading page and in the report.
#[tokio::test]
async fn a_redline_shows_emphasis_as_emphasis_and_a_change_of_emphasis_as_such() {
    let (app, browser) = app_and_browser().await;
    open_page(&browser, &app, "/c/paris-call/2019/protect-individuals").await;
    let restyled = browser.text("#redline .restyled strong").await;
    assert_eq!(restyled, "individuals");
    let redline = browser.text("#redline").await;
    assert!(!redline.contains('*'), "{redline}");
    // Only the words added are marked: the full stop that became a comma keeps its word.
    let added = browser.text("#redline ins").await;
    assert!(added.contains("including hospitals"), "{added}");
    assert!(!browser.has("#redline del").await, "{redline}");
    open_page(&browser, &app, "/c/paris-call/2019/changes").await;
    browser.wait(".redline .restyled strong").await;
    assert!(!browser.text("main#main").await.contains("**"));
    let read = app
        .get("/read/paris-call/2019")
        .await
        .text()
        .await
        .expect("page");
    assert!(
        read.contains("<span class=\"restyled\"><span class=\"visually-hidden\">formatting changed </span><strong>individuals</strong></span>"),
        "{read}"
    );
    browser.close().await;
}

/// A convener translates a clause on its page; a reader in that language sees the translation
/// with a link to the authoritative original; comments say which language they are in.
#[tokio::test]
async fn a_convener_translates_a_clause_and_readers_see_it_in_their_language() {
    let (app, browser) = app_and_browser().await;
    become_administrator(&app, &browser, "chair").await;
    browser
        .client
        .execute("localStorage.setItem('concord.locale', 'fr')", vec![])
        .await
        .expect("choose French");
    let clause = "/c/paris-call/2019/protect-internet";
    open_page(&browser, &app, clause).await;
    browser
        .wait_containing("#clause-title", "Protect the Internet")
        .await;
    assert!(
        !browser.has("#translation-note").await,
        "no translation yet, so nothing to say"
    );

    // The form starts on the reader's language; an empty title is refused in French.
    let chosen = browser.property("#translation-language", "value").await;
    assert_eq!(chosen, json!("fr"));
    browser.fill("#translation-body", "Prévenir toute activité qui endommage intentionnellement et substantiellement le cœur public de l’Internet.").await;
    browser.click("#save-translation").await;
    browser
        .wait("#translation-title[aria-invalid='true']")
        .await;
    browser
        .fill("#translation-title", "Protéger l’Internet")
        .await;
    browser.click("#save-translation").await;
    browser
        .wait_containing("#clause-title", "Protéger l’Internet")
        .await;
    let lang = browser.property(".clause-translation", "lang").await;
    assert_eq!(lang, json!("fr"));
    browser
        .wait_containing("#translation-note", "Le texte original fait foi.")
        .await;
    // A passage is chosen in the original: the comment form says so and links to it.
    browser
        .wait_containing(
            "#passage-in-original",
            "Vous lisez la traduction des organisateurs.",
        )
        .await;

    // The original is one link away, and the translation one link back.
    browser.click("#read-original").await;
    browser
        .wait_containing("#clause-title", "Protect the Internet")
        .await;
    browser.wait(".clause-body").await;
    assert!(
        !browser.has("#passage-in-original").await,
        "reading the original, the words selected count"
    );
    browser.click("#read-translation").await;
    browser
        .wait_containing("#clause-title", "Protéger l’Internet")
        .await;

    // Readers in Spanish see the original until there is a Spanish translation.
    choose_language(&browser, "es").await;
    browser
        .wait_containing("#clause-title", "Protect the Internet")
        .await;

    // A comment is written in the language chosen for it, which screen readers are told.
    browser
        .fill("#body", "Sin Internet no hay sociedad civil.")
        .await;
    let chosen = browser.property("#comment-language", "value").await;
    assert_eq!(chosen, json!("es"), "the reader's language by default");
    browser.click("#post-comment").await;
    browser
        .wait_for(fantoccini::Locator::XPath(
            "//div[contains(@class,'comment-body') and @lang='es']\
             [contains(., 'Sin Internet no hay sociedad civil.')]",
        ))
        .await;

    // Removing a translation asks first.
    browser
        .client
        .find(fantoccini::Locator::Css("#translation-language"))
        .await
        .expect("language menu")
        .select_by_value("fr")
        .await
        .expect("select French");
    browser.click("#remove-translation").await;
    browser.client.accept_alert().await.expect("confirm");
    // The fields empty themselves for a new translation once the removal is done.
    let mut title = json!(null);
    for _ in 0..50 {
        title = browser.property("#translation-title", "value").await;
        if title == json!("") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        title,
        json!(""),
        "the fields are ready for a new translation"
    );
    choose_language(&browser, "fr").await;
    browser
        .wait_containing("#clause-title", "Protect the Internet")
        .await;
    assert!(
        !browser.has(".clause-translation").await,
        "the French reader sees the original again"
    );
    browser.close().await;
}

/// The names of everything the page fetched so far (resource timing).
async fn fetched(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')\
                 .map(e => e.name.replace(location.origin, ''))",
            vec![],
        )
        .await
        .expect("resource timing");
    serde_json::from_value(names).expect("names")
}

/// Text first: a clause opened from outside the app arrives with its text and with the answers
/// the app reads first, so the app fetches neither again; a signed-out reader downloads no
/// other page's code, and a signed-in one gets the forms' pieces in one request, fifteen
/// requests in all at most. An answer holding `</script>` cannot close its data block.
#[tokio::test]
async fn a_clause_arrives_with_its_text_and_the_app_takes_over_without_asking_again() {
    let (app, browser) = app_and_browser().await;
    const CLAUSE: &str = "/c/paris-call/2019/protect-individuals";
    const CLAUSE_API: &str = tests::CLAUSE;
    // A hostile comment, posted through the API.
    let hostile = "</script><script>window.pwned = 1</script><!--";
    app.signed_in().await.join("civil_society").await;
    let response = app
        .post_comment(CLAUSE_API, json!({ "body": hostile }))
        .await;
    assert_eq!(response.status(), 201);
    app.sign_out().await;

    // The first answer: the clause's text, and the answers the app reads first, not cached.
    let response = app.get(CLAUSE).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.expect("page");
    assert!(
        html.contains("<h1 dir=\"auto\">1. Protect individuals and infrastructure</h1>"),
        "{html}"
    );
    assert!(html.contains("<title>1. Protect individuals and infrastructure — Concord</title>"));
    assert!(html.contains(&format!("\"{CLAUSE_API}\":")), "{html}");
    assert!(
        html.contains(&format!("\"{CLAUSE_API}/comments\":")),
        "{html}"
    );
    assert!(
        !html.contains("\"/api/v1/session\":"),
        "nobody is signed in"
    );
    assert_eq!(
        html.matches("</script>").count(),
        3,
        "only the page's own scripts close"
    );
    // In the reader's language when the conveners translated the clause, the original a link
    // away.
    let in_french = |path: String| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("accept-language", "fr-FR,fr")
            .send()
    };
    let french = in_french(CLAUSE.into())
        .await
        .expect("page")
        .text()
        .await
        .expect("page");
    assert!(
        french.contains("1. Protéger les individus et les infrastructures</h1>")
            && french.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{french}"
    );
    let original = in_french(format!("{CLAUSE}?original")).await.expect("page");
    let original = original.text().await.expect("page");
    assert!(
        original.contains("1. Protect individuals and infrastructure</h1>"),
        "{original}"
    );
    // Pages that do not start with their text, or whose text the reader may not read.
    for path in [
        "/c/paris-call/2019/no-such-clause",
        "/c/paris-call/1999",
        "/c/paris-call/2019/%3Cscript%3E",
        "/c/paris-call/2019/moderation",
    ] {
        let html = app.get(path).await.text().await.expect("page");
        assert!(!html.contains("first-text"), "{path}: {html}");
    }

    // HEAD answers as GET would; a reading page that is not there is a page too.
    let head = app
        .client
        .head(format!("{}{CLAUSE}", app.address))
        .send()
        .await
        .expect("head");
    assert_eq!(head.headers()["cache-control"], "no-store");
    let missing = app.get("/read/nothing-here/2019").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .expect("page")
            .contains("<h1>Page not found</h1>")
    );

    // Signed out: the app draws the clause from what came with the page.
    open_page(&browser, &app, CLAUSE).await;
    browser.wait(".comment").await;
    browser.until_quiet().await;
    assert!(!browser.has("#first-text").await);
    let first = fetched(&browser).await;
    assert!(
        first.iter().any(|n| n.ends_with("/main_bg.wasm")),
        "{first:?}"
    );
    assert!(
        !first.iter().any(|n| n.starts_with("/api/")),
        "nothing asked again: {first:?}"
    );
    assert!(
        !first
            .iter()
            .any(|n| n.contains("/split_") || n.contains("/chunk_") || n.ends_with(".pack")),
        "no other page's or form's piece on a first visit: {first:?}"
    );
    // The hostile answer came with the page too (or the app would have asked for it) and ran
    // nothing.
    let pwned = browser
        .client
        .execute("return window.pwned", vec![])
        .await
        .expect("run");
    assert_eq!(pwned, serde_json::Value::Null, "the comment ran nothing");
    // The breadcrumb to the round opens a page of its own piece.
    browser
        .click("main#main .breadcrumbs a[href='/c/paris-call/2019']")
        .await;
    browser.wait("#round-heading").await;
    let then = fetched(&browser).await;
    assert!(
        then.iter().any(|n| n.contains("/split___round_route_view")),
        "{then:?}"
    );

    // Signed in, with an empty cache: the forms' pieces in one request, the session sent with
    // the page, fifteen requests at most.
    sign_up(&browser, "text-first", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    browser
        .devtools("Network.clearBrowserCache", json!({}))
        .await;
    open_page(&browser, &app, CLAUSE).await;
    browser.wait(RECORD_POSITION).await;
    browser.until_quiet().await;
    let signed_in = fetched(&browser).await;
    assert!(
        signed_in.iter().filter(|n| n.ends_with(".pack")).count() == 1
            && !signed_in.iter().any(|n| n.contains("/chunk_")),
        "{signed_in:?}"
    );
    assert!(
        !signed_in
            .iter()
            .any(|n| n == CLAUSE_API || n == "/api/v1/session"),
        "{signed_in:?}"
    );
    // The page itself, and what it fetched.
    let requests = 1 + signed_in.len();
    assert!(requests <= 15, "{requests} requests: {signed_in:?}");
    assert_eq!(browser.text(SIGNED_IN_HANDLE).await, "text-first");
    assert_no_console_errors(&browser, "text first").await;
    // A clause that is not there says so once, with no discussion under it.
    go(&browser, &app, "/c/paris-call/2019/no-such-clause").await;
    browser.wait(".notice.error, [role='alert']").await;
    assert!(!browser.has("#comments-heading").await);
    browser.close().await;
}

#[tokio::test]
async fn on_a_fresh_install_an_administrator_sets_up_a_consultation_from_a_docx_and_people_take_part()
 {
    let app = tests::spawn_empty_app_with_front_end().await;
    let browser = Browser::start().await;
    browser.client.goto(&app.address).await.expect("open");
    browser
        .wait_for_text("main", "There are no consultations yet.")
        .await;
    browser.wait("#first-consultation").await;

    // An administrator without a second factor yet is sent to turn it on; with two factors,
    // creates a consultation from the home page.
    sign_up(&browser, "secretariat", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    app.make_admin("secretariat").await;
    go(&browser, &app, "/new").await;
    let refused = browser
        .wait_for_text(
            "#new-consultation-refused",
            "Administrators create consultations once they have turned on two-factor sign-in. \
             Turn it on in your account.",
        )
        .await;
    let link = refused
        .find(fantoccini::Locator::Css("a"))
        .await
        .expect("a link");
    assert_eq!(
        link.attr("href").await.expect("href").as_deref(),
        Some("/account")
    );
    turn_on_two_factor(&browser, "a long passphrase").await;
    browser.client.goto(&app.address).await.expect("open");
    browser.click("#new-consultation").await;
    browser.wait("#regions").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "the new consultation form"
    );
    browser.fill("#slug", "charter").await;
    browser
        .fill("#title-en", "Charter for an open network")
        .await;
    browser
        .fill("#description", "The annual review of our charter.")
        .await;
    browser.click("#create-consultation").await;

    // Its draft comes from a word processor's document; the preview shows the cut.
    let docx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/charter.docx");
    browser
        .wait("#document")
        .await
        .send_keys(&docx.canonicalize().expect("fixture").to_string_lossy())
        .await
        .expect("choose the file");
    browser.click("#preview-text").await;
    browser.wait_for_text("clause-count", "3 clauses").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "the preview"
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots directory");
    browser
        .client
        .execute(
            "document.getElementById('preview-heading').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scroll");
    let png = browser.client.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("import-preview.png"), png).expect("write");

    // A key is wrong for the convener: two clauses may not share one, and saving says so.
    let keys = browser
        .client
        .find_all(fantoccini::Locator::Css(".draft-key"))
        .await
        .expect("keys");
    keys[1].clear().await.expect("clear");
    keys[1]
        .send_keys("access-for-everyone")
        .await
        .expect("type");
    browser.wait(".draft-key-error").await;
    keys[1].clear().await.expect("clear");
    keys[1].send_keys("privacy").await.expect("type");
    // A clause cut at one of its paragraphs becomes two; merged again, one.
    let cut = browser
        .client
        .execute(
            "return document.querySelector('.draft-clause .split').closest('li').dataset.key",
            vec![],
        )
        .await
        .expect("a clause with paragraphs");
    let cut = cut.as_str().expect("its key").to_owned();
    browser.click(".draft-clause .split").await;
    browser.wait_for_text("clause-count", "4 clauses").await;
    browser
        .click(&format!(".draft-clause[data-key='{cut}'] .merge"))
        .await;
    browser.wait_for_text("clause-count", "3 clauses").await;
    browser.fill("#round-slug", "2027").await;
    browser.fill("#round-title", "2027 review").await;
    browser.click("#save-import").await;

    // Saved as a draft round: the existing editor and phases take over.
    browser.wait("#clause-privacy-body").await;
    go(&browser, &app, "/convene/charter").await;
    for (phase, name) in [("commenting", "Commenting"), ("voting", "Voting")] {
        browser
            .click(&format!(".move-phase[data-phase='{phase}']"))
            .await;
        browser.client.accept_alert().await.expect("confirm");
        browser
            .wait_for_text("newest-round", &format!("2027 review Phase: {name}"))
            .await;
    }
    browser.click(SIGN_OUT).await;
    browser.wait(SIGN_IN_LINK).await;

    // A participant finds it, reads the preamble, comments and takes a position, choosing a
    // region from the consultation's list.
    browser.client.goto(&app.address).await.expect("open");
    browser.click(CONSULTATION_LINK).await;
    browser
        .wait_for_text("main", "Charter for an Open and Secure Network")
        .await;
    sign_up(&browser, "amina", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    go(&browser, &app, "/c/charter/2027/privacy").await;
    browser
        .wait_for_text(CLAUSE_TITLE, "2. Privacy by default")
        .await;
    browser.fill(COMMENT_BODY, "Say who checks this.").await;
    browser.click(POST_COMMENT).await;
    browser
        .wait_for_text("#comments", "Say who checks this.")
        .await;
    state_standing(&browser, "civil_society", "Western Africa").await;
    browser.click("input[name='stance'][value='endorse']").await;
    browser.click(RECORD_POSITION).await;
    let receipt = browser.text("#position-receipt").await;
    assert_eq!(receipt.len(), 44, "{receipt}");
    browser.close().await;
}

/// Fails on anything the page wrote to its console as an error, but for the browser's note of
/// each answer of the API in the 4xx range: the app asks, for instance, who is signed in and
/// is told 401 when nobody is.
async fn assert_no_console_errors(browser: &Browser, when: &str) {
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("the server responded with a status of 4"))
        .collect();
    assert!(errors.is_empty(), "{when}: {errors:#?}");
}

/// Before issue 18, about one attempt in five ended the page here: the form of a posted reply
/// went, and the effects showing its error read the form's signals once more, after they were
/// gone ("Tried to access a reactive value that has already been disposed", found with
/// `scripts/build-frontend --panic-messages`).
#[tokio::test]
async fn replying_then_proposing_twenty_times_leaves_the_page_working() {
    let (app, browser) = app_and_browser().await;
    browser.client.goto(&app.address).await.expect("open");
    sign_up(&browser, "persistent", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    let clause_page = format!("{}/c/paris-call/2019/protect-individuals", app.address);
    for attempt in 1..=20 {
        browser.client.goto(&clause_page).await.expect("open");
        let comment = format!("Comment number {attempt}.");
        browser.fill(COMMENT_BODY, &comment).await;
        browser.click(POST_COMMENT).await;
        let id = comment_element_id(&browser, &comment).await;
        comment_action(&browser, &id, "Reply").await;
        let reply = format!("Reply number {attempt}.");
        browser
            .fill(
                &format!("#action-{}", id.trim_start_matches("comment-")),
                &reply,
            )
            .await;
        browser
            .click(&format!("#{id} form.action-form button[type='submit']"))
            .await;
        comment_element_id(&browser, &reply).await;
        browser.click("details.proposal-form summary").await;
        let body = browser.wait("#amendment-body").await;
        body.send_keys(&format!(" Amended {attempt} times."))
            .await
            .expect("type");
        browser.click("#submit-amendment").await;
        browser
            .wait_for_text(
                "clause-title",
                &format!("P{attempt}. Protect individuals and infrastructure"),
            )
            .await;
        assert_no_console_errors(&browser, &format!("attempt {attempt}")).await;
        assert!(!browser.has("#stopped").await, "attempt {attempt}");
    }
    browser.close().await;
}

/// Waits (up to 5 s) for the keyboard's focus to reach the element whose id is `id`.
async fn wait_for_focus(browser: &Browser, id: &str) {
    let mut focused = serde_json::Value::Null;
    for _ in 0..50 {
        focused = browser
            .client
            .execute("return document.activeElement.id", vec![])
            .await
            .expect("script");
        if focused == id {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the focus is on {focused}, not on #{id}");
}

/// The value of the field matched by `css`, once it shows.
async fn value_of(browser: &Browser, css: &str) -> String {
    browser
        .wait(css)
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

#[tokio::test]
async fn nothing_typed_is_lost_to_a_reload_a_stopped_page_or_a_session_ended_elsewhere() {
    let (app, browser) = app_and_browser().await;
    browser.client.goto(&app.address).await.expect("open");
    sign_up(&browser, "keeper", "a long passphrase").await;
    browser.wait(SIGNED_IN_HANDLE).await;
    let clause_page = format!("{}/c/paris-call/2019/protect-individuals", app.address);
    browser.client.goto(&clause_page).await.expect("open");

    // Counts and dates read as the reader writes them (this browser prefers British English).
    browser
        .wait_for_text("comment-counts", "1 comment, 0 answered by the conveners")
        .await;
    let posted = browser.text("#comments .meta time").await;
    // "6 Dec 2026, 18:58": the day first, the month named, a 24-hour clock.
    let parts: Vec<&str> = posted.split(' ').collect();
    assert!(
        parts.len() == 4
            && parts[0].parse::<u8>().is_ok()
            && parts[1].chars().all(char::is_alphabetic)
            && parts[2].ends_with(',')
            && parts[3].len() == 5,
        "{posted} is not a British date"
    );

    // A comment and a reply begun, then the page reloaded: both are there, the reply's form
    // open again.
    browser.fill(COMMENT_BODY, "Kept through everything.").await;
    let demo = comment_element_id(
        &browser,
        "Naming health services is welcome. Could the text also name the people who defend \
         human rights online?",
    )
    .await;
    let demo_id = demo.trim_start_matches("comment-").to_owned();
    let reply_field = format!("#action-{demo_id}");
    comment_action(&browser, &demo, "Reply").await;
    wait_for_focus(&browser, &format!("action-{demo_id}")).await;
    browser.fill(&reply_field, "A reply kept too.").await;
    browser.client.refresh().await.expect("reload");
    assert_eq!(
        value_of(&browser, COMMENT_BODY).await,
        "Kept through everything."
    );
    assert_eq!(value_of(&browser, &reply_field).await, "A reply kept too.");
    browser
        .click(&format!("#{demo} form.action-form button.secondary"))
        .await;

    // A flag without a reason is refused with the flag's own words.
    comment_action(&browser, &demo, "Flag").await;
    browser
        .click(&format!("#{demo} form.action-form button[type='submit']"))
        .await;
    browser
        .wait_for_text(
            &format!("action-{demo_id}-error"),
            "Say why the conveners should look at this comment.",
        )
        .await;
    browser
        .click(&format!("#{demo} form.action-form button.secondary"))
        .await;
    // Closing the form gives the comment the focus, a frame later; let it land before the
    // page stops, or it lands after the notice took the focus.
    wait_for_focus(&browser, &demo).await;

    // The page stops (its WebAssembly traps): it says so in place, the reader goes on typing,
    // and the reload it offers brings back all of it. (The trap is a real one, of a one-line
    // module; an error thrown from a script WebDriver runs reaches the page's listeners
    // without its details, so the script hands it to them as the browser does.)
    browser
        .client
        .execute(
            "const trapping = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, \
             3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11]); \
             try { new WebAssembly.Instance(new WebAssembly.Module(trapping)).exports.f(); } \
             catch (trap) { dispatchEvent(new ErrorEvent('error', { error: trap })); }",
            vec![],
        )
        .await
        .expect("script");
    browser
        .wait_containing(
            "stopped",
            "Something went wrong and this page stopped working. What you typed is kept: \
             reload the page to go on.",
        )
        .await;
    assert_eq!(browser.text("#reload").await, "Reload the page");
    // The notice takes the focus once drawn (on a busy machine, a moment after its text shows).
    wait_for_focus(&browser, "reload").await;
    browser
        .wait(COMMENT_BODY)
        .await
        .send_keys(" Even this.")
        .await
        .expect("type");
    browser.click("#reload").await;
    browser.wait_for_text("comments", "amina-k").await;
    assert!(!browser.has("#stopped").await);
    assert_eq!(
        value_of(&browser, COMMENT_BODY).await,
        "Kept through everything. Even this."
    );

    // The session ends on another device: posting says so in place, the header no longer
    // claims anyone is signed in, and signing in again comes back here with the draft.
    let phone = app.another_browser();
    phone.sign_in("keeper", "a long passphrase").await;
    let (_, sessions) = tests::parts(phone.list_sessions().await).await;
    for session in sessions.as_array().expect("a list") {
        if session["current"] == false {
            let id = session["id"].as_str().expect("an id");
            assert_eq!(phone.end_session(id).await.status(), 204);
        }
    }
    browser.click(POST_COMMENT).await;
    browser
        .wait_containing(
            "main",
            "Your session has ended (signed out elsewhere, or it expired). What you typed is kept.",
        )
        .await;
    browser.wait(SIGN_IN_LINK).await;
    assert!(!browser.has(SIGNED_IN_HANDLE).await);
    browser
        .wait_for(fantoccini::Locator::LinkText("Sign in again"))
        .await
        .click()
        .await
        .expect("click");
    browser.fill(HANDLE, "keeper").await;
    browser.fill(PASSWORD, "a long passphrase").await;
    browser.click(ACCOUNT_SUBMIT).await;
    browser
        .wait_for_text(CLAUSE_TITLE, "1. Protect individuals and infrastructure")
        .await;
    assert_eq!(
        value_of(&browser, COMMENT_BODY).await,
        "Kept through everything. Even this."
    );
    browser.click(POST_COMMENT).await;
    browser
        .wait_for_text("comments", "Kept through everything. Even this.")
        .await;

    // Posted, the draft is gone.
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for_text("comments", "Kept through everything. Even this.")
        .await;
    assert_eq!(value_of(&browser, COMMENT_BODY).await, "");

    // The limit is stated as the reader types, and named when passed.
    browser.fill(COMMENT_BODY, "Kept through everything.").await;
    browser
        .wait_for_text("body-count", "24 of 5,000 characters")
        .await;
    browser
        .client
        .execute(
            "const field = document.querySelector('#body'); field.value = 'x'.repeat(5001); \
             field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("script");
    browser
        .wait_for_text("body-count", "5,001 of 5,000 characters: 1 too many")
        .await;
    browser.click(POST_COMMENT).await;
    browser
        .wait_for_text(
            "body-error",
            "This is limited to 5,000 characters: shorten it.",
        )
        .await;
    assert_no_console_errors(&browser, "after the journey").await;
    browser.close().await;
}
