//! Following a consultation with no account: its Atom feed (RFC 4287), for the consultation or
//! one round, and its calendar (RFC 5545) of phase changes. Both say only what the reading pages
//! show anyone: rounds opening, phases changing (by hand or as scheduled), schedules, published
//! results and records, the conveners' responses to comments that are not hidden, and — in a
//! round's feed — each day's count of new comments per clause, never their text or authors.
//!
//! Every entry and event has an id that does not change, and the time it happened: the same
//! state of the consultation always writes the same bytes, so that a reader polling for changes
//! can be answered "not modified".

use crate::state::AppState;
use crate::store::{
    Change, ConsultationRef, DAY_MS, FollowedRound, RoundChange, StoreError, now_ms, parse_phase,
};
use crate::words::Words;
use atom_syndication as atom;
use chrono::{DateTime, Utc};
use icalendar::{Alarm, Component, EventLike};
use shared::following::{consultation_feed_path, round_feed_path};
use shared::{Phase, PhaseChange};

/// The most entries a feed carries, newest first.
const FEED_ENTRIES: usize = 100;
/// How many days back a round's feed counts new comments.
const COUNTED_DAYS: i64 = 30;
/// When a calendar reminds of a phase change, before it.
const REMINDER_HOURS: i64 = 24;
/// The year in the ids of entries and events (tag URIs, RFC 4151, name a date the authority
/// was held; it never changes, so that the ids never do).
const TAG_YEAR: &str = "2026";

/// Something that happened, as a feed entry.
#[derive(Debug, Clone)]
struct Happening {
    /// Unique within the consultation, never changing: `round/3/opened`.
    id: String,
    at_ms: i64,
    title: String,
    /// Plain text, possibly empty.
    text: String,
    /// The page it is about, from the site's root.
    path: String,
}

/// Where this instance is reached (`--public-url`), for the absolute addresses feeds and
/// calendars need, and the host that names their ids.
pub(crate) struct Site {
    origin: String,
    host: String,
}

impl Site {
    pub(crate) fn of(state: &AppState) -> Self {
        let origin = state
            .settings
            .passkeys
            .as_ref()
            .map_or("http://localhost", |rp| rp.origin())
            .to_owned();
        let host = url::Url::parse(&origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into());
        Self { origin, host }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// A permanent id: `tag:concord.example.org,2026:consultation/4/round/7/opened`.
    fn tag(&self, consultation: &ConsultationRef, rest: &str) -> String {
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!("/{rest}")
        };
        format!(
            "tag:{},{TAG_YEAR}:consultation/{}{rest}",
            self.host, consultation.id
        )
    }
}

