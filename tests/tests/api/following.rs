//! Following a consultation with no account: its Atom feeds (the consultation's and a round's)
//! and its calendar, read back with the crates that wrote them; conditional requests; what they
//! never carry (comment text, hidden comments); bad requests.

use super::*;
use atom_syndication::Feed;
use icalendar::Component;
use reqwest::Response;
use tests::{CLAUSE, api, spawn_app};

const FEED: &str = "/api/v1/consultations/paris-call/feed.atom";
const ROUND_FEED: &str = "/api/v1/consultations/paris-call/rounds/2019/feed.atom";
const CALENDAR: &str = "/api/v1/consultations/paris-call/calendar.ics";
const HOUR: i64 = 3_600_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_millis() as i64
}

/// `path` as a reader with no account asks it, sending `etag` back if it has one.
async fn read(app: &TestApp, path: &str, etag: Option<&str>) -> Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    request.send().await.expect("request")
}

/// The feed at `path`, parsed, and its ETag.
async fn feed(app: &TestApp, path: &str) -> (Feed, String) {
    let response = read(app, path, None).await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("application/atom+xml"));
    let etag = header("etag");
    // Weak: the same feed travels compressed or not.
    assert!(etag.starts_with("W/\"") && etag.len() > 10, "{etag}");
    let text = response.text().await.expect("body");
    (text.parse().expect("an Atom feed"), etag)
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries.iter().map(|e| e.title.value.clone()).collect()
}

fn entry<'f>(feed: &'f Feed, title: &str) -> &'f atom_syndication::Entry {
    feed.entries
        .iter()
        .find(|e| e.title.value == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in {:?}", titles(feed)))
}

