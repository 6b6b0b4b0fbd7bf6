//! The annual review: rounds that follow one another, their phases and schedule, the redline of
//! a clause against the previous round, and results broken down by stakeholder group and region.

use crate::redline::{RedlineSegment, Token, redline};
use crate::{FieldError, Phase, StakeholderGroup, Tally};
use serde::{Deserialize, Serialize};

/// When a round moves on by itself (milliseconds since the Unix epoch); `None`: not scheduled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    #[serde(default)]
    pub commenting_at_ms: Option<i64>,
    #[serde(default)]
    pub voting_at_ms: Option<i64>,
    #[serde(default)]
    pub closing_at_ms: Option<i64>,
}

/// A phase change, done or to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseChange {
    pub phase: Phase,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
}

impl Schedule {
    /// The scheduled changes, in phase order.
    pub fn changes(&self) -> impl Iterator<Item = PhaseChange> {
        [
            (Phase::Commenting, self.commenting_at_ms),
            (Phase::Voting, self.voting_at_ms),
            (Phase::Closed, self.closing_at_ms),
        ]
        .into_iter()
        .filter_map(|(phase, at)| at.map(|at_ms| PhaseChange { phase, at_ms }))
    }

    /// The phase a round whose stored phase is `stored` is in at `now`: moved on by every
    /// scheduled change that is due and lies ahead of it. Schedules never move a round back.
    pub fn effective_phase(&self, stored: Phase, now: i64) -> Phase {
        self.changes()
            .filter(|c| c.at_ms <= now)
            .map(|c| c.phase)
            .fold(stored, Ord::max)
    }

    /// The next scheduled change after `now` for a round in phase `current`.
    pub fn next_change(&self, current: Phase, now: i64) -> Option<PhaseChange> {
        self.changes().find(|c| c.phase > current && c.at_ms > now)
    }

    /// The schedule without the changes that are due at `now` (after a convener moved the round
    /// by hand, so that a past time does not undo the move).
    pub fn without_past(self, now: i64) -> Self {
        let future = |at: Option<i64>| at.filter(|t| *t > now);
        Self {
            commenting_at_ms: future(self.commenting_at_ms),
            voting_at_ms: future(self.voting_at_ms),
            closing_at_ms: future(self.closing_at_ms),
        }
    }

    /// Checks a new schedule for a round in phase `current`: every time in the future, in phase
    /// order, and none for a phase the round has reached.
    pub fn check(&self, current: Phase, now: i64) -> Result<(), Vec<FieldError>> {
        let mut broken = Vec::new();
        let mut last: Option<i64> = None;
        for (field, phase, at) in [
            ("commenting_at_ms", Phase::Commenting, self.commenting_at_ms),
            ("voting_at_ms", Phase::Voting, self.voting_at_ms),
            ("closing_at_ms", Phase::Closed, self.closing_at_ms),
        ] {
            let Some(at) = at else { continue };
            if phase <= current {
                broken.push(FieldError::new(
                    field,
                    "reached",
                    "The round is in this phase or past it already.",
                ));
            } else if at <= now {
                broken.push(FieldError::new(
                    field,
                    "in_the_past",
                    "Choose a time in the future.",
                ));
            } else if last.is_some_and(|l| at <= l) {
                broken.push(FieldError::new(
                    field,
                    "out_of_order",
                    "Each phase must start after the one before it.",
                ));
            }
            last = Some(at);
        }
        if broken.is_empty() {
            Ok(())
        } else {
            Err(broken)
        }
    }
}

/// Whether a convener may move a round from `from` to `to` by hand: forward to any later phase,
/// or back among draft, commenting and voting; never out of a closed or published round except
/// forward to publication.
pub fn may_move(from: Phase, to: Phase) -> bool {
    if to > from {
        return true;
    }
    to < from && from < Phase::Closed
}

/// Counts in one stakeholder group; `group` is `None` for positions whose group was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupTally {
    pub group: Option<StakeholderGroup>,
    pub tally: Tally,
}

/// Counts in one region; an empty `region` stands for "not stated".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionTally {
    pub region: String,
    pub tally: Tally,
}

/// The results of a clause: all positions, and the same by stakeholder group and by region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Results {
    pub total: Tally,
    /// In the order of [`StakeholderGroup::ALL`], "not stated" last; groups without positions
    /// are left out.
    pub by_group: Vec<GroupTally>,
    /// By region name.
    pub by_region: Vec<RegionTally>,
}

