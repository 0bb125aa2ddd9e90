//! What the teacher pages' forms and links send: the CSRF token, a layout, a list of children,
//! the note to show after an action.

use badgein_sheet::Layout;
use serde::Deserialize;

use super::access::CsrfToken;

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

impl CsrfToken for CsrfForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Deserialize)]
pub struct PrintForm {
    csrf: String,
    pub layout: LayoutChoice,
}

impl CsrfToken for PrintForm {
    fn token(&self) -> &str {
        &self.csrf
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutChoice {
    Labels,
    Cards,
}

impl LayoutChoice {
    pub fn layout(self) -> Layout {
        match self {
            Self::Labels => Layout::Labels,
            Self::Cards => Layout::Cards,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Labels => "labels",
            Self::Cards => "cards",
        }
    }
}

/// A form of repeated fields: `csrf` and one `student` per child to print.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct PickForm(Vec<(String, String)>);

impl PickForm {
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl CsrfToken for PickForm {
    fn token(&self) -> &str {
        self.values("csrf").next().unwrap_or_default()
    }
}

/// `?done=…` after an action: which note the page shows.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}
