//! `handbook serve`: the site in memory, served over HTTP, rebuilt as files
//! change, with pages told to reload over server-sent events.
//!
//! - Watching: notify on `content/`, `templates/` and `static/`, its events
//!   folded into one batch per save ([`crate::serve::watch`]: an editor's
//!   write-to-temp-and-rename is one change, a burst of saves one rebuild).
//! - Rebuilding: a [`Session`] renders only the pages a change can affect.
//! - Reloading: served HTML pages (never the built site) get a small script
//!   that listens on `/__handbook/events`; a CSS-only change swaps
//!   stylesheets in place. A broken edit shows the problems in an overlay
//!   and the last good pages stay served.
//! - Serving: only files of the in-memory site; a path with `..` (plain or
//!   percent-encoded) is a 404.

mod dirty;
mod http;
pub mod session;
pub mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use serde::Serialize;

use crate::diagnostic::{Diagnostics, Format};
use crate::pipeline::Options;
use crate::serve::http::{Reply, Request, Response};
use crate::serve::session::{Report, Session};
use crate::serve::watch::Batch;
use crate::urls;

/// Where the live-reload script and the event stream are served; no page of
/// a handbook can have this path (entry ids are slugs).
pub const PREFIX: &str = "/__handbook/";
const SCRIPT: &str = include_str!("live-reload.js");

/// A message to the open pages.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Message {
    /// Reload the page.
    Reload { written: Vec<String>, removed: Vec<String> },
    /// Swap the stylesheets.
    Css,
    /// The handbook has errors: show them.
    Problems { problems: Vec<Problem> },
}

/// One problem, as the overlay shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub location: String,
    pub severity: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Message {
    fn problems(diagnostics: &Diagnostics) -> Message {
        let problems = diagnostics
            .iter()
            .map(|d| Problem {
                location: d.location(),
                severity: if d.is_error() { "error".into() } else { "warning".into() },
                message: d.message.clone(),
                hint: d.hint.clone(),
            })
            .collect();
        Message::Problems { problems }
    }

    fn event_name(&self) -> &'static str {
        match self {
            Message::Reload { .. } => "reload",
            Message::Css => "css",
            Message::Problems { .. } => "problems",
        }
    }

    /// The message as a server-sent event.
    fn to_sse(&self) -> String {
        format!("event: {}\ndata: {}\n\n", self.event_name(), serde_json::to_string(self).unwrap_or_default())
    }
}

/// The open pages' event streams, each with the page it belongs to, and
/// the problems of the current state. One lock holds both, so a page that
/// connects while a rebuild reports gets the report either as it connects
/// or on its stream, never neither.
#[derive(Default)]
struct Clients {
    state: Mutex<ClientState>,
}

#[derive(Default)]
struct ClientState {
    senders: Vec<(Sender<String>, String)>,
    /// The problems of the current state, sent to pages as they connect.
    problems: Option<Message>,
}

impl Clients {
    /// Records the problems of the current state (none if it built) and
    /// sends `message`, if any, to every open page.
    fn publish(&self, problems: Option<Message>, message: Option<&Message>) {
        let mut state = self.state.lock().expect("no panic while held");
        state.problems = problems;
        if let Some(message) = message {
            let text = message.to_sse();
            state.senders.retain(|(s, _)| s.send(text.clone()).is_ok());
        }
    }

    /// A stream for the page at output path `page`.
    fn subscribe(&self, page: String) -> Receiver<String> {
        let (tx, rx) = channel();
        let mut state = self.state.lock().expect("no panic while held");
        if let Some(m) = &state.problems {
            let _ = tx.send(m.to_sse());
        }
        state.senders.push((tx, page));
        rx
    }

    /// The output paths of the pages open now.
    fn pages(&self) -> std::collections::BTreeSet<String> {
        self.state.lock().expect("no panic while held").senders.iter().map(|(_, page)| page.clone()).collect()
    }
}

/// The content type of an output file, by extension.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "bib" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// What a request path names in the site.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An output file.
    File(String),
    /// A folder named without its trailing slash: redirect there.
    Redirect(String),
    /// Nothing (including every path that tries to leave the site).
    NotFound,
}

