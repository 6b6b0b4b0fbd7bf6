//! The conveners' inclusion dashboard: who takes part in a consultation, from which stakeholder
//! groups and regions, how far each group gets from invitation to positions, and when.

use super::StoreError;
use super::{Store, count, parse_phase, participation::parse_group};
use shared::{Dashboard, Funnel, GroupCount, Phase, PhaseActivity, RegionCount, StakeholderGroup};

/// Counts keyed by a stored stakeholder group, as `(group, count)` rows.
fn by_group(rows: Vec<(String, i64)>) -> Result<Vec<GroupCount>, StoreError> {
    let mut counts: Vec<GroupCount> = rows
        .into_iter()
        .map(|(group, n)| {
            Ok(GroupCount {
                group: match group.as_str() {
                    "" => None,
                    g => Some(parse_group(g)?),
                },
                count: count(n),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    counts.sort_by_key(|c| {
        c.group.map_or(StakeholderGroup::ALL.len(), |g| {
            StakeholderGroup::ALL
                .iter()
                .position(|x| *x == g)
                .unwrap_or(0)
        })
    });
    Ok(counts)
}

fn by_region(rows: Vec<(String, i64)>) -> Vec<RegionCount> {
    let mut counts: Vec<RegionCount> = rows
        .into_iter()
        .map(|(region, n)| RegionCount {
            region,
            count: count(n),
        })
        .collect();
    counts.sort_by(|a, b| (a.region.is_empty(), &a.region).cmp(&(b.region.is_empty(), &b.region)));
    counts
}

/// The count for `group` among `(group, count)` rows.
fn count_of(rows: &[(String, i64)], group: StakeholderGroup) -> u64 {
    rows.iter()
        .find(|(g, _)| g == group.as_str())
        .map_or(0, |(_, n)| count(*n))
}

impl Store {
    async fn pairs(&self, sql: &str, id: i64) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(sql).bind(id).fetch_all(&self.pool).await?)
    }

    /// The inclusion dashboard of a consultation.
    pub async fn dashboard(&self, consultation_id: i64) -> Result<Dashboard, StoreError> {
        let region = "CASE WHEN o.id IS NULL THEN p.region ELSE o.region END";
        let participants_by_group = self
            .pairs(
                "SELECT stakeholder_group, COUNT(*) FROM participants WHERE consultation_id = $1 \
                 GROUP BY stakeholder_group",
                consultation_id,
            )
            .await?;
        let participants_by_region = self
            .pairs(
                &format!(
                    "SELECT {region} AS region, COUNT(*) FROM participants p \
                     LEFT JOIN organisations o ON o.id = p.organisation_id \
                     WHERE p.consultation_id = $1 GROUP BY {region}"
                ),
                consultation_id,
            )
            .await?;
        let organisations_by_group = self
            .pairs(
                "SELECT o.stakeholder_group, COUNT(DISTINCT o.id) FROM participants p \
                 JOIN organisations o ON o.id = p.organisation_id WHERE p.consultation_id = $1 \
                 GROUP BY o.stakeholder_group",
                consultation_id,
            )
            .await?;
        let organisations_by_region = self
            .pairs(
                "SELECT o.region, COUNT(DISTINCT o.id) FROM participants p \
                 JOIN organisations o ON o.id = p.organisation_id WHERE p.consultation_id = $1 \
                 GROUP BY o.region",
                consultation_id,
            )
            .await?;
        let invited = self
            .pairs(
                "SELECT stakeholder_group, COUNT(*) FROM invitations \
                 WHERE consultation_id = $1 AND revoked_at_ms IS NULL GROUP BY stakeholder_group",
                consultation_id,
            )
            .await?;
        let active = |table: &str| {
            format!(
                "SELECT p.stakeholder_group, COUNT(*) FROM participants p \
                 WHERE p.consultation_id = $1 AND EXISTS (SELECT 1 FROM {table} w \
                   JOIN clauses k ON k.id = w.clause_id JOIN rounds r ON r.id = k.round_id \
                   WHERE r.consultation_id = $1 AND w.account_id = p.account_id) \
                 GROUP BY p.stakeholder_group"
            )
        };
        let commented = self.pairs(&active("comments"), consultation_id).await?;
        let positioned = self
            .pairs(&active("position_changes"), consultation_id)
            .await?;
        let funnel = StakeholderGroup::ALL
            .into_iter()
            .map(|group| Funnel {
                group,
                invited: count_of(&invited, group),
                joined: count_of(&participants_by_group, group),
                commented: count_of(&commented, group),
                took_positions: count_of(&positioned, group),
            })
            .collect();

        let newest = self.rounds_of(consultation_id).await?.into_iter().next();
        let mut activity = Vec::new();
        if let Some(round) = &newest {
            let written = |table: &str| {
                format!(
                    "SELECT w.phase, COUNT(*) FROM {table} w JOIN clauses k ON k.id = w.clause_id \
                     WHERE k.round_id = $1 GROUP BY w.phase"
                )
            };
            let comments = self.pairs(&written("comments"), round.id).await?;
            let positions = self.pairs(&written("position_changes"), round.id).await?;
            let people = self
                .pairs(
                    "SELECT a.phase, COUNT(DISTINCT a.account_id) FROM ( \
                       SELECT m.phase, m.account_id FROM comments m \
                         JOIN clauses k ON k.id = m.clause_id WHERE k.round_id = $1 \
                       UNION ALL \
                       SELECT h.phase, h.account_id FROM position_changes h \
                         JOIN clauses k ON k.id = h.clause_id WHERE k.round_id = $1 \
                     ) AS a GROUP BY a.phase",
                    round.id,
                )
                .await?;
            let of = |rows: &[(String, i64)], phase: Phase| {
                rows.iter()
                    .find(|(p, _)| parse_phase(p).ok() == Some(phase))
                    .map_or(0, |(_, n)| count(*n))
            };
            for phase in [Phase::Commenting, Phase::Voting] {
                activity.push(PhaseActivity {
                    phase,
                    participants: of(&people, phase),
                    comments: of(&comments, phase),
                    positions: of(&positions, phase),
                });
            }
        }
        Ok(Dashboard {
            participants_by_group: by_group(participants_by_group)?,
            participants_by_region: by_region(participants_by_region),
            organisations_by_group: by_group(organisations_by_group)?,
            organisations_by_region: by_region(organisations_by_region),
            funnel,
            round: newest.map(|r| r.slug),
            activity,
        })
    }
}