/// A clause's new tally, as the live tally sends it (server-sent event `tally`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LiveTally {
    /// The clause's key.
    pub clause: String,
    pub tally: Tally,
}

/// How many of something in one stakeholder group (`None`: not stated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupCount {
    pub group: Option<StakeholderGroup>,
    pub count: u64,
}

/// How many of something in one region (`""`: not stated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionCount {
    pub region: String,
    pub count: u64,
}

/// The outreach funnel of one stakeholder group: how many were invited, joined, commented and
/// took positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Funnel {
    pub group: StakeholderGroup,
    /// Invitation links issued for the group.
    pub invited: u64,
    /// Participants taking part in the group.
    pub joined: u64,
    /// Of those, how many commented.
    pub commented: u64,
    /// Of those, how many took a position.
    pub took_positions: u64,
}

/// Participation in one phase of the newest round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseActivity {
    pub phase: Phase,
    /// Different participants who commented or took positions.
    pub participants: u64,
    pub comments: u64,
    /// Positions cast, changes included.
    pub positions: u64,
}

/// The inclusion dashboard of a consultation, for its conveners: who takes part, from which
/// groups and regions, how far each group gets, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub participants_by_group: Vec<GroupCount>,
    pub participants_by_region: Vec<RegionCount>,
    pub organisations_by_group: Vec<GroupCount>,
    pub organisations_by_region: Vec<RegionCount>,
    /// Every stakeholder group, in the usual order.
    pub funnel: Vec<Funnel>,
    /// The newest round's slug, which `activity` is about.
    pub round: Option<String>,
    pub activity: Vec<PhaseActivity>,
}

/// How a round decides whether a clause carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// More endorsements (with or without reservation) than not, counting everybody together.
    #[default]
    Majority,
    /// The same in every stakeholder group's house that took positions, so that no group can
    /// carry or block a clause by numbers alone.
    EveryHouse,
}

/// Whose positions a round counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// One position per participant.
    #[default]
    Person,
    /// One position per organisation, cast by its representative; its members see it.
    Organisation,
}

/// How much agreement a clause found, as the conveners designate it after the round closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsensusLevel {
    FullConsensus,
    Consensus,
    StrongSupport,
    Divergence,
}

macro_rules! wire_names {
    ($t:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $t {
            /// The value as stored and sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            /// The value named `s`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

pub(crate) use wire_names;

wire_names!(Rule { Majority => "majority", EveryHouse => "every_house" });
wire_names!(Counting { Person => "person", Organisation => "organisation" });
wire_names!(ConsensusLevel {
    FullConsensus => "full_consensus",
    Consensus => "consensus",
    StrongSupport => "strong_support",
    Divergence => "divergence",
});

impl ConsensusLevel {
    /// Every level, strongest first.
    pub const ALL: [ConsensusLevel; 4] = [
        ConsensusLevel::FullConsensus,
        ConsensusLevel::Consensus,
        ConsensusLevel::StrongSupport,
        ConsensusLevel::Divergence,
    ];
}

/// One stakeholder group's house in a chambered result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct House {
    pub group: StakeholderGroup,
    /// Endorsements, with or without reservation.
    pub endorsing: u64,
    /// The positions that count towards the majority (abstentions only if the round says so).
    pub counted: u64,
    /// Whether the house carried the clause; `None` when nobody in it took a position.
    pub carried: Option<bool>,
}

/// The result of a clause under its round's rule, house by house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Chambered {
    pub rule: Rule,
    pub abstentions_count: bool,
    /// Whether the clause carried under the rule.
    pub carried: bool,
    /// Every stakeholder group, in the usual order.
    pub houses: Vec<House>,
}

/// The clause's result under `rule`: endorsements (with or without reservation) must outnumber
/// the other counted positions, among everybody (`Majority`) or in every house that took
/// positions, and at least one did (`EveryHouse`). Positions whose group was not recorded count
/// in the whole but in no house.
pub fn chambered(results: &Results, rule: Rule, abstentions_count: bool) -> Chambered {
    let endorsing = |t: &Tally| t.endorse + t.endorse_with_reservation;
    let counted =
        |t: &Tally| endorsing(t) + t.oppose + if abstentions_count { t.abstain } else { 0 };
    let carries = |t: &Tally| (counted(t) > 0).then(|| endorsing(t) * 2 > counted(t));
    let houses: Vec<House> = StakeholderGroup::ALL
        .into_iter()
        .map(|group| {
            let tally = results
                .by_group
                .iter()
                .find(|g| g.group == Some(group))
                .map(|g| g.tally)
                .unwrap_or_default();
            House {
                group,
                endorsing: endorsing(&tally),
                counted: counted(&tally),
                carried: carries(&tally),
            }
        })
        .collect();
    let carried = match rule {
        Rule::Majority => carries(&results.total) == Some(true),
        Rule::EveryHouse => {
            let voting: Vec<bool> = houses.iter().filter_map(|h| h.carried).collect();
            !voting.is_empty() && voting.iter().all(|c| *c)
        }
    };
    Chambered {
        rule,
        abstentions_count,
        carried,
        houses,
    }
}

/// A statement an organisation that reserved or opposed attaches to a clause after the round
/// closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinorityStatement {
    /// The organisation's slug.
    pub organisation: String,
    pub organisation_name: String,
    pub body: String,
    /// Milliseconds since the Unix epoch.
    pub written_at_ms: i64,
}