/// The Atom feed of `consultation`, or of its round `round` alone, in the words of `w`.
pub async fn feed(
    state: &AppState,
    consultation: &ConsultationRef,
    round: Option<&str>,
    w: Words,
) -> Result<String, StoreError> {
    let site = Site::of(state);
    let rounds = state.store.followed_rounds(consultation.id).await?;
    let only = match round {
        Some(slug) => Some(
            rounds
                .iter()
                .find(|r| r.row.slug == slug)
                .ok_or(crate::refusal::Refusal::NotFound("round"))?
                .row
                .id,
        ),
        None => None,
    };
    let followed: Vec<&FollowedRound> = rounds
        .iter()
        .filter(|r| only.is_none_or(|id| r.row.id == id))
        .collect();
    let limit = FEED_ENTRIES as i64;
    let changes = state
        .store
        .round_changes(consultation.id, only, limit)
        .await?;
    let responses = state
        .store
        .given_responses(consultation.id, only, limit)
        .await?;
    let now = now_ms();
    let mut happenings = Vec::new();
    for round in &followed {
        happenings.extend(round_happenings(consultation, round, &changes, now, w)?);
    }
    for response in responses {
        let Some(round) = followed.iter().find(|r| r.row.id == response.round_id) else {
            continue;
        };
        let verdict = w.get(&format!("verdict_{}", response.verdict));
        happenings.push(Happening {
            id: format!("comment/{}/response", response.comment_id),
            at_ms: response.at_ms,
            title: w.with(
                "feed_response",
                &[
                    ("round", &round.row.title),
                    ("clause", &response.clause_title),
                ],
            ),
            text: format!("{verdict}. {}", response.explanation)
                .trim()
                .to_owned(),
            path: format!(
                "/c/{}/{}/{}#comment-{}",
                consultation.slug, round.row.slug, response.clause_key, response.comment_id
            ),
        });
    }
    if let Some(round) = only.and_then(|id| followed.iter().find(|r| r.row.id == id)) {
        happenings.extend(comment_days(state, consultation, round, now, w).await?);
    }
    happenings.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| a.id.cmp(&b.id)));
    happenings.truncate(FEED_ENTRIES);

    let (title, id, page, feed_path) =
        match only.and_then(|id| rounds.iter().find(|r| r.row.id == id)) {
            Some(round) => (
                format!("{} · {}", consultation.title, round.row.title),
                site.tag(consultation, &format!("round/{}", round.row.id)),
                format!("/c/{}/{}", consultation.slug, round.row.slug),
                round_feed_path(&consultation.slug, &round.row.slug),
            ),
            None => (
                consultation.title.clone(),
                site.tag(consultation, ""),
                format!("/c/{}", consultation.slug),
                consultation_feed_path(&consultation.slug),
            ),
        };
    // Nothing happened yet: the feed is as old as the consultation.
    let updated = match happenings.first() {
        Some(newest) => newest.at_ms,
        None => state.store.consultation_created(consultation.id).await?,
    };
    let link = |href: String, rel: &str, mime: Option<&str>| atom::Link {
        href,
        rel: rel.into(),
        mime_type: mime.map(Into::into),
        ..Default::default()
    };
    let entries = happenings
        .into_iter()
        .map(|h| atom::Entry {
            id: site.tag(consultation, &h.id),
            title: atom::Text::plain(h.title),
            updated: moment(h.at_ms).fixed_offset(),
            links: vec![link(site.url(&h.path), "alternate", Some("text/html"))],
            summary: (!h.text.is_empty()).then(|| atom::Text::plain(h.text)),
            ..Default::default()
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(title),
        subtitle: Some(atom::Text::plain(w.get("feed_subtitle"))),
        id,
        updated: moment(updated).fixed_offset(),
        authors: vec![atom::Person {
            name: "Concord".into(),
            uri: Some(site.url("/")),
            ..Default::default()
        }],
        links: vec![
            link(site.url(&feed_path), "self", Some("application/atom+xml")),
            link(site.url(&page), "alternate", Some("text/html")),
        ],
        generator: Some(atom::Generator {
            value: "Concord".into(),
            ..Default::default()
        }),
        lang: Some(w.0.as_str().into()),
        entries,
        ..Default::default()
    };
    Ok(feed.to_string())
}

/// What happened to `round`: it opened; its phase changed, by hand (`changes`, from the audit
/// log) or by its schedule (recorded there, or due now and not yet recorded); its schedule was
/// set.
fn round_happenings(
    consultation: &ConsultationRef,
    round: &FollowedRound,
    changes: &[RoundChange],
    now: i64,
    w: Words,
) -> Result<Vec<Happening>, StoreError> {
    let (slug, title) = (&consultation.slug, &round.row.title);
    let page = format!("/c/{slug}/{}", round.row.slug);
    let mut out = vec![Happening {
        id: format!("round/{}/opened", round.row.id),
        at_ms: round.opened_at_ms,
        title: w.with("feed_round_opened", &[("round", title)]),
        text: String::new(),
        path: page.clone(),
    }];
    for change in changes.iter().filter(|c| c.round_id == round.row.id) {
        match &change.change {
            Change::Scheduled(schedule) => out.push(Happening {
                id: format!("change/{}", change.id),
                at_ms: change.at_ms,
                title: w.with("feed_scheduled", &[("round", title)]),
                text: schedule_text(schedule, w),
                path: page.clone(),
            }),
            // As scheduled: named by phase and time, as before anything recorded it.
            &Change::Moved {
                to,
                scheduled_at_ms: Some(at_ms),
            } => out.extend(phase_happenings(
                consultation,
                round,
                PhaseChange { phase: to, at_ms },
                None,
                w,
            )),
            &Change::Moved {
                to,
                scheduled_at_ms: None,
            } => out.extend(phase_happenings(
                consultation,
                round,
                PhaseChange {
                    phase: to,
                    at_ms: change.at_ms,
                },
                Some(change.id),
                w,
            )),
        }
    }
    for due in due_changes(round, now)? {
        out.extend(phase_happenings(consultation, round, due, None, w));
    }
    Ok(out)
}

