//! The sentences of issue 11's account pages (grade rules, fixed and temporary passwords,
//! delegates, the change-password page) in English and Spanish; `Strings::accounts`.

#[derive(Debug)]
pub struct AccountStrings {
    // The change-password page and the dashboard.
    pub ask_teacher: &'static str,
    pub must_change_title: &'static str,
    pub must_change_text: &'static str,
    // The class page.
    pub grade: &'static str,
    pub no_grade: &'static str,
    pub outside_badge_grades: &'static str,
    pub needs_badge_marked: &'static str,
    pub mark_needs_badge: &'static str,
    pub unmark_needs_badge: &'static str,
    pub saved: &'static str,
    pub fixed_password_card: &'static str,
    pub reset_password: &'static str,
    pub temporary_title: &'static str,
    pub temporary_text: &'static str,
    pub back_to_class: &'static str,
    pub not_in_badge_grades: &'static str,
    pub no_password_change: &'static str,
    // The administrators' school page.
    pub school_title: &'static str,
    pub policy_heading: &'static str,
    pub badge_grades: &'static str,
    pub password_change_grades: &'static str,
    pub claim_grades: &'static str,
    pub range_hint: &'static str,
    pub bad_range: &'static str,
    pub delegates_heading: &'static str,
    pub delegates_help: &'static str,
    pub no_delegates: &'static str,
    pub staff_member: &'static str,
    pub may_do: &'static str,
    pub can_badges: &'static str,
    pub can_passwords: &'static str,
    pub add_delegate: &'static str,
    pub remove: &'static str,
    pub bad_delegate: &'static str,
    pub delegate_added: &'static str,
    pub delegate_removed: &'static str,
}

pub const EN: AccountStrings = AccountStrings {
    ask_teacher: "Your password can only be changed by your teacher. Ask your teacher for help.",
    must_change_title: "Choose a new password",
    must_change_text: "You were given a temporary password. Type it, then choose a new password of \
                       your own (at least 8 characters) to go on.",
    grade: "Grade",
    no_grade: "no grade",
    outside_badge_grades: "Not in the badge grades",
    needs_badge_marked: "Needs a badge (exception)",
    mark_needs_badge: "Needs a badge",
    unmark_needs_badge: "Remove the badge exception",
    saved: "Saved.",
    fixed_password_card: "Print card with new password",
    reset_password: "Reset password",
    temporary_title: "Temporary password",
    temporary_text: "Give this password to the student. At their next sign-in they must choose \
                     their own. It is not shown again.",
    back_to_class: "Back to the class",
    not_in_badge_grades: "This student is not in the school's badge grades. Mark them as needing a \
                          badge first.",
    no_password_change: "This student's grade does not change passwords: print a card with a new \
                         password instead.",
    school_title: "School accounts",
    policy_heading: "Grade rules",
    badge_grades: "Grades with a QR badge",
    password_change_grades: "Grades that may change their password",
    claim_grades: "Grades that claim their account",
    range_hint: "PK, K or 1 to 12, or a range such as PK-5.",
    bad_range: "A grade range is PK, K or 1 to 12, or two of them in order with a dash, such as \
                PK-5. Nothing was changed.",
    delegates_heading: "Delegates",
    delegates_help: "A delegate may act on every class of the school: print and void badges, or \
                     reset passwords and unlock accounts.",
    no_delegates: "No delegates yet.",
    staff_member: "Staff member",
    may_do: "May",
    can_badges: "Print and void badges",
    can_passwords: "Reset passwords and unlock",
    add_delegate: "Add delegate",
    remove: "Remove",
    bad_delegate: "Choose a staff member of this school and at least one thing they may do. \
                   Nothing was changed.",
    delegate_added: "Delegate saved.",
    delegate_removed: "Delegate removed.",
};

pub const ES: AccountStrings = AccountStrings {
    ask_teacher: "Solo tu maestro o maestra puede cambiar tu contraseña. Pídele ayuda.",
    must_change_title: "Elige una contraseña nueva",
    must_change_text: "Te dieron una contraseña temporal. Escríbela y luego elige una contraseña \
                       nueva tuya (al menos 8 caracteres) para continuar.",
    grade: "Grado",
    no_grade: "sin grado",
    outside_badge_grades: "Fuera de los grados con credencial",
    needs_badge_marked: "Necesita credencial (excepción)",
    mark_needs_badge: "Necesita credencial",
    unmark_needs_badge: "Quitar la excepción de credencial",
    saved: "Guardado.",
    fixed_password_card: "Imprimir tarjeta con contraseña nueva",
    reset_password: "Restablecer contraseña",
    temporary_title: "Contraseña temporal",
    temporary_text: "Dale esta contraseña al estudiante. Al volver a entrar deberá elegir una \
                     propia. No se vuelve a mostrar.",
    back_to_class: "Volver a la clase",
    not_in_badge_grades: "Este estudiante no está en los grados con credencial. Márquelo primero \
                          como que necesita credencial.",
    no_password_change: "El grado de este estudiante no cambia contraseñas: imprima una tarjeta \
                         con una contraseña nueva.",
    school_title: "Cuentas de la escuela",
    policy_heading: "Reglas por grado",
    badge_grades: "Grados con credencial QR",
    password_change_grades: "Grados que pueden cambiar su contraseña",
    claim_grades: "Grados que reclaman su cuenta",
    range_hint: "PK, K o 1 a 12, o un rango como PK-5.",
    bad_range: "Un rango de grados es PK, K o 1 a 12, o dos de ellos en orden con un guion, \
                como PK-5. No se cambió nada.",
    delegates_heading: "Delegados",
    delegates_help: "Un delegado puede actuar en todas las clases de la escuela: imprimir y \
                     anular credenciales, o restablecer contraseñas y desbloquear cuentas.",
    no_delegates: "Aún no hay delegados.",
    staff_member: "Miembro del personal",
    may_do: "Puede",
    can_badges: "Imprimir y anular credenciales",
    can_passwords: "Restablecer contraseñas y desbloquear",
    add_delegate: "Agregar delegado",
    remove: "Quitar",
    bad_delegate: "Elija un miembro del personal de esta escuela y al menos una cosa que pueda \
                   hacer. No se cambió nada.",
    delegate_added: "Delegado guardado.",
    delegate_removed: "Delegado quitado.",
};
