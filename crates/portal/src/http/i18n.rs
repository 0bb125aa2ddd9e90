//! The portal pages' sentences in English and Spanish. One struct per language, so a missing
//! translation is a compile error.

use super::i18n_accounts::{CLAIM_EN, CLAIM_ES, PASSWORD_EN, PASSWORD_ES};
pub use super::i18n_accounts::{ClaimPage, PasswordText};
use super::i18n_family::{FAMILY_EN, FAMILY_ES, PARENT_CLAIM_EN, PARENT_CLAIM_ES};
pub use super::i18n_family::{FamilyPage, ParentClaimPage};
use crate::apps::registration::OIDC_SCOPES;
use crate::roles::Role;

#[derive(Debug)]
pub struct Strings {
    pub lang: &'static str,
    pub hello: &'static str,
    pub your_apps: &'static str,
    pub no_apps: &'static str,
    pub sign_out: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub save: &'static str,
    pub password_changed: &'static str,
    pub sign_in_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub wrong_login: &'static str,
    pub locked: &'static str,
    pub disabled: &'static str,
    pub unavailable: &'static str,
    pub link_expired: &'static str,
    pub not_found: &'static str,
    /// An app sent the browser here with a sign-in request that is not its own (unknown app,
    /// unregistered return address): shown instead of going back to it.
    pub bad_app_link: &'static str,
    pub bad_password_change: &'static str,
    /// An app asked to sign the user out (RP-initiated logout) without proving which
    /// session: the question, and its two answers.
    pub sign_out_question: &'static str,
    pub stay_signed_in: &'static str,
    pub signed_out: &'static str,
    pub teach: &'static Teach,
    /// The SAML sign-in pages (`http/saml.rs`).
    pub sso: &'static SsoPage,
    /// The staff second factor's pages and the lockout's time (`http/totp_text.rs`).
    pub totp: &'static super::totp_text::TotpText,
    /// Grade rules, fixed and temporary passwords, delegates (`http/accounts_i18n.rs`).
    pub accounts: &'static super::accounts_i18n::AccountStrings,
    /// Claiming an account (`http/claim.rs`).
    pub claim: &'static ClaimPage,
    /// Why a new password was refused.
    pub password_rules: &'static PasswordText,
    /// Claiming a parent's account (`http/claim_parent.rs`).
    pub parent_claim: &'static ParentClaimPage,
    /// "My children" (`http/family.rs`).
    pub family: &'static FamilyPage,
}

/// The SAML sign-in pages' sentences: the refusals and the form that posts to the app.
#[derive(Debug)]
pub struct SsoPage {
    /// The app's request could not be read (malformed, too large, ...).
    pub unreadable: &'static str,
    /// The user's school or role is not shown this app.
    pub not_shown: &'static str,
    /// The app matches people by e-mail address and the roster has none for the user.
    pub no_email: &'static str,
    /// Signed out, and the request too large to come back to after the login page.
    pub sign_in_first: &'static str,
    pub scripts_off: &'static str,
    pub continue_to_app: &'static str,
}

/// The teacher pages' sentences.
#[derive(Debug)]
pub struct Teach {
    pub my_classes: &'static str,
    pub kiosks: &'static str,
    pub my_apps: &'static str,
    pub teachers_only: &'static str,
    pub not_yours: &'static str,
    pub form_expired: &'static str,
    pub no_classes: &'static str,
    pub class: &'static str,
    pub students: &'static str,
    pub name: &'static str,
    pub badge: &'static str,
    pub issued: &'static str,
    pub works_until: &'static str,
    pub no_badge: &'static str,
    pub password_sign_in: &'static str,
    pub locked_out: &'static str,
    pub password_ok: &'static str,
    pub actions: &'static str,
    pub print_labels: &'static str,
    pub print_cards: &'static str,
    pub print_note: &'static str,
    pub no_students: &'static str,
    pub reprint: &'static str,
    pub print_one: &'static str,
    pub print_missing: &'static str,
    pub void: &'static str,
    pub unlock: &'static str,
    pub void_title: &'static str,
    pub void_text: &'static str,
    pub void_yes: &'static str,
    pub cancel: &'static str,
    pub voided: &'static str,
    pub unlocked: &'static str,
    pub revoked_done: &'static str,
    pub no_kiosks: &'static str,
    pub enrolled: &'static str,
    pub last_sign_in: &'static str,
    pub never: &'static str,
    pub status: &'static str,
    pub working: &'static str,
    pub revoked: &'static str,
    pub new_code: &'static str,
    pub code_title: &'static str,
    pub code_help: &'static str,
    /// After a count of 1; `code_minutes` after any other (see [`plural`]).
    pub code_minute: &'static str,
    pub code_minutes: &'static str,
    pub revoke: &'static str,
    pub revoke_title: &'static str,
    pub revoke_text: &'static str,
    pub revoke_yes: &'static str,
    /// The administrators' apps page (`http/teacher/apps.rs`).
    pub apps: &'static AppsPage,
}

