//! The sentences around the kiosk setup QR on the enrollment code page, in English and
//! Spanish (kept apart from `i18n.rs`'s `Teach`, which many pages share).

#[derive(Debug)]
pub struct SetupQrText {
    /// The QR's accessible name: what it is for, never its content.
    pub label: &'static str,
    /// Under the QR; followed by the portal's address.
    pub help: &'static str,
    /// The disclosure that spells the code out, one character at a time.
    pub spell: &'static str,
    /// Instead of the QR when the portal has no public https address.
    pub no_origin: &'static str,
}

const EN: SetupQrText = SetupQrText {
    label: "Setup QR code for a kiosk",
    help: "Or show this QR code to the kiosk's camera on its setup screen: it enrolls with this portal without typing. Portal:",
    spell: "Spell the code out",
    no_origin: "No setup QR: this portal has no public https address (ask your administrator to set --public-url).",
};

const ES: SetupQrText = SetupQrText {
    label: "Código QR de configuración para un quiosco",
    help: "O muestra este código QR a la cámara del quiosco en su pantalla de configuración: se registra con este portal sin escribir nada. Portal:",
    spell: "Deletrear el código",
    no_origin: "Sin QR de configuración: este portal no tiene una dirección https pública (pide a tu administrador que configure --public-url).",
};

/// The sentences in `lang` (`es`, else English).
pub fn setup_qr_text(lang: &str) -> &'static SetupQrText {
    if lang == "es" { &ES } else { &EN }
}
