//! Every key binding, in one table, and the mapping of terminal events to actions.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::action::{Action, Edit, PromptKind};
use crate::state::State;

/// A key with the modifiers that must be held (Shift is ignored for characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub KeyModifiers);

const fn k(c: char) -> Key {
    Key(KeyCode::Char(c), KeyModifiers::NONE)
}
const fn f(n: u8) -> Key {
    Key(KeyCode::F(n), KeyModifiers::NONE)
}
const fn code(c: KeyCode) -> Key {
    Key(c, KeyModifiers::NONE)
}

/// A binding: the keys, the action, and whether the footer shows it.
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub footer: bool,
}

/// All bindings outside a prompt or the help overlay, in help order.
pub const BINDINGS: &[Binding] = &[
    Binding { keys: &[f(5), k('c')], action: Action::Continue, footer: true },
    Binding { keys: &[f(10), k('n')], action: Action::Next, footer: true },
    Binding { keys: &[f(11), k('s')], action: Action::Step, footer: true },
    Binding { keys: &[Key(KeyCode::F(11), KeyModifiers::SHIFT), f(23), k('f')], action: Action::Finish, footer: true },
    Binding { keys: &[k('i')], action: Action::StepInstr, footer: false },
    Binding { keys: &[f(9), k('b')], action: Action::ToggleBreakpoint, footer: true },
    Binding { keys: &[k(':')], action: Action::OpenPrompt(PromptKind::Command), footer: true },
    Binding { keys: &[k('/')], action: Action::OpenPrompt(PromptKind::Search), footer: true },
    Binding { keys: &[k('g')], action: Action::OpenPrompt(PromptKind::Goto), footer: true },
    Binding { keys: &[k('a')], action: Action::OpenPrompt(PromptKind::Watch), footer: false },
    Binding { keys: &[k('@')], action: Action::OpenPrompt(PromptKind::Memory), footer: false },
    Binding { keys: &[k('v')], action: Action::CycleView, footer: true },
    Binding { keys: &[code(KeyCode::Right), code(KeyCode::Tab)], action: Action::FocusNext, footer: true },
    Binding {
        keys: &[Key(KeyCode::BackTab, KeyModifiers::SHIFT), code(KeyCode::BackTab), code(KeyCode::Left)],
        action: Action::FocusPrev,
        footer: false,
    },
    Binding { keys: &[code(KeyCode::Up), k('k')], action: Action::Up, footer: false },
    Binding { keys: &[code(KeyCode::Down), k('j')], action: Action::Down, footer: false },
    Binding { keys: &[code(KeyCode::PageUp)], action: Action::PageUp, footer: false },
    Binding { keys: &[code(KeyCode::PageDown)], action: Action::PageDown, footer: false },
    Binding { keys: &[code(KeyCode::Home)], action: Action::Top, footer: false },
    Binding { keys: &[code(KeyCode::End)], action: Action::Bottom, footer: false },
    Binding { keys: &[Key(KeyCode::Left, KeyModifiers::SHIFT), k('<')], action: Action::ScrollLeft, footer: false },
    Binding { keys: &[Key(KeyCode::Right, KeyModifiers::SHIFT), k('>')], action: Action::ScrollRight, footer: false },
    Binding { keys: &[code(KeyCode::Enter), k(' ')], action: Action::Activate, footer: false },
    Binding { keys: &[k('m')], action: Action::ShowInMemory, footer: false },
    Binding { keys: &[k('M')], action: Action::NextMemory, footer: false },
    Binding { keys: &[code(KeyCode::Delete), k('x')], action: Action::DeleteItem, footer: false },
    Binding { keys: &[k('?')], action: Action::ToggleHelp, footer: true },
    Binding { keys: &[Key(KeyCode::Char('c'), KeyModifiers::CONTROL), k('q')], action: Action::Quit, footer: true },
];

/// `F5`, `c`, `S-F11`, `Tab`.
pub fn label(key: &Key) -> String {
    let base = match key.0 {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::Esc => "Esc".into(),
        _ => "?".into(),
    };
    if key.1.contains(KeyModifiers::CONTROL) {
        format!("C-{base}")
    } else if key.1.contains(KeyModifiers::SHIFT) && !matches!(key.0, KeyCode::BackTab) {
        format!("S-{base}")
    } else {
        base
    }
}

/// The labels of a binding's keys, `F5/c`; F23 (what some terminals send for S-F11) is left out.
pub fn labels(b: &Binding) -> String {
    let ls: Vec<String> = b
        .keys
        .iter()
        .filter(|k| k.0 != KeyCode::F(23) && !(k.0 == KeyCode::BackTab && k.1.is_empty()))
        .map(label)
        .collect();
    ls.join("/")
}

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    if key.0 != ev.code {
        return false;
    }
    let mut mods = ev.modifiers;
    if matches!(ev.code, KeyCode::Char(_)) && !key.1.contains(KeyModifiers::SHIFT) {
        mods.remove(KeyModifiers::SHIFT);
    }
    mods == key.1
}

/// The action for a key outside prompts and overlays.
pub fn action_for_key(ev: &KeyEvent) -> Option<Action> {
    BINDINGS.iter().find(|b| b.keys.iter().any(|k| matches(k, ev))).map(|b| b.action)
}