pub(crate) async fn anyone_follows_a_consultation_through_its_feed_with_no_account(db: Db) {
    // Arrange: the demo consultation, a reader with no account.
    let app = spawn_app(db).await;
    let reader = app.another_browser();
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;

    // A newcomer finds the consultation's feed: its rounds so far, nothing else yet.
    let (first, etag) = feed(&reader, FEED).await;
    assert_eq!(
        first.title.value,
        "Paris Call for Trust and Security in Cyberspace — annual review"
    );
    assert!(first.id.starts_with("tag:localhost,2026:consultation/"));
    let own = first.links.iter().find(|l| l.rel == "self").expect("self");
    assert!(own.href.ends_with(FEED), "{}", own.href);
    let opened = entry(&first, "2019 review: round opened");
    assert!(opened.links[0].href.ends_with("/c/paris-call/2019"));
    assert_eq!(
        first.updated, first.entries[0].updated,
        "as new as its newest entry"
    );

    // The reading pages (no JavaScript) name the feeds in their head and link them.
    for page in ["/read", "/read/paris-call/2019"] {
        let html = read(&reader, page, None).await.text().await.expect("page");
        let announced =
            format!("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{FEED}\"");
        let head = html.split("</head>").next().expect("a head");
        assert!(head.contains(&announced), "{page}: {head}");
        assert!(html.contains(&format!("<a href=\"{CALENDAR}\"")), "{page}");
    }
    let round_page = read(&reader, "/read/paris-call/2019", None).await;
    let html = round_page.text().await.expect("page");
    assert!(html.contains(&format!("href=\"{ROUND_FEED}\"")));

    // A reader polling with the ETag costs a 304 and no body.
    let again = read(&reader, FEED, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.text().await.expect("body").is_empty());
    let weak = read(&reader, FEED, Some(&format!("\"other\", W/{etag}"))).await;
    assert_eq!(weak.status(), 304, "a list naming it, weakly, holds it too");
    assert_eq!(read(&reader, FEED, Some("\"other\"")).await.status(), 200);

    // A participant comments; the conveners respond to it and hide another.
    let amina = participant(&app, "amina", "civil_society").await;
    let post = |body: &'static str| {
        let amina = &amina;
        async move {
            let (status, created) =
                parts(amina.post_comment(CLAUSE, json!({"body": body})).await).await;
            assert_eq!(status, 201);
            created["id"].as_i64().expect("id")
        }
    };
    let answered = post("Name the journalists this protects.").await;
    let hidden = post("Something the conveners hide.").await;
    let verdict = json!({"verdict": "accepted", "explanation": "Clause 1 now names them."});
    let respond = convener.respond_to_comment("paris-call", answered, verdict.clone());
    assert_eq!(respond.await.status(), 200);
    let hide = json!({"action": "hide", "reason": "Off topic."});
    let moderated = convener.moderate_comment("paris-call", hidden, hide).await;
    assert_eq!(moderated.status(), 200);
    let respond = convener.respond_to_comment("paris-call", hidden, verdict);
    assert_eq!(respond.await.status(), 200);

    // The feed changed: a new ETag, an entry for the response, none for the hidden comment's,
    // and no comment's words.
    let stale = read(&reader, FEED, Some(&etag)).await;
    assert_eq!(stale.status(), 200, "the old ETag no longer holds");
    let (after, etag) = feed(&reader, FEED).await;
    let response = entry(
        &after,
        "2019 review, Protect individuals and infrastructure: the conveners responded to a comment",
    );
    assert!(
        response.links[0].href.ends_with(&format!(
            "/c/paris-call/2019/protect-individuals#comment-{answered}"
        )),
        "{}",
        response.links[0].href
    );
    let summary = &response.summary.as_ref().expect("summary").value;
    assert_eq!(summary, "Accepted. Clause 1 now names them.");
    let text = read(&reader, FEED, None).await.text().await.expect("body");
    assert_eq!(
        text.matches("responded to a comment").count(),
        1,
        "not the hidden one"
    );
    assert!(
        !text.contains("journalists this protects"),
        "no comment text"
    );
    assert!(!text.contains("amina"), "no participant's handle");
    assert!(!text.contains(&format!("comment-{hidden}")));

    // The conveners close 2019, open 2020 and schedule it; two hours later its comments and
    // positions open as scheduled, before anything records it.
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review"});
    assert_eq!(convener.open_round("paris-call", new).await.status(), 201);
    let now = now_ms();
    let plan = json!({"commenting_at_ms": now + HOUR, "voting_at_ms": now + 2 * HOUR});
    let (status, _) = parts(convener.set_schedule("paris-call", "2020", plan).await).await;
    assert_eq!(status, 200);
    let (scheduled, _) = feed(&reader, FEED).await;
    let set = entry(&scheduled, "2020 review: schedule set");
    let summary = &set.summary.as_ref().expect("the times").value;
    assert!(
        summary.starts_with("Commenting: ") && summary.contains(" UTC; Voting: "),
        "{summary}"
    );
    assert!(titles(&scheduled).contains(&"2019 review: closed".to_owned()));
    assert!(!titles(&scheduled).contains(&"2020 review: comments open".to_owned()));
    app.execute(
        "UPDATE rounds SET commenting_at_ms = commenting_at_ms - $1, \
         voting_at_ms = voting_at_ms - $1 WHERE slug = '2020'",
        &[2 * HOUR + 1000],
    )
    .await;
    app.until_the_server_notices().await;
    let (due, _) = feed(&reader, FEED).await;
    let commenting = entry(&due, "2020 review: comments open").clone();
    assert_eq!(
        commenting.summary.as_ref().expect("how").value,
        "As scheduled."
    );
    let at = commenting.updated.timestamp_millis();
    assert_eq!(
        at,
        now + HOUR - 2 * HOUR - 1000,
        "at the time it was due, not when read"
    );
    assert!(titles(&due).contains(&"2020 review: positions open".to_owned()));

    // A convener then moves the round back by hand: the scheduled changes keep their entries
    // (same ids, same times), and the move by hand has its own.
    let back = json!({"phase": "commenting"});
    assert_eq!(
        convener
            .move_phase("paris-call", "2020", back)
            .await
            .status(),
        200
    );
    let (moved, _) = feed(&reader, FEED).await;
    let kept = entry(&moved, "2020 review: comments open");
    let same: Vec<_> = moved
        .entries
        .iter()
        .filter(|e| e.id == commenting.id)
        .collect();
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].updated, commenting.updated);
    let _ = kept;
    assert_eq!(
        titles(&moved)
            .iter()
            .filter(|t| *t == "2020 review: comments open")
            .count(),
        2,
        "as scheduled, then by hand"
    );

    // Published: its results and its record, each linked.
    for phase in ["published"] {
        let to = json!({"phase": phase});
        assert_eq!(
            convener.move_phase("paris-call", "2019", to).await.status(),
            200
        );
    }
    let (published, _) = feed(&reader, FEED).await;
    let results = entry(&published, "2019 review: results published");
    assert!(
        results.links[0]
            .href
            .ends_with("/c/paris-call/2019/results")
    );
    let record = entry(&published, "2019 review: record published");
    assert!(record.links[0].href.ends_with("/read/paris-call/2019"));
    let ids: std::collections::HashSet<&str> =
        published.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), published.entries.len(), "every id is unique");
    let (twice, again_etag) = feed(&reader, FEED).await;
    assert_eq!(twice, published, "the same state writes the same feed");
    assert_eq!(read(&reader, FEED, Some(&again_etag)).await.status(), 304);
    assert_ne!(again_etag, etag);

    // In French, asked or preferred.
    let (french, _) = feed(&reader, &format!("{FEED}?lang=fr")).await;
    assert!(titles(&french).contains(&"2019 review : résultats publiés".to_owned()));
    assert_eq!(french.lang.as_deref(), Some("fr"));
    let preferred = reader
        .client
        .get(format!("{}{FEED}", reader.address))
        .header("accept-language", "es-MX, en;q=0.5")
        .send()
        .await
        .expect("request");
    assert!(
        preferred
            .text()
            .await
            .expect("body")
            .contains("resultados publicados")
    );

    // Bad requests: a language Concord does not speak, a consultation or round that does not
    // exist, a method a feed does not take.
    let (status, body) = parts(read(&reader, &format!("{FEED}?lang=klingon"), None).await).await;
    assert_eq!((status, &body["fields"][0]["field"]), (422, &json!("lang")));
    let (status, body) =
        parts(read(&reader, "/api/v1/consultations/nowhere/feed.atom", None).await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));
    let nowhere = "/api/v1/consultations/paris-call/rounds/1999/feed.atom";
    let (status, body) = parts(read(&reader, nowhere, None).await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));
    let (status, body) = parts(
        reader
            .request(reqwest::Method::POST, FEED, Some(json!({})))
            .await,
    )
    .await;
    assert_eq!((status, &body["code"]), (405, &json!("method_not_allowed")));
}

