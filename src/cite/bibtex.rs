//! Reading `references.bib`: BibLaTeX/BibTeX as Zotero and JabRef export it,
//! with every problem reported at its position, including those that would
//! crash or mislead the BibTeX parser.

use std::collections::HashMap;

use hayagriva::citationberg::IndependentStyle;
use hayagriva::{Entry, Library};

use super::Bibliography;
use crate::content::load::SourceFile;
use crate::diagnostic::Diagnostics;

impl Bibliography {
    /// Parses `references.bib`, reporting syntax errors, malformed fields and
    /// duplicate keys at their positions.
    pub fn load(source: Option<&SourceFile>, style: IndependentStyle, diagnostics: &mut Diagnostics) -> Bibliography {
        let Some(source) = source else { return Bibliography::new(Library::new(), style, Vec::new()) };
        let text = source.text.as_str();
        // Parse the whole file (so @string abbreviations work); if that fails,
        // parse entry by entry to report every broken entry and keep the rest.
        // Problems the BibTeX parser cannot survive are found first, reported,
        // and neutralised in a copy of the text (same length, same positions).
        let sanitized = guard_bibtex(source, diagnostics);
        let parse = |t: &str| std::panic::catch_unwind(|| biblatex::Bibliography::parse(t));
        let chunks: Vec<(usize, &str)> = match parse(&sanitized) {
            Ok(Ok(_)) => vec![(0, sanitized.as_str())],
            _ => split_entries(&sanitized),
        };
        let mut library = Library::new();
        let mut keys: Vec<String> = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        let mut broken = std::collections::HashSet::new();
        for (offset, chunk) in chunks {
            if let Some(open) = unclosed_brace(chunk) {
                // The parser would report this at the next entry or the end of the file.
                if let Some(key) = entry_key(chunk) {
                    broken.insert(key);
                }
                diagnostics.push(
                    source
                        .error(offset + open..offset + open + 1, "this `{` is never closed")
                        .with_hint("add the missing `}`; until then the entry runs into the next one"),
                );
                continue;
            }
            let parsed = match parse(chunk) {
                Ok(Ok(p)) => p,
                Err(_) => {
                    if let Some(key) = entry_key(chunk) {
                        broken.insert(key);
                    }
                    diagnostics.push(
                        source
                            .error(
                                offset..offset + chunk.find('\n').unwrap_or(chunk.len()),
                                "the BibTeX parser could not read this entry",
                            )
                            .with_hint("check this entry's fields; simplify it until `handbook check` accepts it"),
                    );
                    continue;
                }
                Ok(Err(e)) => {
                    if let Some(key) = entry_key(chunk) {
                        broken.insert(key);
                    }
                    let span = offset + e.span.start..offset + e.span.end;
                    let message = format!("BibTeX syntax error: {}", e.kind);
                    diagnostics.push(source.error(span, message).with_hint(bib_hint(&e.kind.to_string())));
                    continue;
                }
            };
            for entry in parsed.iter() {
                // The key follows the entry's opening brace (it may also occur in `@article`).
                let key_at = offset
                    + chunk
                        .match_indices('{')
                        .map(|(i, _)| i + 1)
                        .find(|&i| chunk[i..].trim_start().starts_with(entry.key.as_str()))
                        .map_or(0, |i| i + (chunk[i..].len() - chunk[i..].trim_start().len()));
                if let Some(&first) = first_seen.get(&entry.key) {
                    let (line, _) = crate::diagnostic::line_col(text, first);
                    diagnostics.push(
                        source
                            .error(key_at..key_at + entry.key.len(), format!("duplicate BibTeX key `{}`", entry.key))
                            .with_hint(format!(
                                "the key is first used on line {line}; merge the two entries or rename one"
                            )),
                    );
                    continue;
                }
                let converted = match std::panic::catch_unwind(|| Entry::try_from(entry)) {
                    Ok(result) => result,
                    Err(_) => {
                        broken.insert(entry.key.clone());
                        diagnostics.push(
                            source
                                .error(
                                    key_at..key_at + entry.key.len(),
                                    format!("the fields of `{}` could not be read", entry.key),
                                )
                                .with_hint("check its dates and numbers (year, month, pages, volume)"),
                        );
                        continue;
                    }
                };
                if let Some(url) = entry.get("url")
                    && let Some(scheme) =
                        crate::content::url::forbidden_scheme(&biblatex::ChunksExt::format_verbatim(url))
                {
                    broken.insert(entry.key.clone());
                    let span = match (url.first(), url.last()) {
                        (Some(a), Some(b)) => offset + a.span.start..offset + b.span.end,
                        _ => key_at..key_at + entry.key.len(),
                    };
                    diagnostics.push(
                        source
                            .error(span, format!("a `{scheme}:` address is not published"))
                            .with_hint("a source's url must be an http or https address"),
                    );
                    continue;
                }
                match converted {
                    Ok(e) => {
                        first_seen.insert(entry.key.clone(), key_at);
                        keys.push(entry.key.clone());
                        library.push(&e);
                    }
                    Err(err) => {
                        broken.insert(entry.key.clone());
                        diagnostics.push(
                            source
                                .error(
                                    offset + err.span.start..offset + err.span.end,
                                    format!("in `{}`: {}", entry.key, err.kind),
                                )
                                .with_hint("fix the field's value (dates are YYYY-MM-DD, page ranges 33--42)"),
                        );
                    }
                }
            }
        }
        let mut bibliography = Bibliography::new(library, style, keys);
        bibliography.broken = broken;
        bibliography
    }
}