/// Keys while a prompt is open.
fn prompt_edit(ev: &KeyEvent) -> Option<Edit> {
    if ev.modifiers.contains(KeyModifiers::CONTROL) {
        return match ev.code {
            KeyCode::Char('c') | KeyCode::Char('g') => Some(Edit::Cancel),
            KeyCode::Char('h') => Some(Edit::Backspace),
            _ => None,
        };
    }
    Some(match ev.code {
        KeyCode::Char(c) => Edit::Insert(c),
        KeyCode::Backspace => Edit::Backspace,
        KeyCode::Left => Edit::Left,
        KeyCode::Right => Edit::Right,
        KeyCode::Up => Edit::HistoryPrev,
        KeyCode::Down => Edit::HistoryNext,
        KeyCode::Enter => Edit::Submit,
        KeyCode::Esc => Edit::Cancel,
        _ => return None,
    })
}

/// Maps a terminal event to an action, given what is open on the screen.
pub fn map_event(state: &State, ev: &Event) -> Option<Action> {
    match ev {
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Key(key) if key.kind == KeyEventKind::Release => None,
        Event::Key(key) if state.prompt.is_some() => prompt_edit(key).map(Action::Prompt),
        Event::Key(key) if state.help => {
            if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                Some(Action::Quit)
            } else {
                Some(Action::CloseOverlay)
            }
        }
        Event::Key(key) if key.code == KeyCode::Esc => Some(Action::CloseOverlay),
        Event::Key(key) => action_for_key(key),
        Event::Mouse(MouseEvent { kind, column, row, .. }) => match kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(*column, *row)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(*column, *row, -3)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(*column, *row, 3)),
            _ => None,
        },
        _ => None,
    }
}

/// The footer: `F5/c cont  F10/n next ...`.
pub fn footer() -> Vec<(String, &'static str)> {
    BINDINGS.iter().filter(|b| b.footer).map(|b| (labels(b), crate::strings::footer_name(&b.action))).collect()
}

/// The footer with one key per entry (the last: the letter), for narrow screens.
pub fn footer_short() -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.footer)
        .map(|b| {
            let k = b.keys.iter().rev().find(|k| k.1.is_empty()).or(b.keys.first());
            (k.map(label).unwrap_or_default(), crate::strings::footer_name(&b.action))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Pane;

    fn press(c: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(c, m))
    }

    #[test]
    fn the_issue_keys() {
        let s = State::new("p".into(), 80, 24, false);
        let a = |c, m| map_event(&s, &press(c, m));
        assert_eq!(a(KeyCode::F(5), KeyModifiers::NONE), Some(Action::Continue));
        assert_eq!(a(KeyCode::Char('c'), KeyModifiers::NONE), Some(Action::Continue));
        assert_eq!(a(KeyCode::F(10), KeyModifiers::NONE), Some(Action::Next));
        assert_eq!(a(KeyCode::F(11), KeyModifiers::NONE), Some(Action::Step));
        assert_eq!(a(KeyCode::F(11), KeyModifiers::SHIFT), Some(Action::Finish));
        assert_eq!(a(KeyCode::Char('f'), KeyModifiers::NONE), Some(Action::Finish));
        assert_eq!(a(KeyCode::F(9), KeyModifiers::NONE), Some(Action::ToggleBreakpoint));
        assert_eq!(a(KeyCode::Char(':'), KeyModifiers::SHIFT), Some(Action::OpenPrompt(PromptKind::Command)));
        assert_eq!(a(KeyCode::Char('?'), KeyModifiers::SHIFT), Some(Action::ToggleHelp));
        assert_eq!(a(KeyCode::Char('c'), KeyModifiers::CONTROL), Some(Action::Quit));
        assert_eq!(a(KeyCode::Tab, KeyModifiers::NONE), Some(Action::FocusNext));
        assert_eq!(a(KeyCode::BackTab, KeyModifiers::SHIFT), Some(Action::FocusPrev));
        assert_eq!(a(KeyCode::Char('z'), KeyModifiers::NONE), None);
    }

    #[test]
    fn prompts_and_overlays_take_keys_first() {
        let mut s = State::new("p".into(), 80, 24, false);
        s.prompt =
            Some(crate::state::Prompt { kind: PromptKind::Command, text: String::new(), pos: 0, history_at: None });
        assert_eq!(
            map_event(&s, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Prompt(Edit::Insert('q')))
        );
        assert_eq!(map_event(&s, &press(KeyCode::Esc, KeyModifiers::NONE)), Some(Action::Prompt(Edit::Cancel)));
        s.prompt = None;
        s.help = true;
        assert_eq!(map_event(&s, &press(KeyCode::Char('c'), KeyModifiers::NONE)), Some(Action::CloseOverlay));
        assert_eq!(s.focus, Pane::Code);
    }

    #[test]
    fn every_binding_is_described_and_footer_fits_80_columns() {
        for b in BINDINGS {
            assert!(!crate::strings::describe(&b.action).is_empty(), "{:?}", b.action);
            if b.footer {
                assert!(!crate::strings::footer_name(&b.action).is_empty(), "{:?}", b.action);
            }
        }
        let w: usize = footer_short().iter().map(|(k, n)| k.chars().count() + n.chars().count() + 2).sum();
        assert!(w <= 90, "the short footer is dropped to fit, but should nearly fit: {w}");
    }
}