/// The scheduled changes of `round` that are due at `now` and not yet recorded: those past its
/// stored phase (a recorded one moved the stored phase with it).
fn due_changes(round: &FollowedRound, now: i64) -> Result<Vec<PhaseChange>, StoreError> {
    let stored = parse_phase(&round.row.state.phase)?;
    Ok(round
        .row
        .state
        .schedule()
        .changes()
        .filter(|c| c.at_ms <= now && c.phase > stored)
        .collect())
}

/// The entries of a phase change of `round`: one, or two when it published (its results, and
/// its record). `entry`: the audit entry of a change made by hand; a scheduled change is named
/// by its phase and time, so that it keeps its id once recorded.
fn phase_happenings(
    consultation: &ConsultationRef,
    round: &FollowedRound,
    change: PhaseChange,
    entry: Option<i64>,
    w: Words,
) -> Vec<Happening> {
    let (slug, title) = (&consultation.slug, &round.row.title);
    let id = match entry {
        Some(entry) => format!("change/{entry}"),
        None => format!(
            "round/{}/phase/{}/{}",
            round.row.id,
            change.phase.as_str(),
            change.at_ms
        ),
    };
    let text = if entry.is_none() {
        w.get("feed_as_scheduled").to_owned()
    } else {
        String::new()
    };
    let page = format!("/c/{slug}/{}", round.row.slug);
    let happening = |suffix: &str, title: String, path: String| Happening {
        id: format!("{id}{suffix}"),
        at_ms: change.at_ms,
        title,
        text: text.clone(),
        path,
    };
    let reached = phase_title(w, change.phase, title);
    match change.phase {
        Phase::Published => vec![
            happening("", reached, format!("{page}/results")),
            happening(
                "/record",
                w.with("feed_record_published", &[("round", title)]),
                format!("/read/{slug}/{}", round.row.slug),
            ),
        ],
        _ => vec![happening("", reached, page)],
    }
}

/// What a round reaching `phase` is called: "2020 review: comments open"; publishing is its
/// results'.
pub(crate) fn phase_title(w: Words, phase: Phase, round: &str) -> String {
    match phase {
        Phase::Published => w.with("feed_results_published", &[("round", round)]),
        phase => w.with(
            &format!("feed_phase_{}", phase.as_str()),
            &[("round", round)],
        ),
    }
}

/// A schedule in words: each change with its time in UTC, or that none is set.
fn schedule_text(schedule: &shared::Schedule, w: Words) -> String {
    let lines: Vec<String> = schedule
        .changes()
        .map(|c| {
            format!(
                "{}: {}",
                w.get(&format!("phase_{}", c.phase.as_str())),
                moment(c.at_ms).format("%Y-%m-%d %H:%M UTC")
            )
        })
        .collect();
    if lines.is_empty() {
        w.get("feed_schedule_cleared").to_owned()
    } else {
        lines.join("; ")
    }
}

