//! The setup QR on the setup screen (docs/kiosk-ipc.md, `setup_switch`): what the machine does
//! with a QR the camera read there. A kiosk that is not enrolled enrolls at once; an enrolled
//! one asks first (`setup_switch`), because enrolling elsewhere replaces its credential. While
//! an enrollment from a QR runs, further QRs are ignored. The scan screen never gets here: its
//! reader takes a setup QR for a code that is not a badge.

use super::{Code, Effect, Kiosk, State};
use crate::setup_qr::{SetupQr, SetupQrError};

impl Kiosk {
    /// A QR read on the setup screen (the camera loop reads setup QRs only there).
    pub(super) fn on_setup_qr(
        &mut self,
        read: Result<SetupQr, SetupQrError>,
        fx: &mut Vec<Effect>,
    ) {
        if self.qr_enrolling {
            return;
        }
        let State::Setup { message } = &mut self.state else {
            return;
        };
        match read {
            Err(_) => *message = Some(Code::SetupQrRefused),
            Ok(qr) if self.enrolled => self.state = State::SetupSwitch { qr },
            Ok(qr) => {
                *message = Some(Code::SetupQrFound);
                self.enroll_with_qr(qr, false, fx);
            }
        }
    }

    /// The teacher said yes to enrolling with the QR's portal instead.
    pub(super) fn confirm_setup_switch(&mut self, fx: &mut Vec<Effect>) {
        if let State::SetupSwitch { qr } = &self.state {
            let qr = qr.clone();
            self.state = State::Setup {
                message: Some(Code::SetupQrFound),
            };
            self.enroll_with_qr(qr, true, fx);
        }
    }

    /// The teacher said no: back to setup, nothing changed.
    pub(super) fn cancel_setup_switch(&mut self) {
        if matches!(self.state, State::SetupSwitch { .. }) {
            self.state = State::Setup { message: None };
        }
    }

    fn enroll_with_qr(&mut self, qr: SetupQr, switching: bool, fx: &mut Vec<Effect>) {
        self.qr_enrolling = true;
        fx.push(Effect::EnrollWithQr { qr, switching });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::super::{Event, Language, Screen, Settings, SetupEvent, UserAction};
    use super::*;
    use crate::setup_qr;

    fn qr(origin: &str) -> SetupQr {
        setup_qr::parse(format!("BADGEIN-SETUP/1 {origin} ABCDE-FGHIJ").as_bytes()).unwrap()
    }

    fn in_setup(enrolled: bool) -> Kiosk {
        let mut k = Kiosk::new(Settings::default(), Language::En, enrolled, true);
        let now = Instant::now();
        k.handle(Event::User(UserAction::OpenTeacher), now);
        k.handle(
            Event::Setup(SetupEvent::PinChecked(super::super::PinAnswer::Right)),
            now,
        );
        assert!(matches!(k.view().screen, Screen::Setup { .. }));
        k
    }

    fn read(k: &mut Kiosk, r: Result<SetupQr, SetupQrError>) -> Vec<Effect> {
        k.handle(Event::Setup(SetupEvent::QrRead(r)), Instant::now())
    }

    #[test]
    fn a_kiosk_not_enrolled_enrolls_at_once_and_once() {
        let mut k = in_setup(false);
        let a = qr("https://a.example");
        assert_eq!(
            read(&mut k, Ok(a.clone())),
            [Effect::EnrollWithQr {
                qr: a.clone(),
                switching: false
            }]
        );
        assert!(matches!(
            k.view().screen,
            Screen::Setup {
                message: Some(Code::SetupQrFound),
                ..
            }
        ));
        assert!(
            read(&mut k, Ok(a.clone())).is_empty(),
            "one enrollment at a time"
        );
        k.handle(
            Event::Setup(SetupEvent::Message(Code::Offline)),
            Instant::now(),
        );
        assert_eq!(
            read(&mut k, Ok(a.clone())).len(),
            1,
            "after a failure, again"
        );
        k.handle(Event::Setup(SetupEvent::Enrolled), Instant::now());
        assert!(!k.qr_enrolling);
    }

    #[test]
    fn an_enrolled_kiosk_asks_before_switching() {
        let mut k = in_setup(true);
        let b = qr("https://b.example");
        assert!(
            read(&mut k, Ok(b.clone())).is_empty(),
            "nothing before the teacher says yes"
        );
        assert_eq!(
            k.view().screen,
            Screen::SetupSwitch {
                origin: "https://b.example".into()
            }
        );
        assert!(!k.wants_badges());
        // No, then yes.
        k.handle(Event::User(UserAction::CancelSetupSwitch), Instant::now());
        assert!(matches!(
            k.view().screen,
            Screen::Setup { message: None, .. }
        ));
        read(&mut k, Ok(b.clone()));
        let fx = k.handle(Event::User(UserAction::ConfirmSetupSwitch), Instant::now());
        assert_eq!(
            fx,
            [Effect::EnrollWithQr {
                qr: b,
                switching: true
            }]
        );
        assert!(matches!(k.view().screen, Screen::Setup { .. }));
        // A confirmation that comes twice enrolls once.
        assert!(
            k.handle(Event::User(UserAction::ConfirmSetupSwitch), Instant::now())
                .is_empty()
        );
    }

    #[test]
    fn a_refused_qr_says_so_and_other_screens_ignore_qrs() {
        let mut k = in_setup(false);
        assert!(read(&mut k, Err(SetupQrError::NotAnOrigin)).is_empty());
        assert!(matches!(
            k.view().screen,
            Screen::Setup {
                message: Some(Code::SetupQrRefused),
                ..
            }
        ));
        let mut scanning = Kiosk::new(Settings::default(), Language::En, true, true);
        assert!(read(&mut scanning, Ok(qr("https://b.example"))).is_empty());
        assert!(matches!(scanning.view().screen, Screen::Scanning { .. }));
        for action in [
            UserAction::ConfirmSetupSwitch,
            UserAction::CancelSetupSwitch,
        ] {
            assert!(
                scanning
                    .handle(Event::User(action), Instant::now())
                    .is_empty()
            );
            assert!(matches!(scanning.view().screen, Screen::Scanning { .. }));
        }
    }

    #[test]
    fn leaving_setup_from_the_question_goes_home() {
        let mut k = in_setup(true);
        read(&mut k, Ok(qr("https://b.example")));
        k.handle(Event::User(UserAction::OpenTeacher), Instant::now());
        assert!(matches!(k.view().screen, Screen::SetupSwitch { .. }));
        k.handle(Event::User(UserAction::LeaveSetup), Instant::now());
        assert!(matches!(k.view().screen, Screen::Scanning { .. }));
    }
}
