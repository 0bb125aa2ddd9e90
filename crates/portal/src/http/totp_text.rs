//! The sentences of the staff second factor's pages (`http::totp`) and of the lockout's "try
//! again at", in English and Spanish. One struct per language, so a missing translation is a
//! compile error.

#[derive(Debug)]
pub struct TotpText {
    /// The lockout, saying when (the time as `school_time::clock_time` writes it).
    pub locked_until: fn(&str) -> String,
    pub code_title: &'static str,
    pub code_intro: &'static str,
    pub code_label: &'static str,
    pub code_hint: &'static str,
    pub verify: &'static str,
    pub wrong_length: &'static str,
    pub not_a_code: &'static str,
    pub wrong_code: &'static str,
    pub expired: &'static str,
    pub setup_title: &'static str,
    pub setup_steps: [&'static str; 3],
    pub qr_label: &'static str,
    pub by_hand: &'static str,
    pub key: &'static str,
    pub turn_on: &'static str,
    pub on: &'static str,
    pub lost_phone: &'static str,
    pub recovery_title: &'static str,
    pub recovery_intro: &'static str,
    pub continue_link: &'static str,
    pub password_first: &'static str,
    /// A teacher page refused to a password-only session of a user with the factor on.
    pub sign_in_with_code: &'static str,
    /// The dashboard's link to the enrollment page.
    pub link: &'static str,
    /// The administrators' staff page (`/teach/staff`).
    pub staff_title: &'static str,
    pub staff_intro: &'static str,
    pub role: &'static str,
    pub second_factor: &'static str,
    pub is_on: &'static str,
    pub is_off: &'static str,
    pub reset: &'static str,
    pub reset_text: &'static str,
    pub reset_done: &'static str,
    /// Not a member of staff of this administrator's school.
    pub not_staff_here: &'static str,
}

fn en_locked(time: &str) -> String {
    format!("Too many tries. Try again at {time}.")
}

/// "a la 1:05", "a las 9:42": the article agrees with the hour.
fn es_locked(time: &str) -> String {
    let article = if time.starts_with("1:") { "la" } else { "las" };
    format!("Demasiados intentos. Vuelve a intentarlo a {article} {time}.")
}

pub const EN: TotpText = TotpText {
    locked_until: en_locked,
    code_title: "Enter your code",
    code_intro: "Open your authenticator app (for example Google Authenticator) and type the \
        6-digit code it shows for BadgeIn.",
    code_label: "Code",
    code_hint: "6 digits, or one of your recovery codes.",
    verify: "Verify",
    wrong_length: "The code has 6 digits. Type all 6 digits your app shows.",
    not_a_code: "That is not a code. Type the 6 digits your app shows, or one of your recovery \
        codes (like abcd-efgh-ijkl-mnop-qrst-uvwx-yz23).",
    wrong_code: "That code is not right, or it was already used. Wait for the next code and \
        try again.",
    expired: "Your sign-in took too long. Type your username and password again.",
    setup_title: "Set up your authenticator app",
    setup_steps: [
        "Open your authenticator app (for example Google Authenticator) and add an account.",
        "Scan the QR code, or type the key below by hand.",
        "Type the 6-digit code the app shows, and choose Turn on.",
    ],
    qr_label: "QR code for your authenticator app",
    by_hand: "Can't scan? Type this key in the app (time-based), or use this address:",
    key: "Key",
    turn_on: "Turn on",
    on: "Your second factor is on. When you sign in, BadgeIn asks for a code from your app.",
    lost_phone: "Lost your phone? Sign in with one of your recovery codes, or ask an \
        administrator to reset your second factor.",
    recovery_title: "Your recovery codes",
    recovery_intro: "Print or write down these codes and keep them safe. Each one works once, \
        in place of a code from your app. They are shown only now.",
    continue_link: "Continue",
    password_first: "Sign in with your username and password to set up your second factor.",
    sign_in_with_code: "Your account uses a code from your authenticator app. Sign out, then \
        sign in with your password and the code to open these pages.",
    link: "Second factor (authenticator app)",
    staff_title: "Staff",
    staff_intro: "Who has the second factor (an authenticator app) on. Reset it when someone \
        lost their phone and their recovery codes: their sessions end, and they set it up again \
        at their next sign-in.",
    role: "Role",
    second_factor: "Second factor",
    is_on: "On",
    is_off: "Not set up",
    reset: "Reset second factor",
    reset_text: "Their authenticator app and recovery codes stop working and they are signed out \
        everywhere. Check that it is really them asking.",
    reset_done: "The second factor was reset.",
    not_staff_here: "That is not a member of staff of your school.",
};

pub const ES: TotpText = TotpText {
    locked_until: es_locked,
    code_title: "Escribe tu código",
    code_intro: "Abre tu aplicación de autenticación (por ejemplo Google Authenticator) y \
        escribe el código de 6 dígitos que muestra para BadgeIn.",
    code_label: "Código",
    code_hint: "6 dígitos, o uno de tus códigos de recuperación.",
    verify: "Verificar",
    wrong_length: "El código tiene 6 dígitos. Escribe los 6 dígitos que muestra tu aplicación.",
    not_a_code: "Eso no es un código. Escribe los 6 dígitos que muestra tu aplicación, o uno de \
        tus códigos de recuperación (como abcd-efgh-ijkl-mnop-qrst-uvwx-yz23).",
    wrong_code: "Ese código no es correcto, o ya se usó. Espera el siguiente código e inténtalo \
        de nuevo.",
    expired: "Tu inicio de sesión tardó demasiado. Escribe otra vez tu usuario y contraseña.",
    setup_title: "Configura tu aplicación de autenticación",
    setup_steps: [
        "Abre tu aplicación de autenticación (por ejemplo Google Authenticator) y agrega una \
         cuenta.",
        "Escanea el código QR, o escribe a mano la clave de abajo.",
        "Escribe el código de 6 dígitos que muestra la aplicación y elige Activar.",
    ],
    qr_label: "Código QR para tu aplicación de autenticación",
    by_hand: "¿No puedes escanear? Escribe esta clave en la aplicación (basada en el tiempo), o \
        usa esta dirección:",
    key: "Clave",
    turn_on: "Activar",
    on: "Tu segundo factor está activado. Al iniciar sesión, BadgeIn te pide un código de tu \
        aplicación.",
    lost_phone: "¿Perdiste tu teléfono? Inicia sesión con uno de tus códigos de recuperación, o \
        pide a un administrador que restablezca tu segundo factor.",
    recovery_title: "Tus códigos de recuperación",
    recovery_intro: "Imprime o anota estos códigos y guárdalos en un lugar seguro. Cada uno \
        sirve una vez, en lugar de un código de tu aplicación. Solo se muestran ahora.",
    continue_link: "Continuar",
    password_first: "Inicia sesión con tu usuario y contraseña para configurar tu segundo \
        factor.",
    sign_in_with_code: "Tu cuenta usa un código de tu aplicación de autenticación. Cierra la \
        sesión y vuelve a entrar con tu contraseña y el código para abrir estas páginas.",
    link: "Segundo factor (aplicación de autenticación)",
    staff_title: "Personal",
    staff_intro: "Quién tiene activado el segundo factor (una aplicación de autenticación). \
        Restablécelo cuando alguien perdió su teléfono y sus códigos de recuperación: sus \
        sesiones terminan y lo configura de nuevo en su próximo inicio de sesión.",
    role: "Rol",
    second_factor: "Segundo factor",
    is_on: "Activado",
    is_off: "Sin configurar",
    reset: "Restablecer el segundo factor",
    reset_text: "Su aplicación de autenticación y sus códigos de recuperación dejan de servir y \
        se cierran todas sus sesiones. Comprueba que de verdad es esa persona quien lo pide.",
    reset_done: "Se restableció el segundo factor.",
    not_staff_here: "Esa persona no es del personal de tu escuela.",
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_lockout_says_when_in_each_language() {
        assert_eq!(
            (super::EN.locked_until)("9:42 AM"),
            "Too many tries. Try again at 9:42 AM."
        );
        assert_eq!(
            (super::ES.locked_until)("9:42"),
            "Demasiados intentos. Vuelve a intentarlo a las 9:42."
        );
        assert_eq!(
            (super::ES.locked_until)("1:05"),
            "Demasiados intentos. Vuelve a intentarlo a la 1:05."
        );
    }
}