pub(crate) async fn a_rounds_feed_counts_each_days_new_comments_without_their_words(db: Db) {
    let app = spawn_app(db).await;
    let reader = app.another_browser();
    let amina = participant(&app, "amina", "civil_society").await;
    let other_clause = api::clause("paris-call", "2019", "protect-internet");
    for (clause, body) in [
        (CLAUSE, "First words about individuals."),
        (CLAUSE, "Second words about individuals."),
        (other_clause.as_str(), "Words about infrastructure."),
    ] {
        let (status, _) = parts(amina.post_comment(clause, json!({"body": body})).await).await;
        assert_eq!(status, 201);
    }
    // Today's comments are counted once the day is over: none yet.
    let (today, _) = feed(&reader, ROUND_FEED).await;
    assert!(
        !titles(&today).iter().any(|t| t.contains("new comments")),
        "{:?}",
        titles(&today)
    );

    // Two days later (the test moves the comments back instead of waiting).
    app.execute(
        "UPDATE comments SET created_at_ms = created_at_ms - $1 \
         WHERE account_id = (SELECT id FROM accounts WHERE handle = 'amina')",
        &[2 * 24 * HOUR],
    )
    .await;
    let (later, _) = feed(&reader, ROUND_FEED).await;
    let date = (chrono::Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let counted = entry(&later, &format!("2019 review: new comments on {date}"));
    let summary = &counted.summary.as_ref().expect("counts").value;
    assert!(
        summary.starts_with("New comments per clause: "),
        "{summary}"
    );
    assert!(
        summary.contains(": 2") && summary.contains(": 1"),
        "{summary}"
    );
    let text = read(&reader, ROUND_FEED, None)
        .await
        .text()
        .await
        .expect("body");
    assert!(!text.contains("words about"), "no comment's words");
    assert!(!text.contains("amina"));
    assert_eq!(
        counted.updated.timestamp_millis() % (24 * HOUR),
        0,
        "dated at the end of its day"
    );
    let own = later.links.iter().find(|l| l.rel == "self").expect("self");
    assert!(own.href.ends_with(ROUND_FEED));

    // The consultation's feed carries no daily counts.
    let (consultation, _) = feed(&reader, FEED).await;
    assert!(
        !titles(&consultation)
            .iter()
            .any(|t| t.contains("new comments"))
    );
}

pub(crate) async fn an_invitation_only_consultation_is_followed_as_it_is_read(db: Db) {
    let app = spawn_app(db).await;
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;
    let invitation = json!({"access": "invitation"});
    assert_eq!(
        convener.set_access("paris-call", invitation).await.status(),
        200
    );
    let reader = app.another_browser();

    // Its pages are public to read (only taking part needs an invitation): so are its feeds
    // and its calendar, and they say the same whoever asks.
    assert_eq!(reader.get_round("paris-call", "2019").await.status(), 200);
    let anonymous = read(&reader, FEED, None).await.text().await.expect("body");
    let as_convener = read(&convener, FEED, None)
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(anonymous, as_convener, "nothing more for a convener");
    assert_eq!(read(&reader, ROUND_FEED, None).await.status(), 200);
    assert_eq!(read(&reader, CALENDAR, None).await.status(), 200);
}

/// The calendar at [`CALENDAR`], parsed, and its ETag.
async fn calendar(app: &TestApp) -> (icalendar::Calendar, String) {
    let response = read(app, CALENDAR, None).await;
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().expect("type");
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    let text = response.text().await.expect("body");
    (text.parse().expect("an iCalendar file"), etag)
}

/// The events of `calendar` as (uid, summary, start in ms), in order of start.
fn events(calendar: &icalendar::Calendar) -> Vec<(String, String, i64)> {
    let mut events: Vec<_> = calendar
        .events()
        .map(|e| {
            let start = match e.get_start().expect("a start") {
                icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(at)) => {
                    at.timestamp_millis()
                }
                other => panic!("not in UTC: {other:?}"),
            };
            (
                e.get_uid().expect("uid").to_owned(),
                e.get_summary().expect("summary").to_owned(),
                start,
            )
        })
        .collect();
    events.sort_by_key(|e| e.2);
    events
}

