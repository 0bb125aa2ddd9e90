//! The portal pages' sentences in English and Spanish. One struct per language, so a missing
//! translation is a compile error.

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
    pub bad_password_change: &'static str,
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
    bad_password_change: "The password was not changed. Check the current password; the new one needs at least 8 characters.",
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
    bad_password_change: "La contraseña no cambió. Revisa la contraseña actual; la nueva necesita al menos 8 caracteres.",
};

/// `es…` -> Spanish, anything else English.
pub fn for_locale(locale: &str) -> &'static Strings {
    if locale.trim().to_ascii_lowercase().starts_with("es") {
        &ES
    } else {
        &EN
    }
}

/// The first language of an `Accept-Language` header.
pub fn from_accept_language(header: Option<&str>) -> &'static Strings {
    for_locale(header.and_then(|h| h.split(',').next()).unwrap_or("en"))
}