/// The apps page's sentences.
#[derive(Debug)]
pub struct AppsPage {
    pub title: &'static str,
    pub administrators_only: &'static str,
    pub none: &'static str,
    pub url: &'static str,
    pub kind: &'static str,
    pub link: &'static str,
    pub shown_to: &'static str,
    pub every_role: &'static str,
    pub elsewhere: &'static str,
    pub add_title: &'static str,
    pub add_help: &'static str,
    pub roles_help: &'static str,
    pub redirects: &'static str,
    pub redirects_help: &'static str,
    pub backchannel: &'static str,
    pub pairwise: &'static str,
    pub public_client: &'static str,
    pub public_help: &'static str,
    pub scopes: &'static str,
    pub scopes_help: &'static str,
    /// The checkboxes' labels: `profile`, `email`, `school`.
    pub scope_labels: [&'static str; 3],
    /// The checkboxes' labels: students, teachers, administrators, other staff, guardians.
    pub role_labels: [&'static str; 5],
    pub id_token_alg: &'static str,
    pub id_token_alg_help: &'static str,
    pub public_kind: &'static str,
    pub public_registered: &'static str,
    pub no_secret: &'static str,
    pub entity_id: &'static str,
    pub acs: &'static str,
    pub add: &'static str,
    pub remove: &'static str,
    pub new_secret: &'static str,
    pub refused: &'static str,
    pub removed: &'static str,
    pub secret_title: &'static str,
    pub secret_help: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
}

impl AppsPage {
    /// The checkbox label of `role`.
    pub fn role(&self, role: Role) -> &'static str {
        let [student, teacher, administrator, other, guardian] = self.role_labels;
        match role {
            Role::Student => student,
            Role::Teacher => teacher,
            Role::Administrator => administrator,
            Role::Other => other,
            Role::Guardian => guardian,
        }
    }

    /// The checkbox label of `scope` (one of `OIDC_SCOPES`; the name itself otherwise).
    pub fn scope(&self, scope: &'static str) -> &'static str {
        OIDC_SCOPES
            .iter()
            .position(|s| *s == scope)
            .map_or(scope, |i| self.scope_labels[i])
    }
}

pub const EN: Strings = Strings {
    lang: "en",
    hello: "Hi",
    your_apps: "Your apps",
    no_apps: "No apps yet.",
    sign_out: "Sign out",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password (at least 8 characters)",
    save: "Save",
    password_changed: "Password changed. You were signed out everywhere else.",
    sign_in_title: "Sign in",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    wrong_login: "Wrong username or password.",
    locked: "Too many tries. Please wait a few minutes or ask your teacher.",
    disabled: "This account is turned off. Please ask your teacher.",
    unavailable: "The portal cannot answer right now. Please try again soon.",
    link_expired: "This sign-in link has expired or was already used. Please sign in again.",
    not_found: "This page does not exist.",
    bad_app_link: "This app's sign-in link is not valid. Please tell your teacher.",
    bad_password_change: "The password was not changed. Check the current password; the new one needs at least 8 characters.",
    sign_out_question: "An app asks to sign you out of BadgeIn. Sign out?",
    stay_signed_in: "Stay signed in",
    signed_out: "You are signed out.",
    teach: &TEACH_EN,
    sso: &SSO_EN,
    totp: &super::totp_text::EN,
    accounts: &super::accounts_i18n::EN,
    claim: &CLAIM_EN,
    password_rules: &PASSWORD_EN,
    parent_claim: &PARENT_CLAIM_EN,
    family: &FAMILY_EN,
};

const SSO_EN: SsoPage = SsoPage {
    unreadable: "This app's sign-in request could not be read. Please tell your teacher.",
    not_shown: "This app is not available to you.",
    no_email: "This app signs you in with your e-mail address, and the school's records have none for you. Please ask the school office to add it.",
    sign_in_first: "Sign in to BadgeIn, then open the app again.",
    scripts_off: "Scripts are off: press the button to continue.",
    continue_to_app: "Continue",
};

const APPS_EN: AppsPage = AppsPage {
    title: "Apps",
    administrators_only: "This page is for the school's administrators, signed in with their password.",
    none: "No apps yet.",
    url: "Link",
    kind: "Kind",
    link: "Link only",
    shown_to: "Shown to",
    every_role: "everyone",
    elsewhere: "Not an app of this school alone: the district changes it with the badgein-portal command.",
    add_title: "Add an app",
    add_help: "The app is shown on the dashboards of this school. Links must start with https://.",
    roles_help: "None ticked: everyone.",
    redirects: "OpenID Connect redirect URIs",
    redirects_help: "One a line, exactly as the app sends them; empty for a plain link.",
    backchannel: "Back-channel logout URI",
    pairwise: "A different user id for this app (pairwise)",
    public_client: "A public client: no secret (a single-page or phone app)",
    public_help: "For an app that runs entirely in the browser or on a device and cannot keep a secret. It must use PKCE (S256).",
    scopes: "What it may learn (OpenID Connect scopes)",
    scopes_help: "For an OpenID Connect app. None ticked: the names alone. Release no more than the app needs: these are children.",
    scope_labels: ["Names", "E-mail address", "Role, school and grade"],
    role_labels: [
        "Students",
        "Teachers",
        "Administrators",
        "Other staff",
        "Parents and guardians",
    ],
    id_token_alg: "ID token signature",
    id_token_alg_help: "RS256 unless the app asks for ES256; most school apps accept RS256 only.",
    public_kind: "public client",
    public_registered: "The app is a public client: it has no secret. Put this client id in its settings; it must use PKCE (S256).",
    no_secret: "This app is a public client: it has no secret.",
    entity_id: "SAML entity id",
    acs: "SAML ACS URL",
    add: "Add the app",
    remove: "Remove",
    new_secret: "New secret",
    refused: "The app was not added",
    removed: "The app was removed.",
    secret_title: "The app's secret",
    secret_help: "Copy the secret into the app's settings now: it is shown this once. An older secret no longer works.",
    client_id: "Client id",
    client_secret: "Client secret",
};

const APPS_ES: AppsPage = AppsPage {
    title: "Aplicaciones",
    administrators_only: "Esta página es para los administradores de la escuela que entraron con su contraseña.",
    none: "Todavía no hay aplicaciones.",
    url: "Enlace",
    kind: "Tipo",
    link: "Solo enlace",
    shown_to: "Se muestra a",
    every_role: "todos",
    elsewhere: "No es una aplicación solo de esta escuela: el distrito la cambia con el comando badgein-portal.",
    add_title: "Añadir una aplicación",
    add_help: "La aplicación se muestra en los paneles de esta escuela. Los enlaces deben empezar con https://.",
    roles_help: "Ninguno marcado: todos.",
    redirects: "URI de redirección de OpenID Connect",
    redirects_help: "Una por línea, exactamente como la envía la aplicación; vacío para un enlace simple.",
    backchannel: "URI de cierre de sesión por canal trasero",
    pairwise: "Un identificador de usuario distinto para esta aplicación (pairwise)",
    public_client: "Un cliente público: sin secreto (una aplicación de una sola página o de teléfono)",
    public_help: "Para una aplicación que funciona por completo en el navegador o en un dispositivo y no puede guardar un secreto. Debe usar PKCE (S256).",
    scopes: "Lo que puede saber (alcances de OpenID Connect)",
    scopes_help: "Para una aplicación de OpenID Connect. Ninguno marcado: solo los nombres. No dé más de lo que la aplicación necesita: son niños.",
    scope_labels: [
        "Nombres",
        "Dirección de correo electrónico",
        "Rol, escuela y grado",
    ],
    role_labels: [
        "Estudiantes",
        "Maestros",
        "Administradores",
        "Otro personal",
        "Padres y tutores",
    ],
    id_token_alg: "Firma del token de identidad",
    id_token_alg_help: "RS256, salvo que la aplicación pida ES256; la mayoría de las aplicaciones escolares solo aceptan RS256.",
    public_kind: "cliente público",
    public_registered: "La aplicación es un cliente público: no tiene secreto. Ponga este identificador de cliente en su configuración; debe usar PKCE (S256).",
    no_secret: "Esta aplicación es un cliente público: no tiene secreto.",
    entity_id: "Identificador de entidad SAML",
    acs: "URL ACS de SAML",
    add: "Añadir la aplicación",
    remove: "Quitar",
    new_secret: "Nuevo secreto",
    refused: "La aplicación no se añadió",
    removed: "La aplicación se quitó.",
    secret_title: "El secreto de la aplicación",
    secret_help: "Copie ahora el secreto en la configuración de la aplicación: se muestra solo esta vez. El secreto anterior ya no funciona.",
    client_id: "Id de cliente",
    client_secret: "Secreto de cliente",
};

const TEACH_EN: Teach = Teach {
    my_classes: "My classes",
    kiosks: "Kiosks",
    my_apps: "My apps",
    teachers_only: "These pages are for teachers. If you need a new badge, please ask your teacher.",
    not_yours: "This is not one of your classes, or not a kiosk of your school.",
    form_expired: "This form is out of date. Please go back, reload the page and try again.",
    no_classes: "You have no classes yet.",
    class: "Class",
    students: "Students",
    name: "Name",
    badge: "Badge",
    issued: "issued",
    works_until: "works until",
    no_badge: "No working badge",
    password_sign_in: "Password sign-in",
    locked_out: "Locked out",
    password_ok: "OK",
    actions: "Actions",
    print_labels: "Print badges for the class (labels)",
    print_cards: "Print cards",
    print_note: "Printing for the class gives every child a new badge; their old badges stop working.",
    no_students: "This class has no students to print badges for.",
    reprint: "Reprint",
    print_one: "Print badge",
    print_missing: "Print badges only for the children without one (labels)",
    void: "Void",
    unlock: "Unlock",
    void_title: "Void this badge?",
    void_text: "The badge stops working at once. You can print a new one at any time.",
    void_yes: "Yes, void the badge",
    cancel: "Cancel",
    voided: "The badge was voided.",
    unlocked: "Password sign-in is unlocked.",
    revoked_done: "The kiosk was revoked.",
    no_kiosks: "No kiosks yet.",
    enrolled: "Enrolled",
    last_sign_in: "Last sign-in",
    never: "never",
    status: "Status",
    working: "Working",
    revoked: "Revoked",
    new_code: "New enrollment code",
    code_title: "Enrollment code",
    code_help: "On the kiosk, open setup (Ctrl+Alt+Shift+T) and type this code. It works once.",
    code_minute: "minute left to use it",
    code_minutes: "minutes left to use it",
    revoke: "Revoke",
    revoke_title: "Revoke this kiosk?",
    revoke_text: "It stops signing children in at once. To use it again, enroll it with a new code.",
    revoke_yes: "Yes, revoke the kiosk",
    apps: &APPS_EN,
};

pub const ES: Strings = Strings {
    lang: "es",
    hello: "Hola",
    your_apps: "Tus aplicaciones",
    no_apps: "Todavía no hay aplicaciones.",
    sign_out: "Cerrar sesión",
    change_password: "Cambiar contraseña",
    current_password: "Contraseña actual",
    new_password: "Contraseña nueva (al menos 8 caracteres)",
    save: "Guardar",
    password_changed: "Contraseña cambiada. Se cerró tu sesión en los demás lugares.",
    sign_in_title: "Iniciar sesión",
    username: "Usuario",
    password: "Contraseña",
    sign_in: "Entrar",
    wrong_login: "Usuario o contraseña incorrectos.",
    locked: "Demasiados intentos. Espera unos minutos o pide ayuda a tu maestro.",
    disabled: "Esta cuenta está desactivada. Pide ayuda a tu maestro.",
    unavailable: "El portal no puede responder ahora. Inténtalo de nuevo pronto.",
    link_expired: "Este enlace de inicio ya caducó o ya se usó. Inicia sesión otra vez.",
    not_found: "Esta página no existe.",
    bad_app_link: "El enlace de inicio de esta aplicación no es válido. Avísale a tu maestro.",
    bad_password_change: "La contraseña no cambió. Revisa la contraseña actual; la nueva necesita al menos 8 caracteres.",
    sign_out_question: "Una aplicación pide cerrar tu sesión de BadgeIn. ¿Cerrar sesión?",
    stay_signed_in: "Seguir con la sesión",
    signed_out: "Cerraste sesión.",
    teach: &TEACH_ES,
    sso: &SSO_ES,
    totp: &super::totp_text::ES,
    accounts: &super::accounts_i18n::ES,
    claim: &CLAIM_ES,
    password_rules: &PASSWORD_ES,
    parent_claim: &PARENT_CLAIM_ES,
    family: &FAMILY_ES,
};

const SSO_ES: SsoPage = SsoPage {
    unreadable: "No se pudo leer la solicitud de inicio de esta aplicación. Avísale a tu maestro.",
    not_shown: "Esta aplicación no está disponible para ti.",
    no_email: "Esta aplicación te identifica por tu correo electrónico, y los registros de la escuela no tienen uno tuyo. Pide a la oficina de la escuela que lo agregue.",
    sign_in_first: "Inicia sesión en BadgeIn y luego abre la aplicación otra vez.",
    scripts_off: "Los scripts están desactivados: pulsa el botón para continuar.",
    continue_to_app: "Continuar",
};

const TEACH_ES: Teach = Teach {
    my_classes: "Mis clases",
    kiosks: "Quioscos",
    my_apps: "Mis aplicaciones",
    teachers_only: "Estas páginas son para maestros. Si necesitas una credencial nueva, pide ayuda a tu maestro.",
    not_yours: "Esta no es una de tus clases, o no es un quiosco de tu escuela.",
    form_expired: "Este formulario ya no es válido. Vuelve atrás, recarga la página e inténtalo de nuevo.",
    no_classes: "Todavía no tienes clases.",
    class: "Clase",
    students: "Alumnos",
    name: "Nombre",
    badge: "Credencial",
    issued: "emitida",
    works_until: "válida hasta",
    no_badge: "Sin credencial válida",
    password_sign_in: "Inicio con contraseña",
    locked_out: "Bloqueado",
    password_ok: "Bien",
    actions: "Acciones",
    print_labels: "Imprimir credenciales de la clase (etiquetas)",
    print_cards: "Imprimir tarjetas",
    print_note: "Al imprimir para la clase, cada alumno recibe una credencial nueva; las anteriores dejan de funcionar.",
    no_students: "Esta clase no tiene alumnos para imprimir credenciales.",
    reprint: "Reimprimir",
    print_one: "Imprimir credencial",
    print_missing: "Imprimir credenciales solo para los alumnos sin credencial (etiquetas)",
    void: "Anular",
    unlock: "Desbloquear",
    void_title: "¿Anular esta credencial?",
    void_text: "La credencial deja de funcionar al instante. Puedes imprimir una nueva cuando quieras.",
    void_yes: "Sí, anular la credencial",
    cancel: "Cancelar",
    voided: "La credencial fue anulada.",
    unlocked: "El inicio con contraseña está desbloqueado.",
    revoked_done: "El quiosco fue revocado.",
    no_kiosks: "Todavía no hay quioscos.",
    enrolled: "Registrado",
    last_sign_in: "Último inicio",
    never: "nunca",
    status: "Estado",
    working: "Funciona",
    revoked: "Revocado",
    new_code: "Código de registro nuevo",
    code_title: "Código de registro",
    code_help: "En el quiosco, abre la configuración (Ctrl+Alt+Shift+T) y escribe este código. Funciona una sola vez.",
    code_minute: "minuto para usarlo",
    code_minutes: "minutos para usarlo",
    revoke: "Revocar",
    revoke_title: "¿Revocar este quiosco?",
    revoke_text: "Deja de iniciar sesiones al instante. Para usarlo de nuevo, regístralo con un código nuevo.",
    revoke_yes: "Sí, revocar el quiosco",
    apps: &APPS_ES,
};

/// The form of a word after the count `n`, for our two languages: English and Spanish both
/// say the singular for exactly 1 and the plural otherwise ("0 minutes", "0 minutos"). A third
/// language with other rules (CLDR `few`, `many`) would need more forms than these two.
pub fn plural<'a>(n: u64, one: &'a str, other: &'a str) -> &'a str {
    if n == 1 { one } else { other }
}

/// `es…` -> Spanish, anything else English.
pub fn for_locale(locale: &str) -> &'static Strings {
    if locale.trim().to_ascii_lowercase().starts_with("es") {
        &ES
    } else {
        &EN
    }
}

/// The best of our languages for an `Accept-Language` header; English when none fits.
pub fn from_accept_language(header: Option<&str>) -> &'static Strings {
    match header.and_then(|h| negotiate(h, &["en", "es"])) {
        Some("es") => &ES,
        _ => &EN,
    }
}