pub(crate) async fn a_calendar_follows_the_schedule_as_it_moves(db: Db) {
    let app = spawn_app(db).await;
    let reader = app.another_browser();
    let admin = app.new_admin("secretariat").await;
    let convener = app.new_convener(&admin, "paris-call", "chair").await;

    // Nothing scheduled yet: a calendar with its name and zone, and no events to come.
    let (empty, etag) = calendar(&reader).await;
    assert_eq!(
        empty.get_name(),
        Some("Paris Call for Trust and Security in Cyberspace — annual review")
    );
    assert_eq!(empty.get_timezone(), Some("UTC"));
    assert_eq!(
        empty.property_value("PRODID"),
        Some("-//Concord//Following a consultation//EN")
    );
    assert!(events(&empty).is_empty(), "{:?}", events(&empty));
    assert_eq!(read(&reader, CALENDAR, Some(&etag)).await.status(), 304);

    // The conveners schedule the next round: one event per change, with a reminder.
    close_2019(&convener).await;
    let new = json!({"slug": "2020", "title": "2020 review"});
    assert_eq!(convener.open_round("paris-call", new).await.status(), 201);
    // Whole seconds: iCalendar times carry no milliseconds.
    let now = now_ms() / 1000 * 1000;
    let plan = json!({"commenting_at_ms": now + HOUR, "voting_at_ms": now + 2 * HOUR,
        "closing_at_ms": now + 3 * HOUR});
    let (status, _) = parts(convener.set_schedule("paris-call", "2020", plan).await).await;
    assert_eq!(status, 200);
    let (planned, etag) = calendar(&reader).await;
    let planned_events = events(&planned);
    let to_come: Vec<_> = planned_events.iter().filter(|e| e.2 > now).collect();
    assert_eq!(
        to_come
            .iter()
            .map(|e| (e.1.as_str(), e.2))
            .collect::<Vec<_>>(),
        [
            ("2020 review: comments open", now + HOUR),
            ("2020 review: positions open", now + 2 * HOUR),
            ("2020 review: closed", now + 3 * HOUR),
        ]
    );
    assert!(
        planned_events
            .iter()
            .any(|e| e.1 == "2019 review: closed" && e.2 <= now_ms()),
        "what happened stays: {planned_events:?}"
    );
    for event in planned.events() {
        if event.get_uid().is_some_and(|u| u.starts_with("round-")) {
            let alarm = event.components().first().expect("a reminder");
            assert_eq!(alarm.property_value("ACTION"), Some("DISPLAY"));
            assert_eq!(
                alarm.property_value("TRIGGER"),
                Some("-PT86400S"),
                "a day before"
            );
        }
    }

    // The schedule moves a day later: the same events (same UIDs) move with it.
    let day = 24 * HOUR;
    let later = json!({"commenting_at_ms": now + day + HOUR, "voting_at_ms": now + day + 2 * HOUR,
        "closing_at_ms": now + day + 3 * HOUR});
    let (status, _) = parts(convener.set_schedule("paris-call", "2020", later).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        read(&reader, CALENDAR, Some(&etag)).await.status(),
        200,
        "changed"
    );
    let (moved, _) = calendar(&reader).await;
    let moved_events: Vec<_> = events(&moved).into_iter().filter(|e| e.2 > now).collect();
    for (before, after) in to_come.iter().zip(&moved_events) {
        assert_eq!(before.0, after.0, "the same event");
        assert_eq!(after.2, before.2 + day, "a day later");
    }

    // A title with the calendar's separators goes out escaped.
    app.execute(
        "UPDATE consultations SET title = 'Paris; Call, for all' WHERE slug = 'paris-call'",
        &[],
    )
    .await;
    app.until_the_server_notices().await;
    let text = read(&reader, CALENDAR, None)
        .await
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("X-WR-CALNAME:Paris\\; Call\\, for all"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("NAME:")), "{text}");

    // In Arabic, asked by name.
    let arabic = read(&reader, &format!("{CALENDAR}?lang=ar"), None).await;
    assert!(
        arabic
            .text()
            .await
            .expect("body")
            .contains("باب التعليقات مفتوح")
    );
    let (status, body) =
        parts(read(&reader, "/api/v1/consultations/nowhere/calendar.ics", None).await).await;
    assert_eq!((status, &body["code"]), (404, &json!("not_found")));
    let (status, _) = parts(read(&reader, &format!("{CALENDAR}?lang="), None).await).await;
    assert_eq!(status, 422);
}