/// Maps a request path (`/exercises/`, `/a%20b.html?x=1`) to an output path,
/// refusing anything that is not plainly inside the site.
pub fn resolve(url: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else { return Resolved::NotFound };
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return Resolved::NotFound;
    }
    let segments: Vec<&str> = decoded[1..].split('/').collect();
    let inner = &segments[..segments.len() - 1];
    if segments.iter().any(|s| *s == ".." || *s == "." || s.starts_with("..")) || inner.iter().any(|s| s.is_empty()) {
        return Resolved::NotFound;
    }
    let joined = segments.join("/");
    if joined.is_empty() || joined.ends_with('/') {
        let index = format!("{joined}index.html");
        return if exists(&index) { Resolved::File(index) } else { Resolved::NotFound };
    }
    if exists(&joined) {
        return Resolved::File(joined);
    }
    if exists(&format!("{joined}/index.html")) {
        return Resolved::Redirect(format!("{path}/"));
    }
    Resolved::NotFound
}

/// Adds the live-reload script to an HTML page.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{PREFIX}live-reload.js\"></script>\n");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

/// The running server, for tests: its address; dropping it does not stop it.
pub struct Running {
    pub addr: SocketAddr,
}

/// Settings of `handbook serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    /// Print rebuild lines and diagnostics (off in tests).
    pub verbose: bool,
    /// Print how long each stage of each rebuild took.
    pub timings: bool,
}