/// Finds what would crash the BibTeX parser (a crossref or xdata cycle, which
/// overflows its stack; a month outside 1–12, which underflows in its date
/// code), reports it, and returns a copy of `text` with those fields renamed
/// so they are ignored. Positions are unchanged.
fn guard_bibtex(source: &SourceFile, diagnostics: &mut Diagnostics) -> String {
    let text = source.text.as_str();
    let mut out = text.to_string();
    let lower = text.to_ascii_lowercase();
    // (field name, value start, value) for month, crossref and xdata fields.
    let fields = |name: &str| -> Vec<(usize, usize, String)> {
        let mut found = Vec::new();
        for (at, _) in lower.match_indices(name) {
            let before_ok = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
            let rest = &text[at + name.len()..];
            let trimmed = rest.trim_start();
            if !before_ok || !trimmed.starts_with('=') {
                continue;
            }
            let value_part = trimmed[1..].trim_start();
            let value_at = text.len() - value_part.len();
            let value: String = value_part
                .trim_start_matches(['{', '"'])
                .chars()
                .take_while(|c| !matches!(c, '}' | '"' | ',' | '\n'))
                .collect();
            found.push((at, value_at, value.trim().to_string()));
        }
        found
    };
    let mut rename = |at: usize, from: &str, to: &str| {
        out.replace_range(at..at + from.len(), to);
    };
    for (at, value_at, value) in fields("month") {
        if let Ok(n) = value.parse::<i64>()
            && !(1..=12).contains(&n)
        {
            diagnostics.push(
                source
                    .error(value_at..value_at + value.len().max(1) + 1, format!("there is no month {n}"))
                    .with_hint("write the month as 1–12 (or jan … dec), or put the full date in `date = {YYYY-MM-DD}`"),
            );
            rename(at, "month", "monty");
        }
    }
    // The crossref/xdata graph, by the entry each field sits in.
    let starts: Vec<(usize, String)> =
        split_entries(text).into_iter().filter_map(|(o, c)| entry_key(c).map(|k| (o, k))).collect();
    let owner = |at: usize| starts.iter().rev().find(|(o, _)| *o <= at).map(|(_, k)| k.clone());
    let mut edges: HashMap<String, Vec<(String, usize, &'static str)>> = HashMap::new();
    for name in ["crossref", "xdata"] {
        for (at, _, value) in fields(name) {
            if let Some(from) = owner(at) {
                for target in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    edges.entry(from.clone()).or_default().push((target.to_string(), at, name));
                }
            }
        }
    }
    let mut reported = std::collections::HashSet::new();
    let mut keys: Vec<&String> = edges.keys().collect();
    keys.sort();
    for start in keys {
        // Follow references from `start`; a path back to it is a cycle.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = std::collections::HashSet::new();
        while let Some((node, path)) = stack.pop() {
            for (target, at, name) in edges.get(&node).map(Vec::as_slice).unwrap_or_default() {
                if target == start {
                    if reported.insert((*at, *name)) {
                        let cycle = format!("{} → {target}", path.join(" → "));
                        diagnostics.push(
                            source.error(*at..*at + name.len(), format!("{name} cycle: {cycle}")).with_hint(format!(
                                "an entry cannot inherit from itself; remove one `{name}` of the cycle"
                            )),
                        );
                        rename(*at, name, if *name == "crossref" { "crossrex" } else { "xdatx" });
                    }
                } else if seen.insert(target.clone()) {
                    let mut p = path.clone();
                    p.push(target.clone());
                    stack.push((target.clone(), p));
                }
            }
        }
    }
    out
}

/// Where `chunk` (one entry's text) has a `{` that is never closed: the
/// brace of the field value that is still open when a line starting the
/// next field (`name =`) begins, or else the entry's own brace. `\{` is not
/// a brace.
fn unclosed_brace(chunk: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut escaped = false;
    let mut field_left_open = None;
    for (i, b) in chunk.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            b'\n' if open.len() >= 2 && field_left_open.is_none() && starts_field(&chunk[i + 1..]) => {
                field_left_open = Some(open[1]);
            }
            _ => {}
        }
    }
    let entry_brace = *open.first()?;
    Some(field_left_open.unwrap_or(entry_brace))
}

/// Does `line` start a BibTeX field, `name =`?
fn starts_field(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    let name_len = line.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')).count();
    name_len > 0 && line[name_len..].trim_start_matches([' ', '\t']).starts_with('=')
}

/// The key of the entry a chunk of BibTeX starts (`@type{key,`), if readable.
fn entry_key(chunk: &str) -> Option<String> {
    let open = chunk.find('{')?;
    let key = chunk[open + 1..].split([',', '\n', '}']).next()?.trim();
    (!key.is_empty()).then(|| key.to_string())
}

/// Splits BibTeX text at each line that starts an entry (`@type{`), with offsets.
fn split_entries(text: &str) -> Vec<(usize, &str)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('@') && trimmed[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            starts.push(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.iter().enumerate().map(|(i, &s)| (s, &text[s..starts.get(i + 1).copied().unwrap_or(text.len())])).collect()
}

fn bib_hint(kind: &str) -> String {
    if kind.contains("duplicate") {
        "each entry needs its own key; merge the two entries or rename one".to_string()
    } else {
        "check the braces and commas of this entry: @type{key, field = {value}, …}".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::load_style;

    #[test]
    fn reports_bad_bibtex_with_position() {
        let file = SourceFile {
            path: "references.bib".into(),
            text: "@article{a,\n  title = {x},\n}\n@article{a,\n  title = {y},\n}\n".into(),
        };
        let mut ds = Diagnostics::new();
        Bibliography::load(Some(&file), load_style("chicago-notes").unwrap(), &mut ds);
        let d = ds.iter().next().expect("a duplicate-key error");
        assert!(d.message.to_lowercase().contains("duplicate"), "{}", d.message);
        assert_eq!(d.line, 4, "{d:?}");
    }
}