/// One entry per past day (UTC) of the last [`COUNTED_DAYS`] on which `round` received
/// comments: how many each clause received. A day is counted once it is over, so that its entry
/// never changes.
async fn comment_days(
    state: &AppState,
    consultation: &ConsultationRef,
    round: &FollowedRound,
    now: i64,
    w: Words,
) -> Result<Vec<Happening>, StoreError> {
    let today = now.div_euclid(DAY_MS);
    let counts = state
        .store
        .comments_per_day(round.row.id, today - COUNTED_DAYS, today)
        .await?;
    let mut out: Vec<Happening> = Vec::new();
    for count in counts {
        let date = moment(count.day * DAY_MS).format("%Y-%m-%d").to_string();
        let line = format!("{}: {}", count.clause_title, count.comments);
        match out.last_mut() {
            Some(day) if day.at_ms == (count.day + 1) * DAY_MS => {
                day.text.push_str("; ");
                day.text.push_str(&line);
            }
            _ => out.push(Happening {
                id: format!("round/{}/comments/{date}", round.row.id),
                at_ms: (count.day + 1) * DAY_MS,
                title: w.with(
                    "feed_comments_day",
                    &[("round", &round.row.title), ("day", &date)],
                ),
                text: format!("{} {line}", w.get("feed_comments_per_clause")),
                path: format!("/c/{}/{}", consultation.slug, round.row.slug),
            }),
        }
    }
    Ok(out)
}

/// The calendar of `consultation`: each round's phase changes, those scheduled (each with a
/// reminder the day before) and those that happened, in UTC.
pub async fn calendar(
    state: &AppState,
    consultation: &ConsultationRef,
    w: Words,
) -> Result<String, StoreError> {
    let site = Site::of(state);
    let rounds = state.store.followed_rounds(consultation.id).await?;
    let changes = state
        .store
        .round_changes(consultation.id, None, FEED_ENTRIES as i64)
        .await?;
    // Built from empty: the crate's default names itself as the product, and its NAME goes
    // out unescaped; X-WR-CALNAME is escaped as text and read by calendar apps.
    let mut calendar = icalendar::Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//Concord//Following a consultation//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("X-WR-CALNAME", consultation.title.as_str()),
    ] {
        calendar.append_property(icalendar::Property::new(key, value));
    }
    calendar
        .description(w.get("calendar_description"))
        .timezone("UTC");
    for round in &rounds {
        let page = site.url(&format!("/c/{}/{}", consultation.slug, round.row.slug));
        // Changes already made: from the audit log, newest first; shown as they happened.
        for change in changes.iter().filter(|c| c.round_id == round.row.id) {
            let &Change::Moved {
                to: phase,
                scheduled_at_ms,
            } = &change.change
            else {
                continue;
            };
            let at_ms = scheduled_at_ms.unwrap_or(change.at_ms);
            let summary = phase_title(w, phase, &round.row.title);
            calendar.push(
                icalendar::Event::new()
                    .uid(&format!("change-{}@{}", change.id, site.host))
                    .timestamp(moment(change.at_ms))
                    .summary(&summary)
                    .description(&consultation.title)
                    .url(&page)
                    .starts(moment(at_ms))
                    .done(),
            );
        }
        // Changes to come, and those due that nothing recorded yet: one event per phase of the
        // round, so that a calendar moves it when the schedule moves.
        let stored = parse_phase(&round.row.state.phase)?;
        let stamp = moment(round.scheduled_at_ms.unwrap_or(round.opened_at_ms));
        for change in round
            .row
            .state
            .schedule()
            .changes()
            .filter(|c| c.phase > stored)
        {
            let uid = format!(
                "round-{}-{}@{}",
                round.row.id,
                change.phase.as_str(),
                site.host
            );
            let summary = phase_title(w, change.phase, &round.row.title);
            let reminder = Alarm::display(&summary, -chrono::Duration::hours(REMINDER_HOURS))
                .uid(&format!("{uid}-reminder"))
                .timestamp(stamp)
                .done();
            calendar.push(
                icalendar::Event::new()
                    .uid(&uid)
                    .timestamp(stamp)
                    .last_modified(stamp)
                    .summary(&summary)
                    .description(&consultation.title)
                    .url(&page)
                    .starts(moment(change.at_ms))
                    .alarm(reminder)
                    .done(),
            );
        }
    }
    Ok(calendar.done().to_string())
}

/// The moment `ms` milliseconds after the Unix epoch (the epoch itself for one out of range).
fn moment(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