/// Body of `PUT …/clauses/{key}/minority-statement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMinorityStatement {
    /// The slug of the organisation the caller represents.
    pub organisation: String,
    pub body: String,
}

/// Body of `PUT …/clauses/{key}/consensus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsensusDesignation {
    pub level: ConsensusLevel,
}

/// Body of `PUT …/rounds/{round}/rules`: how the round decides, until it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundRules {
    pub rule: Rule,
    #[serde(default)]
    pub abstentions_count: bool,
}

/// One clause's full results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseResults {
    pub key: String,
    pub number: i64,
    pub title: String,
    pub results: Results,
    pub chambered: Chambered,
    pub consensus: Option<ConsensusLevel>,
    pub minority_statements: Vec<MinorityStatement>,
}

/// A round's results, clause by clause (`GET …/rounds/{round}/results`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundResults {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub round: crate::RoundSummary,
    pub counting: Counting,
    pub clauses: Vec<ClauseResults>,
}

/// How a clause fared between two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClauseFate {
    Added,
    Changed,
    Unchanged,
    Removed,
}

/// One clause of a whole-text redline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseRedline {
    pub key: String,
    /// Its number in this round; `None` for a clause removed since the previous round.
    pub number: Option<i64>,
    pub title: String,
    pub fate: ClauseFate,
    pub segments: Vec<RedlineSegment>,
}

/// A round's whole text as one redline against the previous round
/// (`GET …/rounds/{round}/redline`): its clauses in order, then those removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundRedline {
    pub consultation_slug: String,
    pub consultation_title: String,
    pub round: crate::RoundSummary,
    /// The slug of the previous round; `None` (and every clause `added`) for a first round.
    pub previous_round: Option<String>,
    pub clauses: Vec<ClauseRedline>,
}

/// The whole-text redline from `previous` to `current`, each given as `(key, title, body)` in
/// order, each body read as `words` reads it: the current clauses with their changes, then the
/// clauses no longer there.
pub fn text_redline(
    previous: &[(String, String, String)],
    current: &[(i64, String, String, String)],
    words: impl Fn(&str) -> Vec<Token>,
) -> Vec<ClauseRedline> {
    let mut clauses: Vec<ClauseRedline> = current
        .iter()
        .map(|(number, key, title, body)| {
            let before = previous.iter().find(|(k, _, _)| k == key);
            let now = words(body);
            let (fate, was) = match before {
                None => (ClauseFate::Added, Vec::new()),
                Some((_, _, old)) if old == body => (ClauseFate::Unchanged, now.clone()),
                Some((_, _, old)) => (ClauseFate::Changed, words(old)),
            };
            ClauseRedline {
                key: key.clone(),
                number: Some(*number),
                title: title.clone(),
                fate,
                segments: redline(&was, &now),
            }
        })
        .collect();
    clauses.extend(
        previous
            .iter()
            .filter(|(key, _, _)| !current.iter().any(|(_, k, _, _)| k == key))
            .map(|(key, title, body)| ClauseRedline {
                key: key.clone(),
                number: None,
                title: title.clone(),
                fate: ClauseFate::Removed,
                segments: redline(&words(body), &[]),
            }),
    );
    clauses
}

