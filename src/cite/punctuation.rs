//! Punctuation around quoted titles, as Chicago sets it, applied to the HTML
//! that hayagriva renders (its own output gets three things wrong, checked
//! with hayagriva 0.10 and `chicago-notes`):
//!
//! - a title ending in `?` or `!` is still followed by the note's comma or
//!   period ("…by China and Russia?." and "?,"): Chicago drops them;
//! - a quotation inside a quoted title keeps double quotes ("““Shanghai
//!   Five” Nations…”"): inside double quotes they become single;
//! - the short form of a note puts its period outside the closing quote
//!   (“…Ad Hoc”.) although the full form puts its comma inside (“…Ad Hoc,”):
//!   where the style's locale sets `punctuation-in-quote` (American English,
//!   which Chicago follows) a period or comma after a closing quote goes
//!   inside it.
//!
//! TeX's quotation marks (``…''), as BibTeX files often have them, become
//! curly ones too.
//!
//! The fix is here, in our rendering layer, rather than in a patched
//! hayagriva: it is a pass over text we already walk, and it also covers
//! what we put into the notes ourselves (section titles as locators).

/// One piece of the HTML: a character of text, or a tag or an entity kept whole.
enum Piece<'a> {
    Char(char),
    Opaque(&'a str),
}

impl Piece<'_> {
    fn char(&self) -> Option<char> {
        match self {
            Piece::Char(c) => Some(*c),
            Piece::Opaque(s) if *s == "&quot;" => Some('"'),
            Piece::Opaque(_) => None,
        }
    }
}

fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let end = match c {
            '<' => rest.find('>').map(|i| i + 1),
            '&' => rest
                .find(';')
                .filter(|&i| i < 12 && rest[1..i].chars().all(|c| c.is_alphanumeric() || c == '#'))
                .map(|i| i + 1),
            _ => None,
        };
        match end {
            Some(end) => {
                out.push(Piece::Opaque(&rest[..end]));
                rest = &rest[end..];
            }
            None => {
                out.push(Piece::Char(c));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Sets the punctuation of one rendered citation or bibliography entry.
/// `punctuation_in_quote` comes from the style's locale.
pub(super) fn typeset(html: &str, punctuation_in_quote: bool) -> String {
    if !html.contains(['“', '”', '?', '!', '.', ',']) && !html.contains("&quot;") {
        return html.to_string();
    }
    // TeX's quotation marks, as BibTeX files have them (``…'', escaped ' as &#39;).
    let html = &html.replace("``", "“").replace("&#39;&#39;", "”");
    let mut text: Vec<(Option<char>, Piece)> = pieces(html).into_iter().map(|p| (p.char(), p)).collect();
    nest_quotes(&mut text);
    let visible = |text: &[(Option<char>, Piece)], from: usize, step: isize| -> Option<usize> {
        let mut i = from as isize + step;
        while i >= 0 && (i as usize) < text.len() {
            if text[i as usize].0.is_some() {
                return Some(i as usize);
            }
            i += step;
        }
        None
    };
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i].0 else {
            i += 1;
            continue;
        };
        if c == '.' || c == ',' {
            // The last character before it, looking through closing quotes.
            let mut j = visible(&text, i, -1);
            let mut through_quote = None;
            while let Some(k) = j.filter(|&k| matches!(text[k].0, Some('”' | '’'))) {
                through_quote.get_or_insert(k);
                j = visible(&text, k, -1);
            }
            let before = j.and_then(|k| text[k].0);
            let ends_title = matches!(before, Some('?' | '!')) || (c == '.' && before == Some('.'));
            if ends_title {
                text[i].0 = None;
                text[i].1 = Piece::Opaque("");
                continue;
            }
            if let (true, Some(q)) = (punctuation_in_quote, through_quote) {
                // `”.` → `.”`: move the mark before the first closing quote.
                let mark = text.remove(i);
                text.insert(q, mark);
                i += 1;
                continue;
            }
        }
        i += 1;
    }
    let mut out = String::with_capacity(html.len() + 8);
    for (c, piece) in text {
        match (c, piece) {
            (_, Piece::Opaque(s)) if s != "&quot;" => out.push_str(s),
            (Some(c), _) => out.push(c),
            (None, _) => {}
        }
    }
    out
}

