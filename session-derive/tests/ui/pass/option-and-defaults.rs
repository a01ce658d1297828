use session_core::{Bag, SessionData};
use session_derive::SessionData;

fn default_theme() -> String {
    "light".into()
}

#[derive(SessionData, Default)]
struct Prefs {
    language: Option<String>,
    #[session(default = "default_theme")]
    theme: String,
    #[session(default)]
    visits: u64,
}

fn main() {
    let prefs = Prefs::from_bag(&Bag::new()).unwrap();
    assert_eq!(prefs.language, None);
    assert_eq!(prefs.theme, "light");
    assert_eq!(prefs.visits, 0);
    // The handle of an `Option<String>` field holds `String`s.
    let _: session_core::TypedPath<String> = Prefs::paths().language;
}