/// Body of `POST /consultations/{slug}/rounds`: a new round, its text imported or copied from the
/// newest one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRound {
    /// The round's address segment, e.g. `2020`: 1–32 lower-case letters, digits or `-`.
    pub slug: String,
    pub title: String,
    /// Participants see no counts until the round closes (conveners do, and that is logged).
    #[serde(default)]
    pub hide_results: bool,
    #[serde(default)]
    pub rule: Rule,
    /// Abstentions count as not endorsing.
    #[serde(default)]
    pub abstentions_count: bool,
    #[serde(default)]
    pub counting: Counting,
    /// The round's text, imported from a document and corrected; when left out, the text is
    /// copied from the newest round (a consultation's first round then starts empty).
    #[serde(default)]
    pub text: Option<crate::DraftText>,
}

/// Body of `PUT …/clauses/{key}` and `POST …/clauses` while the round is a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseEdit {
    pub title: String,
    /// Markdown.
    pub body_md: String,
    /// Why the clause changed since the previous round.
    #[serde(default)]
    pub change_note: String,
    /// Ids of the previous round's comments on this clause that led to the change.
    #[serde(default)]
    pub responds_to: Vec<i64>,
}

/// Body of `PUT …/rounds/{round}/order`: every clause key of the round, in the new order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseOrder {
    pub keys: Vec<String>,
}

/// Body of `PUT …/rounds/{round}/phase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseMove {
    pub phase: Phase,
}

/// Body of `PUT /consultations/{slug}/participation`: how a participant takes part in an open
/// consultation (an invitation sets this in the others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinConsultation {
    pub stakeholder_group: StakeholderGroup,
    /// The slug of an organisation the participant belongs to and speaks for, if any.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Where the participant works, when no organisation says so; may stay empty.
    #[serde(default)]
    pub region: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(groups: &[(StakeholderGroup, Tally)]) -> Results {
        let mut r = Results::default();
        for (g, t) in groups {
            for stance in crate::Stance::ALL {
                r.total.add(stance, t.count(stance));
            }
            r.by_group.push(GroupTally {
                group: Some(*g),
                tally: *t,
            });
        }
        r
    }

    fn tally(endorse: u64, oppose: u64, abstain: u64) -> Tally {
        Tally {
            endorse,
            endorse_with_reservation: 0,
            oppose,
            abstain,
        }
    }

    #[test]
    fn a_large_group_carries_a_majority_of_all_but_not_every_house() {
        // Government is numerous and endorses; civil society opposes.
        let r = results(&[
            (StakeholderGroup::Government, tally(30, 0, 0)),
            (StakeholderGroup::CivilSociety, tally(2, 8, 0)),
        ]);
        let all = chambered(&r, Rule::Majority, false);
        assert!(all.carried);
        let houses = chambered(&r, Rule::EveryHouse, false);
        assert!(!houses.carried, "civil society's house did not carry");
        let civil = houses
            .houses
            .iter()
            .find(|h| h.group == StakeholderGroup::CivilSociety);
        assert_eq!(civil.and_then(|h| h.carried), Some(false));
        let academia = houses
            .houses
            .iter()
            .find(|h| h.group == StakeholderGroup::Academia);
        assert_eq!(
            academia.and_then(|h| h.carried),
            None,
            "no positions, no verdict"
        );
    }

    #[test]
    fn abstentions_count_against_only_when_the_round_says_so() {
        let r = results(&[(StakeholderGroup::Academia, tally(3, 1, 3))]);
        assert!(chambered(&r, Rule::EveryHouse, false).carried);
        assert!(!chambered(&r, Rule::EveryHouse, true).carried);
        assert!(!chambered(&Results::default(), Rule::EveryHouse, false).carried);
    }

    const DAY: i64 = 24 * 3600 * 1000;

    fn schedule(c: Option<i64>, v: Option<i64>, cl: Option<i64>) -> Schedule {
        Schedule {
            commenting_at_ms: c,
            voting_at_ms: v,
            closing_at_ms: cl,
        }
    }

    #[test]
    fn a_due_change_moves_the_round_on_and_never_back() {
        let s = schedule(Some(DAY), Some(2 * DAY), Some(3 * DAY));
        assert_eq!(s.effective_phase(Phase::Draft, 0), Phase::Draft);
        assert_eq!(s.effective_phase(Phase::Draft, DAY), Phase::Commenting);
        assert_eq!(s.effective_phase(Phase::Draft, 2 * DAY + 1), Phase::Voting);
        assert_eq!(s.effective_phase(Phase::Draft, 5 * DAY), Phase::Closed);
        assert_eq!(
            s.effective_phase(Phase::Published, 5 * DAY),
            Phase::Published
        );
        assert_eq!(
            s.next_change(Phase::Commenting, DAY),
            Some(PhaseChange {
                phase: Phase::Voting,
                at_ms: 2 * DAY
            })
        );
        assert_eq!(s.next_change(Phase::Closed, 4 * DAY), None);
    }

    #[test]
    fn a_schedule_must_lie_ahead_in_phase_order() {
        let now = 10 * DAY;
        assert!(
            schedule(Some(11 * DAY), None, Some(12 * DAY))
                .check(Phase::Draft, now)
                .is_ok()
        );
        let past = schedule(Some(9 * DAY), None, None).check(Phase::Draft, now);
        assert_eq!(past.unwrap_err()[0].code, "in_the_past");
        let order = schedule(None, Some(13 * DAY), Some(12 * DAY)).check(Phase::Draft, now);
        assert_eq!(order.unwrap_err()[0].code, "out_of_order");
        let reached = schedule(Some(11 * DAY), None, None).check(Phase::Voting, now);
        assert_eq!(reached.unwrap_err()[0].code, "reached");
    }

    #[test]
    fn a_round_moves_back_only_before_it_closes() {
        assert!(may_move(Phase::Draft, Phase::Voting));
        assert!(may_move(Phase::Voting, Phase::Commenting));
        assert!(may_move(Phase::Closed, Phase::Published));
        assert!(!may_move(Phase::Closed, Phase::Voting));
        assert!(!may_move(Phase::Published, Phase::Closed));
        assert!(!may_move(Phase::Voting, Phase::Voting));
    }

    #[test]
    fn the_whole_text_names_each_clause_added_changed_unchanged_or_removed() {
        let text = |k: &str, b: &str| (k.to_owned(), k.to_uppercase(), b.to_owned());
        let previous = vec![text("a", "same"), text("b", "old words"), text("c", "gone")];
        let current = vec![
            (1, "a".to_owned(), "A".to_owned(), "same".to_owned()),
            (2, "b".to_owned(), "B".to_owned(), "new words".to_owned()),
            (3, "d".to_owned(), "D".to_owned(), "fresh".to_owned()),
        ];
        let words = |b: &str| {
            b.split_inclusive(' ')
                .map(|w| Token::new(w, Default::default()))
                .collect()
        };
        let fates: Vec<(String, ClauseFate)> = text_redline(&previous, &current, words)
            .into_iter()
            .map(|c| (c.key, c.fate))
            .collect();
        assert_eq!(
            fates,
            [
                ("a".to_owned(), ClauseFate::Unchanged),
                ("b".to_owned(), ClauseFate::Changed),
                ("d".to_owned(), ClauseFate::Added),
                ("c".to_owned(), ClauseFate::Removed),
            ]
        );
    }
}