/// At most this many entries of a header are read, so a huge header costs bounded work.
const MAX_ENTRIES: usize = 32;

/// The `supported` language (lowercase primary subtags) the header prefers most, or `None`
/// when it accepts none of them (RFC 9110 §12.5.4).
///
/// A range matches by its primary subtag, case-insensitively (`es-MX` matches `es`); `*`
/// matches any language no other range named. The weight is `q` (0 to 1, at most three
/// decimals, 1 when absent); `q=0` means "not acceptable" and excludes the language even if
/// `*` would allow it. Equal weights keep header order. A malformed entry is skipped rather
/// than rejecting the header. Pure, never panics.
pub fn negotiate<'a>(header: &str, supported: &[&'a str]) -> Option<&'a str> {
    // Per supported language: (exact, weight, position) of the range that decides it. A range
    // equal to the language (`es`) speaks for it over any regional one (`es-MX`); among
    // regional ones the highest weight counts, as we serve the one Spanish we have to anyone
    // who takes some variant of it. The first of equals is kept, so ties stay in header order.
    let mut named: Vec<Option<(bool, u16, usize)>> = vec![None; supported.len()];
    let mut star: Option<(u16, usize)> = None;
    for (position, entry) in header.split(',').take(MAX_ENTRIES).enumerate() {
        let Some((range, weight)) = parse_entry(entry) else {
            continue;
        };
        if range == "*" {
            star.get_or_insert((weight, position));
            continue;
        }
        let primary = range.split('-').next().unwrap_or(range);
        let exact = primary.len() == range.len();
        for (slot, lang) in named.iter_mut().zip(supported) {
            if !primary.eq_ignore_ascii_case(lang) {
                continue;
            }
            let replace = match *slot {
                None => true,
                Some((was_exact, was_weight, _)) => {
                    (exact && !was_exact) || (exact == was_exact && weight > was_weight)
                }
            };
            if replace {
                *slot = Some((exact, weight, position));
            }
        }
    }
    let mut best: Option<(u16, usize, &'a str)> = None;
    for (slot, lang) in named.iter().zip(supported) {
        let Some((weight, position)) = slot.map(|(_, w, p)| (w, p)).or(star) else {
            continue;
        };
        if weight == 0 {
            continue;
        }
        // Higher weight wins; on a tie the earlier entry in the header.
        let better = match best {
            None => true,
            Some((w, p, _)) => weight > w || (weight == w && position < p),
        };
        if better {
            best = Some((weight, position, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}

/// One `range[;q=weight]` entry: the range and its weight in thousandths, or `None` when the
/// entry is malformed.
fn parse_entry(entry: &str) -> Option<(&str, u16)> {
    let mut parts = entry.split(';');
    let range = parts.next()?.trim();
    let valid_range = range == "*"
        || (!range.is_empty()
            && range.split('-').all(|sub| {
                (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            && range.as_bytes()[0].is_ascii_alphabetic());
    if !valid_range {
        return None;
    }
    let mut weight = 1000;
    for param in parts {
        let (name, value) = param.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = parse_weight(value.trim())?;
        }
    }
    Some((range, weight))
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
fn parse_weight(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, digit) in fraction.bytes().enumerate() {
        thousandths += u16::from(digit - b'0') * [100, 10, 1][i];
    }
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &[&str] = &["en", "es"];

    fn pick(header: &str) -> Option<&'static str> {
        negotiate(header, OURS)
    }

    #[test]
    fn plural_is_singular_for_exactly_one() {
        let form = |n| plural(n, "minuto", "minutos");
        assert_eq!(form(1), "minuto");
        for n in [0, 2, 15, 21, u64::MAX] {
            assert_eq!(form(n), "minutos", "{n}");
        }
    }

    #[test]
    fn a_lower_weighted_supported_language_beats_an_unsupported_first_one() {
        assert_eq!(pick("fr,es;q=0.9"), Some("es"));
        assert_eq!(from_accept_language(Some("fr,es;q=0.9")).lang, "es");
    }

    #[test]
    fn the_highest_weight_wins_whatever_the_order() {
        assert_eq!(pick("en;q=0.5,es;q=0.8"), Some("es"));
        assert_eq!(pick("es;q=0.5,en"), Some("en"));
        assert_eq!(pick("es;q=0.501,en;q=0.5"), Some("es"));
    }

    #[test]
    fn a_missing_weight_is_one() {
        assert_eq!(pick("en;q=0.999,es"), Some("es"));
        assert_eq!(pick("es;q=1.000,en"), Some("es"), "a tie, header order");
    }

    #[test]
    fn q_zero_means_not_acceptable() {
        assert_eq!(pick("es;q=0, en;q=0.1"), Some("en"));
        assert_eq!(pick("es;q=0"), None);
        assert_eq!(pick("es;q=0.000,en;q=0"), None);
        assert_eq!(
            from_accept_language(Some("es;q=0,en;q=0")).lang,
            "en",
            "fallback"
        );
    }

    #[test]
    fn star_stands_for_languages_not_named() {
        assert_eq!(
            pick("fr,*;q=0.5"),
            Some("en"),
            "a tie under *, first supported"
        );
        assert_eq!(pick("en;q=0.1,*;q=0.5"), Some("es"));
        assert_eq!(pick("*;q=0.5,es;q=0.1"), Some("en"));
        assert_eq!(pick("en;q=0,*"), Some("es"), "q=0 excludes despite *");
        assert_eq!(pick("*;q=0"), None);
    }

    #[test]
    fn ranges_match_by_primary_subtag_case_insensitively() {
        assert_eq!(pick("es-MX"), Some("es"));
        assert_eq!(pick("ES-419,en;q=0.9"), Some("es"));
        assert_eq!(pick("En-GB;q=0.7,eS;q=0.6"), Some("en"));
        assert_eq!(pick("est,eng"), None, "a longer subtag is another language");
    }

    #[test]
    fn the_plain_language_range_decides_over_regional_ones() {
        assert_eq!(pick("es-MX;q=0,es;q=0.5,en;q=0.1"), Some("es"));
        assert_eq!(pick("es;q=0,es-MX,en;q=0.1"), Some("en"));
        assert_eq!(
            pick("es-MX;q=0.2,es-ES;q=0.9,en;q=0.5"),
            Some("es"),
            "the best variant"
        );
    }

    #[test]
    fn ties_keep_header_order() {
        assert_eq!(pick("es;q=0.8,en;q=0.8"), Some("es"));
        assert_eq!(pick("en;q=0.8,es;q=0.8"), Some("en"));
        assert_eq!(
            pick("es-MX,en"),
            Some("es"),
            "a regional range ties like any other"
        );
    }

    #[test]
    fn malformed_entries_are_skipped() {
        for bad in [
            "es;q=2",
            "es;q=1.5",
            "es;q=0.1234",
            "es;q=",
            "es;q=abc",
            "es;q=-0.5",
            "es;q",
            "es;q=.5",
            "es;q=1.001",
            "e$",
            "",
            "-es",
            "es--MX",
            "abcdefghi",
            "1es",
        ] {
            assert_eq!(pick(&format!("{bad},en;q=0.1")), Some("en"), "{bad:?}");
        }
        assert_eq!(
            pick(",, ;;, es ;q=0.3 ,"),
            Some("es"),
            "whitespace around an entry"
        );
        assert_eq!(
            pick("es;Q=0.3"),
            Some("es"),
            "the parameter name is case-insensitive"
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for header in [
            "",
            ",",
            ";",
            "=",
            "q=1",
            ";q=1",
            "*;q=0.",
            "é;q=1",
            "es;q=0.\u{e9}",
            "\u{0}",
        ] {
            let _ = pick(header);
            let _ = from_accept_language(Some(header));
        }
        assert_eq!(pick("*;q=0."), None, "`0.` is a valid weight: zero");
        assert_eq!(
            pick("es;q=1.,en"),
            Some("es"),
            "`1.` is a valid weight: one"
        );
    }

    #[test]
    fn only_the_first_32_entries_count() {
        let mut header = vec!["fr"; MAX_ENTRIES].join(",");
        header.push_str(",es");
        assert_eq!(pick(&header), None, "the 33rd entry is not read");
        let mut header = vec!["fr"; MAX_ENTRIES - 1].join(",");
        header.push_str(",es");
        assert_eq!(pick(&header), Some("es"), "the 32nd is");
        let huge = "fr;q=0.5,".repeat(100_000) + "es";
        assert_eq!(from_accept_language(Some(&huge)).lang, "en");
    }
}
