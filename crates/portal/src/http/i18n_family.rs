//! The sentences of the parents' pages, in English and Spanish: claiming a parent's account
//! (`/claim/parent`) and "My children" (`/family`); `i18n::Strings` points at them. The date,
//! number and password sentences are the student claim's (`i18n_accounts`).

/// The parent's claim page.
#[derive(Debug)]
pub struct ParentClaimPage {
    pub title: &'static str,
    pub intro: &'static str,
    /// The link on the login page and the student claim page.
    pub link: &'static str,
    pub account: &'static str,
    pub account_hint: &'static str,
    pub child_number: &'static str,
    pub child_number_hint: &'static str,
    pub child_birth_date: &'static str,
    pub submit: &'static str,
    pub account_missing: &'static str,
    pub child_number_missing: &'static str,
    /// The one answer for every claim that matches no parent's account waiting to be claimed.
    pub no_match: &'static str,
}

/// "My children".
#[derive(Debug)]
pub struct FamilyPage {
    pub title: &'static str,
    pub intro: &'static str,
    pub no_children: &'static str,
    /// Before the class titles.
    pub classes: &'static str,
    pub no_class: &'static str,
    pub badge_works: &'static str,
    pub no_badge: &'static str,
    pub badge_lost: &'static str,
    /// What the button does, read with it.
    pub badge_lost_hint: &'static str,
    /// After "Badge lost": the child's name, then this.
    pub badge_stopped: &'static str,
    pub apps: &'static str,
    pub no_apps: &'static str,
    pub parents_only: &'static str,
    /// Before the username: what the parent types at `/login` next time.
    pub username: &'static str,
    pub not_your_child: &'static str,
    pub form_expired: &'static str,
}

pub const PARENT_CLAIM_EN: ParentClaimPage = ParentClaimPage {
    title: "Claim your parent account",
    intro: "Parents and guardians: answer with what the school has on file about you and your child, then choose your password. You do this once; after that you sign in with your username, shown on your children's page, and your password.",
    link: "Parent or guardian? Claim your account",
    account: "Your email address or parent number",
    account_hint: "The one the school has on file for you.",
    child_number: "Your child's student number",
    child_number_hint: "Spaces do not matter.",
    child_birth_date: "Your child's date of birth",
    submit: "Claim my parent account",
    account_missing: "Type your email address or your parent number.",
    child_number_missing: "Type your child's student number.",
    no_match: "No parent account waiting to be claimed matches these answers. Check each one; if they are right, ask the school office (an account is claimed only once).",
};

pub const PARENT_CLAIM_ES: ParentClaimPage = ParentClaimPage {
    title: "Activa tu cuenta de padre o madre",
    intro: "Padres, madres y tutores: responde con los datos que tiene la escuela sobre ti y tu hijo o hija, y luego elige tu contraseña. Se hace una sola vez; después entras con tu usuario, que aparece en la página de tus hijos, y tu contraseña.",
    link: "¿Eres padre, madre o tutor? Activa tu cuenta",
    account: "Tu correo electrónico o número de padre o madre",
    account_hint: "El que tiene la escuela en sus datos.",
    child_number: "Número de estudiante de tu hijo o hija",
    child_number_hint: "Los espacios no importan.",
    child_birth_date: "Fecha de nacimiento de tu hijo o hija",
    submit: "Activar mi cuenta de padre o madre",
    account_missing: "Escribe tu correo electrónico o tu número de padre o madre.",
    child_number_missing: "Escribe el número de estudiante de tu hijo o hija.",
    no_match: "Ninguna cuenta de padre o madre por activar coincide con estas respuestas. Revisa cada una; si son correctas, pregunta en la oficina de la escuela (una cuenta se activa una sola vez).",
};

pub const FAMILY_EN: FamilyPage = FamilyPage {
    title: "My children",
    intro: "Whether each child's sign-in badge works. If a badge is lost, stop it here at once; the school prints a new one.",
    no_children: "No children are linked to your account; ask the school office.",
    classes: "Class:",
    no_class: "No class yet.",
    badge_works: "Badge works",
    no_badge: "No working badge",
    badge_lost: "Badge lost",
    badge_lost_hint: "Stops this child's badge at once and signs out wherever it was used.",
    badge_stopped: "'s badge no longer works. Ask the school for a new one.",
    apps: "Apps from the school",
    no_apps: "The school has no apps for parents yet.",
    parents_only: "This page is for parents and guardians.",
    username: "Your username for signing in:",
    not_your_child: "This child is not linked to your account. Nothing was changed.",
    form_expired: "This form is out of date. Open My children again and retry.",
};

pub const FAMILY_ES: FamilyPage = FamilyPage {
    title: "Mis hijos",
    intro: "Si la tarjeta de acceso de cada hijo o hija funciona. Si se pierde una tarjeta, desactívala aquí al momento; la escuela imprime una nueva.",
    no_children: "No hay hijos vinculados a tu cuenta; pregunta en la oficina de la escuela.",
    classes: "Clase:",
    no_class: "Todavía sin clase.",
    badge_works: "La tarjeta funciona",
    no_badge: "Ninguna tarjeta funciona",
    badge_lost: "Tarjeta perdida",
    badge_lost_hint: "Desactiva al momento la tarjeta de este hijo o hija y cierra la sesión donde se usó.",
    badge_stopped: ": su tarjeta ya no funciona. Pide una nueva a la escuela.",
    apps: "Aplicaciones de la escuela",
    no_apps: "La escuela todavía no tiene aplicaciones para padres.",
    parents_only: "Esta página es para padres, madres y tutores.",
    username: "Tu usuario para iniciar sesión:",
    not_your_child: "Este niño o niña no está vinculado a tu cuenta. No se cambió nada.",
    form_expired: "Este formulario está caducado. Abre Mis hijos otra vez e inténtalo de nuevo.",
};
