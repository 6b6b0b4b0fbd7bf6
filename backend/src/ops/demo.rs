//! The demo consultation: a review of a multistakeholder declaration modelled on the nine
//! principles of the Paris Call for Trust and Security in Cyberspace (principle titles as clause
//! titles, bodies in Concord's own words), with a closed 2018 round and a 2019 round in its voting
//! phase, a few pseudonymous participants, comments and positions.

use crate::store::StoreError;
use crate::store::{ClauseText, Store, now_ms};
use rand::RngCore;
use shared::{Language, Phase, StakeholderGroup, Stance};

/// Slug of the demo consultation.
pub const SLUG: &str = "paris-call";

const TITLE: &str = "Paris Call for Trust and Security in Cyberspace — annual review";
const DESCRIPTION: &str = "Nine principles for a safe, open and peaceful cyberspace, endorsed by \
governments, companies and civil society organisations and reviewed by them every year. Comment \
on each principle and say whether you endorse it.";

/// (key, title, 2018 wording, 2019 wording)
const PRINCIPLES: [(&str, &str, &str, &str); 9] = [
    (
        "protect-individuals",
        "Protect individuals and infrastructure",
        "Prevent and recover from malicious cyber activities that threaten or cause significant, \
         indiscriminate or systemic harm to individuals and critical infrastructure.",
        "Prevent and recover from malicious cyber activities that threaten or cause significant, \
         indiscriminate or systemic harm to **individuals** and critical infrastructure, \
         including hospitals and other health services.",
    ),
    (
        "protect-internet",
        "Protect the Internet",
        "Prevent activity that intentionally and substantially damages the general availability or \
         integrity of the public core of the Internet.",
        "Prevent activity that intentionally and substantially damages the general availability or \
         integrity of the public core of the Internet.",
    ),
    (
        "electoral-processes",
        "Defend electoral processes",
        "Strengthen our capacity to prevent malign interference by foreign actors aimed at \
         undermining electoral processes through malicious cyber activities.",
        "Strengthen our capacity to prevent malign interference by any actor aimed at undermining \
         electoral processes through malicious cyber activities.",
    ),
    (
        "intellectual-property",
        "Defend intellectual property",
        "Prevent cyber-enabled theft of intellectual property, including trade secrets or other \
         confidential business information, with the intent of providing competitive advantages.",
        "Prevent cyber-enabled theft of intellectual property, including trade secrets or other \
         confidential business information, with the intent of providing competitive advantages.",
    ),
    (
        "non-proliferation",
        "Non-proliferation",
        "Develop ways to prevent the proliferation of malicious software and practices intended \
         to cause harm.",
        "Develop ways to prevent the proliferation of malicious software and practices intended \
         to cause harm, including the trade in intrusion tools sold to those who abuse them.",
    ),
    (
        "lifecycle-security",
        "Lifecycle security",
        "Strengthen the security of digital processes, products and services, throughout their \
         lifecycle and supply chain.",
        "Strengthen the security of digital processes, products and services, throughout their \
         lifecycle and supply chain.",
    ),
    (
        "cyber-hygiene",
        "Cyber hygiene",
        "Support efforts to strengthen an advanced cyber hygiene for all actors.",
        "Support efforts to strengthen an advanced cyber hygiene for all actors, with training \
         and tools that small organisations can afford.",
    ),
    (
        "no-private-hack-back",
        "No private hack back",
        "Take steps to prevent non-State actors, including the private sector, from hacking back, \
         for their own purposes or those of other non-State actors.",
        "Take steps to prevent non-State actors, including the private sector, from hacking back, \
         for their own purposes or those of other non-State actors.",
    ),
    (
        "international-norms",
        "International norms",
        "Promote the widespread acceptance and implementation of international norms of \
         responsible behaviour as well as confidence-building measures in cyberspace.",
        "Promote the widespread acceptance and implementation of international norms of \
         responsible behaviour as well as confidence-building measures in cyberspace.",
    ),
];

/// Demo participants: pseudonymous handles only.
/// (handle, stakeholder group, region)
/// The first principle's 2019 wording in the interface's other languages, as a convener would
/// give it: (language, title, body).
const TRANSLATIONS: [(Language, &str, &str); 3] = [
    (
        Language::Fr,
        "Protéger les individus et les infrastructures",
        "Prévenir les activités malveillantes en ligne qui menacent les **individus** et les \
         infrastructures critiques ou leur causent des dommages importants, aveugles ou \
         systémiques, y compris les hôpitaux et les autres services de santé, et y remédier.",
    ),
    (
        Language::Es,
        "Proteger a las personas y las infraestructuras",
        "Prevenir las actividades cibernéticas maliciosas que amenacen o causen daños \
         significativos, indiscriminados o sistémicos a las **personas** y a las \
         infraestructuras críticas, incluidos los hospitales y otros servicios de salud, y \
         recuperarse de ellas.",
    ),
    (
        Language::Ar,
        "حماية الأفراد والبنية التحتية",
        "منع الأنشطة السيبرانية الخبيثة التي تهدد **الأفراد** والبنية التحتية الحيوية أو تلحق \
         بها ضرراً كبيراً أو عشوائياً أو منهجياً، بما في ذلك المستشفيات وسائر الخدمات الصحية، \
         والتعافي منها.",
    ),
];