/// Starts watching and serving; returns once the server listens.
pub fn start(options: Options, serve: ServeOptions) -> Result<Running, String> {
    let (mut session, report) = Session::start(options.clone());
    // Pages reload as soon as their own files are ready; the files that hold
    // the whole handbook (search index, print page, downloads) follow.
    session.defer_extras = true;
    let clients = Arc::new(Clients::default());
    if serve.verbose {
        print_report(&report, "initial build");
    }
    let report_failed = report.failed();
    if report_failed {
        clients.publish(Some(Message::problems(&report.diagnostics)), None);
    }
    let session = Arc::new(Mutex::new(session));
    let listener = std::net::TcpListener::bind((serve.bind, serve.port)).map_err(|e| {
        format!(
            "cannot listen on {}:{}: {e} (choose another port with --port, or stop the other server)",
            serve.bind, serve.port
        )
    })?;
    let addr = listener.local_addr().map_err(|e| format!("the server has no address: {e}"))?;

    // The watcher: its events are folded into batches, one rebuild each.
    let (tx, rx) = channel::<Vec<PathBuf>>();
    let (extras_tx, extras_rx) = channel::<()>();
    let (raw_tx, raw_rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(raw_tx).map_err(|e| format!("cannot watch files: {e}"))?;
    std::thread::spawn(move || {
        let mut batch = Batch::default();
        loop {
            let next = match batch.due() {
                Some(due) => raw_rx.recv_timeout(due.saturating_duration_since(Instant::now())),
                None => raw_rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match next {
                Ok(Ok(event)) => batch.add(&event, Instant::now(), is_noise),
                // The watcher's own trouble (a queue overflow): the next save is seen again.
                Ok(Err(_)) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if tx.send(batch.take()).is_err() {
                        break;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    let root = if options.root.as_os_str().is_empty() { PathBuf::from(".") } else { options.root.clone() };
    let mut watched: Vec<PathBuf> = Vec::new();
    for dir in ["content", "templates", "static"] {
        let path = root.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
            watched.push(path);
        }
    }
    // The root itself, not recursively: to notice a templates/ or static/ folder created later.
    watcher.watch(&root, RecursiveMode::NonRecursive).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    {
        let session = session.clone();
        let clients = clients.clone();
        let verbose = serve.verbose;
        let timings = serve.timings;
        let options = options.clone();
        std::thread::spawn(move || {
            let mut watcher = watcher; // lives as long as the loop
            let mut failing = report_failed;
            while let Ok(mut paths) = rx.recv() {
                // Fold changes that queued up during the last rebuild.
                while let Ok(more) = rx.try_recv() {
                    paths.extend(more);
                }
                // A templates/ or static/ folder that appeared: watch it, and take in its files.
                for dir in ["templates", "static"] {
                    let path = root.join(dir);
                    if path.is_dir()
                        && !watched.contains(&path)
                        && watcher.watch(&path, RecursiveMode::Recursive).is_ok()
                    {
                        paths.extend(files_in(&path));
                        watched.push(path);
                    }
                }
                // A folder that appeared, or was moved in: take in its files
                // (some may have been written before it was being watched).
                let folders: Vec<PathBuf> = paths
                    .iter()
                    .filter(|p| p.is_dir() && watched.iter().any(|w| p.starts_with(w) && *p != w))
                    .cloned()
                    .collect();
                for folder in folders {
                    paths.extend(files_in(&folder));
                }
                paths.retain(|p| !p.is_dir());
                paths.sort();
                paths.dedup();
                if paths.is_empty() {
                    continue;
                }
                let report = {
                    let mut session = session.lock().expect("no panic while held");
                    session.watched = clients.pages();
                    session.apply(&paths)
                };
                let what = describe_paths(&paths, &options.root);
                if verbose {
                    print_report(&report, &what);
                }
                if timings {
                    eprintln!("timings: {}", report.timings);
                }
                let message = if report.failed() {
                    Message::problems(&report.diagnostics)
                } else if report.css_only {
                    Message::Css
                } else {
                    Message::Reload { written: report.written.clone(), removed: report.removed.clone() }
                };
                // Pages showing problems reload once the handbook is good again,
                // even if the fix restored exactly the pages they show.
                let tell = report.failed() || failing || !report.written.is_empty() || !report.removed.is_empty();
                clients.publish(report.failed().then(|| message.clone()), tell.then_some(&message));
                failing = report.failed();
                let _ = extras_tx.send(());
            }
        });
    }
    // The files that hold the whole handbook (search index, print page,
    // downloads) are rebuilt here, without holding the session: a save made
    // meanwhile is not kept waiting; work for a superseded state is dropped.
    {
        let session = session.clone();
        std::thread::spawn(move || {
            // Its own threads: the files of a 10,000-entry handbook take
            // seconds, and in the shared pool a save's parallel work would
            // queue behind them.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads())
                .thread_name(|i| format!("handbook-extras-{i}"))
                .build()
                .ok();
            while extras_rx.recv().is_ok() {
                while extras_rx.try_recv().is_ok() {}
                loop {
                    let Some(job) = session.lock().expect("no panic while held").extras_job() else { break };
                    let pages = match &pool {
                        Some(pool) => pool.install(|| job.run()),
                        None => job.run(),
                    };
                    session.lock().expect("no panic while held").install_extras(job.generation(), pages);
                }
            }
        });
    }
    http::serve(listener, move |request| respond(request, &session, &clients));
    Ok(Running { addr })
}

/// The output path of a page by the path of its URL: `/` is `index.html`,
/// `/exercises/` is `exercises/index.html`, and a sub-path the page is
/// served under is not part of it (the server serves from its root).
fn page_path(url_path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(url_path).decode_utf8().map(|p| p.into_owned());
    let path = decoded.unwrap_or_default();
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() }
}

/// Serves until interrupted.
pub fn run(options: Options, serve: ServeOptions) -> Result<(), String> {
    let running = start(options, serve)?;
    eprintln!("Serving at http://{}/ (live reload on; Ctrl-C to stop)", running.addr);
    loop {
        std::thread::park();
    }
}

/// Editor swap files, backups and lock files are not changes to the handbook.
fn is_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.starts_with('.') && name != ".")
        || name.contains(".tmp.")
}

/// The files under `folder`, but editors' temporary files.
fn files_in(folder: &Path) -> impl Iterator<Item = PathBuf> {
    walkdir::WalkDir::new(folder)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !is_noise(e.path()))
        .map(|e| e.into_path())
}

fn describe_paths(paths: &[PathBuf], root: &Path) -> String {
    let abs_root =
        std::fs::canonicalize(if root.as_os_str().is_empty() { Path::new(".") } else { root }).unwrap_or_default();
    let names: Vec<String> =
        paths.iter().map(|p| p.strip_prefix(&abs_root).unwrap_or(p).display().to_string()).collect();
    match names.len() {
        0 => "nothing".into(),
        1..=3 => names.join(", "),
        n => format!("{}, … ({n} files)", names[..2].join(", ")),
    }
}

fn print_report(report: &Report, what: &str) {
    if !report.diagnostics.is_empty() {
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
        eprint!(
            "{}",
            crate::diagnostic::render(&report.diagnostics, Format::Human, color, &crate::pipeline::read_for_snippet)
        );
    }
    let ms = report.elapsed.as_secs_f64() * 1000.0;
    if report.failed() {
        eprintln!(
            "{what}: {} error(s); still serving the last good pages ({ms:.1} ms)",
            report.diagnostics.error_count()
        );
    } else {
        eprintln!(
            "{what}: {} page(s) written{} in {ms:.1} ms",
            report.written.len(),
            if report.removed.is_empty() { String::new() } else { format!(", {} removed", report.removed.len()) }
        );
    }
}

fn respond(request: &Request, session: &Mutex<Session>, clients: &Clients) -> Reply {
    let url = request.target.as_str();
    if let Some(rest) = url.strip_prefix(PREFIX) {
        return match rest.split('?').next().unwrap_or_default() {
            "live-reload.js" => Reply::Whole(
                Response::new(200, SCRIPT)
                    .header("Content-Type", "text/javascript; charset=utf-8")
                    .header("Cache-Control", "no-store"),
            ),
            "events" => {
                // `?page=/exercises/joint-sea.html`: the page this stream belongs to.
                let page =
                    rest.split_once("?page=").and_then(|(_, p)| p.split('&').next()).map(page_path).unwrap_or_default();
                let rx = clients.subscribe(page);
                Reply::Stream { content_type: "text/event-stream", write: Box::new(move |out| stream_events(&rx, out)) }
            }
            _ => Reply::Whole(Response::new(404, "not found")),
        };
    }
    let (resolved, not_found) = {
        let mut session = session.lock().expect("no panic while held");
        // A page the last update touched but left for later is rendered now.
        let path = page_path(url.split(['?', '#']).next().unwrap_or_default());
        if session.is_stale(&path) {
            session.render_now(&path);
        }
        let resolved = resolve(url, |p| session.page(p).is_some());
        let body = match &resolved {
            Resolved::File(p) => session.page(p).map(|b| (p.clone(), b)),
            _ => None,
        };
        (resolved_body(resolved, body), session.page(urls::NOT_FOUND))
    };
    match resolved {
        Ok((path, bytes)) => {
            let body = if path.ends_with(".html") { inject(&bytes) } else { bytes.to_vec() };
            Reply::Whole(
                Response::new(200, body)
                    .header("Content-Type", content_type(&path))
                    .header("Cache-Control", "no-store"),
            )
        }
        Err(Some(location)) => Reply::Whole(Response::new(301, Vec::new()).header("Location", location)),
        Err(None) => {
            let body = match not_found {
                Some(page) => inject(&page),
                None => inject(b"<!DOCTYPE html><title>Not found</title><h1>Not found</h1></body>"),
            };
            Reply::Whole(Response::new(404, body).header("Content-Type", "text/html; charset=utf-8"))
        }
    }
}

/// Writes a page's events as they come, until its page is closed.
fn stream_events(rx: &Receiver<String>, out: &mut dyn Write) {
    if out.write_all(b"retry: 500\n\n").and_then(|_| out.flush()).is_err() {
        return;
    }
    loop {
        // A comment every 15 s keeps proxies from closing the stream, and finds closed pages.
        let text = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(text) => text,
            Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

type Body = Result<(String, session::Bytes), Option<String>>;

fn resolved_body(resolved: Resolved, body: Option<(String, session::Bytes)>) -> Body {
    match (resolved, body) {
        (Resolved::File(_), Some(found)) => Ok(found),
        (Resolved::Redirect(location), _) => Err(Some(location)),
        _ => Err(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(p: &str) -> bool {
        ["index.html", "exercises/index.html", "exercises/joint-sea.html", "a b.html"].contains(&p)
    }

    #[test]
    fn resolves_paths_inside_the_site_only() {
        assert_eq!(resolve("/", site), Resolved::File("index.html".into()));
        assert_eq!(resolve("/exercises/", site), Resolved::File("exercises/index.html".into()));
        assert_eq!(resolve("/exercises", site), Resolved::Redirect("/exercises/".into()));
        assert_eq!(
            resolve("/exercises/joint-sea.html?x=1#2016", site),
            Resolved::File("exercises/joint-sea.html".into())
        );
        assert_eq!(resolve("/a%20b.html", site), Resolved::File("a b.html".into()));
        for bad in [
            "/../etc/passwd",
            "/exercises/../../x",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc",
            "/..%5c..%5cwin.ini",
            "/x%00",
            "//etc/passwd",
            "/%zz",
        ] {
            assert_eq!(resolve(bad, site), Resolved::NotFound, "{bad}");
        }
    }

    #[test]
    fn injects_the_script_before_the_end_of_body() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>")).unwrap();
        assert_eq!(out, "<html><body><p>x</p><script src=\"/__handbook/live-reload.js\"></script>\n</body></html>");
    }
}
