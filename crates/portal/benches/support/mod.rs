//! Shared by the portal's benchmarks: a school of students with badges.

use badgein_portal::{NewUser, Portal, Role};

/// Adds `count` students `stu0`, `stu1`, ... (family name `family`) to school `school` and
/// returns their badges' payloads, in order.
pub async fn students_with_badges(
    portal: &Portal,
    school: &str,
    family: &str,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let mut badges = Vec::with_capacity(count);
    for i in 0..count {
        let id = format!("stu{i}");
        portal
            .add_user(&NewUser {
                id: id.clone().into(),
                school_id: school.into(),
                role: Role::Student,
                username: id.clone(),
                given_name: format!("Kid{i}"),
                family_name: family.into(),
                locale: "en".into(),
                email: None,
                grade: None,
            })
            .await?;
        badges.push(portal.issue_badge(&id, None).await?.encode());
    }
    Ok(badges)
}