/// A language Concord's interface speaks, and so one a clause can be translated into and a
/// comment can be marked as written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
    Es,
    Ar,
}

wire_names!(Language { En => "en", Fr => "fr", Es => "es", Ar => "ar" });
wire_names!(ClauseFate {
    Added => "added",
    Changed => "changed",
    Unchanged => "unchanged",
    Removed => "removed",
});

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::Fr, Language::Es, Language::Ar];
}

/// The conveners' translation of a clause into one language. The original stays authoritative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseTranslation {
    pub language: Language,
    pub title: String,
    /// Markdown, for editing.
    pub body_md: String,
    /// Rendered and cleaned like the original.
    pub body_html: String,
    /// The original's title or wording changed after this translation was saved.
    pub outdated: bool,
}

/// Body of `PUT …/clauses/{key}/translations/{language}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranslationEdit {
    pub title: String,
    /// Markdown.
    pub body_md: String,
}

impl TranslationEdit {
    /// Checks title and body; returns them trimmed.
    pub fn check(&self) -> Result<(String, String), Vec<FieldError>> {
        use crate::rules::{BODY_MAX, TITLE_MAX, check_text};
        let title = check_text(
            "title",
            &self.title,
            TITLE_MAX,
            "Translate the clause's title.",
        );
        let body = check_text(
            "body_md",
            &self.body_md,
            BODY_MAX,
            "Translate the clause's text.",
        );
        match (title, body) {
            (Ok(t), Ok(b)) => Ok((t, b)),
            (t, b) => Err([t.err(), b.err()].into_iter().flatten().collect()),
        }
    }
}