/// Double quotes inside double quotes become single ones (“ ‘ ’ ”), and
/// straight quotes become curly ones on the way.
fn nest_quotes(text: &mut [(Option<char>, Piece)]) {
    let mut depth = 0usize;
    let mut previous: Option<char> = None;
    for (c, _) in text.iter_mut() {
        let Some(ch) = *c else { continue };
        let opening = match ch {
            '“' => Some(true),
            '”' => Some(false),
            // A straight quote opens after a space, an opening bracket or quote, or at the start.
            '"' => Some(previous.is_none_or(|p| p.is_whitespace() || "([{“‘—–-/".contains(p))),
            _ => None,
        };
        match opening {
            Some(true) => {
                *c = Some(if depth % 2 == 1 { '‘' } else { '“' });
                depth += 1;
            }
            Some(false) => {
                depth = depth.saturating_sub(1);
                *c = Some(if depth % 2 == 1 { '’' } else { '”' });
            }
            None => {}
        }
        previous = *c;
    }
}

#[cfg(test)]
mod tests {
    use super::typeset;

    #[test]
    fn doubled_punctuation_after_a_question_is_dropped() {
        assert_eq!(typeset("sec. “Is It a Threat?”, para. 6.", true), "sec. “Is It a Threat?” para. 6.");
        assert_eq!(typeset("Korolev, “Is It a Threat?”.", true), "Korolev, “Is It a Threat?”");
        assert_eq!(typeset("<i>Why Not?</i>, 2010.", true), "<i>Why Not?</i> 2010.");
        assert_eq!(typeset("Inc..", true), "Inc.");
    }

    #[test]
    fn periods_and_commas_go_inside_closing_quotes_where_the_locale_says_so() {
        assert_eq!(typeset("Korolev, “Beyond the Nominal”.", true), "Korolev, “Beyond the Nominal.”");
        assert_eq!(typeset("Korolev, “Beyond the Nominal”.", false), "Korolev, “Beyond the Nominal”.");
        assert_eq!(typeset("sec. “The Mechanisms”, para. 4", true), "sec. “The Mechanisms,” para. 4");
        assert_eq!(typeset("A, “T,” B.", true), "A, “T,” B.");
    }

    #[test]
    fn quotes_inside_quotes_alternate() {
        assert_eq!(
            typeset("Daily, ““Shanghai Five” Nations Sign,” July 6.", true),
            "Daily, “‘Shanghai Five’ Nations Sign,” July 6."
        );
        assert_eq!(typeset("“国防部确认“海上联合-2016”演习将举行,”", true), "“国防部确认‘海上联合-2016’演习将举行,”");
        assert_eq!(typeset("X, “The &quot;Peace Mission&quot; Series”.", true), "X, “The ‘Peace Mission’ Series.”");
        assert_eq!(typeset("“[“Peace Mission 2007” Final Stage],”", true), "“[‘Peace Mission 2007’ Final Stage],”");
        assert_eq!(typeset("“China ``Concerned&#39;&#39; of It”.", true), "“China ‘Concerned’ of It.”");
    }

    #[test]
    fn tags_and_entities_are_kept_whole() {
        assert_eq!(
            typeset("<a href=\"https://x.org/a?b=1&amp;c=2\">https://x.org/a?b=1&amp;c=2</a>.", true),
            "<a href=\"https://x.org/a?b=1&amp;c=2\">https://x.org/a?b=1&amp;c=2</a>."
        );
        assert_eq!(typeset("Tom &amp; Jerry, “Title”.", true), "Tom &amp; Jerry, “Title.”");
    }
}