const PARTICIPANTS: [(&str, StakeholderGroup, &str); 4] = [
    ("amina-k", StakeholderGroup::CivilSociety, "Western Africa"),
    (
        "digital-rights-lab",
        StakeholderGroup::CivilSociety,
        "Eastern Africa",
    ),
    (
        "netops-joe",
        StakeholderGroup::TechnicalCommunity,
        "Northern America",
    ),
    (
        "policy-wonk",
        StakeholderGroup::Government,
        "Western Europe",
    ),
];

/// (round, participant, clause key, comment)
const COMMENTS: [(&str, &str, &str, &str); 5] = [
    (
        "2018",
        "digital-rights-lab",
        "protect-individuals",
        "Civil society was not in the room when this was drafted. We endorse it, with the \
         reservation that 'individuals' must include journalists and activists targeted by states.",
    ),
    (
        "2019",
        "amina-k",
        "protect-individuals",
        "Naming health services is welcome. Could the text also name the people who defend \
         human rights online?",
    ),
    (
        "2019",
        "netops-joe",
        "protect-internet",
        "The 'public core' should be defined: DNS root, routing, and the trust anchors we all \
         depend on.",
    ),
    (
        "2019",
        "policy-wonk",
        "non-proliferation",
        "The new wording on intrusion tools is a real step. Export controls alone will not do it.",
    ),
    (
        "2019",
        "digital-rights-lab",
        "electoral-processes",
        "Interference is not only foreign. Glad to see 'any actor' this year.",
    ),
];

/// (round, participant, clause key, stance, reason)
const POSITIONS: [(&str, &str, &str, Stance, Option<&str>); 7] = [
    (
        "2018",
        "digital-rights-lab",
        "protect-individuals",
        Stance::EndorseWithReservation,
        Some("Individuals at risk are not named."),
    ),
    (
        "2018",
        "netops-joe",
        "protect-internet",
        Stance::Endorse,
        None,
    ),
    (
        "2018",
        "policy-wonk",
        "no-private-hack-back",
        Stance::Endorse,
        None,
    ),
    (
        "2019",
        "amina-k",
        "protect-individuals",
        Stance::Endorse,
        None,
    ),
    (
        "2019",
        "netops-joe",
        "protect-individuals",
        Stance::Endorse,
        None,
    ),
    (
        "2019",
        "policy-wonk",
        "non-proliferation",
        Stance::EndorseWithReservation,
        Some("Export controls need civil society oversight."),
    ),
    (
        "2019",
        "digital-rights-lab",
        "intellectual-property",
        Stance::Abstain,
        None,
    ),
];

/// Loads the demo consultation unless it is already there. Returns whether it loaded anything.
pub async fn load(store: &Store) -> Result<bool, StoreError> {
    let (consultation_id, new) = store.ensure_consultation(SLUG, TITLE, DESCRIPTION).await?;
    if !new {
        return Ok(false);
    }
    let year_ms = 365 * 24 * 3600 * 1000;
    for (round, title, opened, wording) in [
        ("2018", "2018 review", now_ms() - year_ms, 2),
        ("2019", "2019 review", now_ms(), 3),
    ] {
        let clauses: Vec<ClauseText<'_>> = PRINCIPLES
            .iter()
            .zip(1..)
            .map(|(p, number)| ClauseText {
                key: p.0,
                number,
                title: p.1,
                body_md: if wording == 2 { p.2 } else { p.3 },
            })
            .collect();
        store
            .add_round(
                consultation_id,
                round,
                title,
                Phase::Voting,
                opened,
                &clauses,
            )
            .await?;
    }

    let mut accounts = Vec::new();
    for (handle, group, region) in PARTICIPANTS {
        // Demo participants cannot sign in: their password is random and never shown.
        let mut secret = [0u8; 24];
        rand::rng().fill_bytes(&mut secret);
        let hash = crate::hashing::hash_password(format!("{secret:?}")).await?;
        let id = store.create_account(handle, &hash).await?;
        store
            .join_consultation(consultation_id, id, group, None, region)
            .await?;
        accounts.push((handle, id));
    }
    let account = |handle: &str| {
        accounts
            .iter()
            .find(|(h, _)| *h == handle)
            .map(|(h, id)| crate::store::Account {
                id: *id,
                handle: (*h).to_owned(),
                role: crate::store::PARTICIPANT.to_owned(),
            })
            .ok_or_else(|| StoreError::Corrupt(format!("demo participant {handle} missing")))
    };
    let clause = async |round: &str, key: &str| {
        store
            .clause(SLUG, round, key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("demo clause {round}/{key} missing")))
    };
    for (round, who, key, body) in COMMENTS {
        store
            .add_comment(
                clause(round, key).await?.id,
                &account(who)?,
                &shared::NewComment {
                    body: body.to_owned(),
                    parent_id: None,
                    passage: None,
                    language: Some(Language::En),
                },
                Phase::Voting,
            )
            .await?;
    }
    for (round, who, key, stance, reason) in POSITIONS {
        store
            .cast_position(&clause(round, key).await?, account(who)?.id, stance, reason)
            .await?;
    }
    let round = store
        .round_row(consultation_id, "2019")
        .await?
        .ok_or_else(|| StoreError::Corrupt("demo round 2019 missing".into()))?;
    let first = clause("2019", PRINCIPLES[0].0).await?;
    for (language, title, body) in TRANSLATIONS {
        store
            .translate(&round, &first, language, Some((title, body)), None)
            .await?;
    }
    store.set_phase(SLUG, "2018", Phase::Closed).await?;
    Ok(true)
}
