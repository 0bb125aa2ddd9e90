//! The sentences of claiming an account (`/claim`) and of the password rules
//! (`auth::password_rules`), in English and Spanish; `i18n::Strings` points at them.

use crate::auth::password_rules::PasswordProblem;

/// The claim page.
#[derive(Debug)]
pub struct ClaimPage {
    pub title: &'static str,
    pub intro: &'static str,
    /// The link on the login page.
    pub link: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub birth_date: &'static str,
    pub birth_date_hint: &'static str,
    pub number: &'static str,
    pub number_hint: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub password_again: &'static str,
    pub submit: &'static str,
    pub name_missing: &'static str,
    /// The date is not `MM/DD/YYYY` (the sentence, word for word).
    pub date_format: &'static str,
    /// In the form but no such day (`02/30/2012`, `13/01/2012`).
    pub date_no_such: &'static str,
    pub date_future: &'static str,
    pub number_missing: &'static str,
    pub passwords_differ: &'static str,
    /// The one answer for every claim that matches no claimable account.
    pub no_match: &'static str,
    pub rate_limited: &'static str,
    pub back_to_sign_in: &'static str,
}

/// Why a new password was refused (`auth::password_rules::PasswordProblem`).
#[derive(Debug)]
pub struct PasswordText {
    pub too_short: &'static str,
    pub too_long: &'static str,
    pub common: &'static str,
}

impl PasswordText {
    /// The sentence for `problem`.
    pub fn of(&self, problem: PasswordProblem) -> &'static str {
        match problem {
            PasswordProblem::TooShort => self.too_short,
            PasswordProblem::TooLong => self.too_long,
            PasswordProblem::Common => self.common,
        }
    }
}

pub const CLAIM_EN: ClaimPage = ClaimPage {
    title: "Claim your account",
    intro: "Students in grades 6 to 12 and school staff: answer with what the school has on file, then choose your password. You do this once; after that you sign in with your username and password.",
    link: "New here? Claim your account",
    first_name: "First name",
    last_name: "Last name",
    birth_date: "Date of birth",
    birth_date_hint: "Type it as MM/DD/YYYY, with the slashes: 01/05/2012 is January 5, 2012.",
    number: "Student or staff number",
    number_hint: "Spaces do not matter.",
    password: "New password",
    password_hint: "At least 8 characters, any you like. A few words you will remember make a good password.",
    password_again: "New password again",
    submit: "Claim my account",
    name_missing: "Type your first name and your last name (at most 100 characters each).",
    date_format: "Type the date as MM/DD/YYYY, for example 01/05/2012",
    date_no_such: "There is no such date. The month comes first, then the day: type the date as MM/DD/YYYY, for example 01/05/2012",
    date_future: "That date has not happened yet. Type your date of birth as MM/DD/YYYY, for example 01/05/2012",
    number_missing: "Type your student or staff number.",
    passwords_differ: "The two passwords are not the same. Type your new password twice.",
    no_match: "No account waiting to be claimed matches these answers. Check each one; if they are right, ask the school office (an account is claimed only once).",
    rate_limited: "Too many tries today. Please try again tomorrow or ask the school office.",
    back_to_sign_in: "Back to sign in",
};

pub const CLAIM_ES: ClaimPage = ClaimPage {
    title: "Activa tu cuenta",
    intro: "Estudiantes de 6.º a 12.º grado y personal de la escuela: responde con los datos que tiene la escuela y luego elige tu contraseña. Se hace una sola vez; después entras con tu usuario y contraseña.",
    link: "¿Eres nuevo? Activa tu cuenta",
    first_name: "Nombre",
    last_name: "Apellido",
    birth_date: "Fecha de nacimiento",
    birth_date_hint: "Escríbela como MM/DD/AAAA, con las barras: 01/05/2012 es el 5 de enero de 2012.",
    number: "Número de estudiante o de empleado",
    number_hint: "Los espacios no importan.",
    password: "Contraseña nueva",
    password_hint: "Al menos 8 caracteres, los que quieras. Unas palabras que recuerdes son una buena contraseña.",
    password_again: "Repite la contraseña nueva",
    submit: "Activar mi cuenta",
    name_missing: "Escribe tu nombre y tu apellido (como máximo 100 caracteres cada uno).",
    date_format: "Escribe la fecha como MM/DD/AAAA, por ejemplo 01/05/2012",
    date_no_such: "Esa fecha no existe. Primero va el mes y luego el día: escribe la fecha como MM/DD/AAAA, por ejemplo 01/05/2012",
    date_future: "Esa fecha todavía no ha llegado. Escribe tu fecha de nacimiento como MM/DD/AAAA, por ejemplo 01/05/2012",
    number_missing: "Escribe tu número de estudiante o de empleado.",
    passwords_differ: "Las dos contraseñas no son iguales. Escribe tu contraseña nueva dos veces.",
    no_match: "Ninguna cuenta por activar coincide con estas respuestas. Revisa cada una; si son correctas, pregunta en la oficina de la escuela (una cuenta se activa una sola vez).",
    rate_limited: "Demasiados intentos hoy. Vuelve a intentarlo mañana o pregunta en la oficina de la escuela.",
    back_to_sign_in: "Volver a iniciar sesión",
};

pub const PASSWORD_EN: PasswordText = PasswordText {
    too_short: "The new password needs at least 8 characters.",
    too_long: "The new password can have at most 128 characters.",
    common: "That password is one of the most common ones, which are guessed first. Please choose another.",
};

pub const PASSWORD_ES: PasswordText = PasswordText {
    too_short: "La contraseña nueva necesita al menos 8 caracteres.",
    too_long: "La contraseña nueva puede tener como máximo 128 caracteres.",
    common: "Esa contraseña es de las más comunes, las primeras que se adivinan. Elige otra, por favor.",
};
