//! `handbook serve` end to end: a server on a free port, pages fetched over
//! HTTP, entries edited on disk, reload and problem events observed on the
//! event stream, traversal attempts refused.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use common::Site;
use handbook::pipeline::Options;
use handbook::serve::{ServeOptions, start};

/// A raw HTTP/1.1 GET: (status, content type, body). Paths are sent exactly
/// as given, so traversal attempts reach the server unnormalised.
fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap_or("0").parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Type: ").or_else(|| l.strip_prefix("content-type: ")))
        .unwrap_or_default()
        .to_string();
    (status, content_type, body.to_string())
}

/// Subscribes to the event stream; yields (event name, data) pairs.
fn events(addr: SocketAddr) -> Receiver<(String, String)> {
    events_of(addr, "/")
}

/// Subscribes to the event stream of the page at `page` (a URL path).
fn events_of(addr: SocketAddr, page: &str) -> Receiver<(String, String)> {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET /__handbook/events?page={page} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut name = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            let l = line.trim_end().to_string();
            line.clear();
            if let Some(n) = l.strip_prefix("event: ") {
                name = n.to_string();
            } else if let Some(d) = l.strip_prefix("data: ")
                && tx.send((name.clone(), d.to_string())).is_err()
            {
                return;
            }
        }
    });
    rx
}

fn serve(site: &Site) -> SocketAddr {
    let options = Options::new(site.root());
    let running =
        start(options, ServeOptions { bind: "127.0.0.1".parse().unwrap(), port: 0, verbose: false, timings: false })
            .unwrap();
    running.addr
}

fn wait_for(rx: &Receiver<(String, String)>, name: &str) -> String {
    loop {
        let (n, data) = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_else(|_| panic!("no `{name}` event"));
        if n == name {
            return data;
        }
    }
}

#[test]
fn serves_pages_with_the_reload_script_and_correct_types() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let (status, ty, body) = get(addr, "/mechanisms/alpha.html");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("<h1>Alpha Meetings</h1>"));
    assert!(body.contains(r#"<script src="/__handbook/live-reload.js"></script>"#));
    let (status, ty, _) = get(addr, "/style.css");
    assert_eq!((status, ty.as_str()), (200, "text/css; charset=utf-8"));
    let (status, ty, body) = get(addr, "/chronology/");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("<h1>Chronology</h1>"));
    let (status, _, body) = get(addr, "/");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Test Handbook</h1>"));
    let (status, ty, _) = get(addr, "/__handbook/live-reload.js");
    assert_eq!((status, ty.as_str()), (200, "text/javascript; charset=utf-8"));
    // Misses get the site's 404 page, with a 404 status.
    let (status, _, body) = get(addr, "/exercises/nothing-here.html");
    assert_eq!(status, 404);
    assert!(body.contains("<h1>Page not found</h1>"));
    // The build output is not where the server reads from, and never gets the script.
    assert!(!site.out().exists());
}

#[test]
fn traversal_attempts_get_404_and_nothing_outside() {
    let site = Site::copy_of("basic");
    std::fs::write(site.root().join("secret.txt"), "do not serve").unwrap();
    let addr = serve(&site);
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/exercises/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/content/site.yaml",
        "//secret.txt",
        "/secret.txt%00.html",
    ] {
        let (status, _, body) = get(addr, path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("do not serve"), "{path}");
    }
}

#[test]
fn an_edit_on_disk_reloads_and_changes_the_page() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    site.edit("content/mechanisms/alpha.md", "They meet every year.", "They meet every single year.");
    let data = wait_for(&rx, "reload");
    assert!(data.contains("mechanisms/alpha.html"), "{data}");
    let (_, _, body) = get(addr, "/mechanisms/alpha.html");
    assert!(body.contains("They meet every single year."));
}

#[test]
fn a_broken_edit_shows_problems_until_fixed() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    site.edit("content/exercises/drill.md", "part_of: alpha", "part_of: alpah");
    let data = wait_for(&rx, "problems");
    let json: serde_json::Value = serde_json::from_str(&data).unwrap();
    let problem = &json["problems"][0];
    assert!(problem["location"].as_str().unwrap().ends_with("content/exercises/drill.md:9:12"), "{problem}");
    assert_eq!(problem["message"], "no entry has the id `alpah`");
    assert_eq!(problem["hint"], "did you mean `alpha`? Ids are entry file names without .md");
    // The last good page is still served.
    let (status, _, body) = get(addr, "/exercises/drill.html");
    assert_eq!(status, 200);
    assert!(body.contains("Alpha Meetings"));
    // A page opened now learns of the problem at once.
    let late = events(addr);
    wait_for(&late, "problems");
    // Fixing it reloads the pages.
    site.edit("content/exercises/drill.md", "part_of: alpah", "part_of: alpha");
    wait_for(&rx, "reload");
}

#[test]
fn an_editor_style_atomic_save_is_one_change() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    // Write a temporary file, then rename it over the entry, as many editors do.
    let text = site.read_source("content/mechanisms/alpha.md").replace("They meet every year.", "Atomic save.");
    let tmp = site.root().join("content/mechanisms/.alpha.md.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, site.root().join("content/mechanisms/alpha.md")).unwrap();
    wait_for(&rx, "reload");
    let (_, _, body) = get(addr, "/mechanisms/alpha.html");
    assert!(body.contains("Atomic save."));
    // No second rebuild follows for the same save.
    std::thread::sleep(Duration::from_millis(500));
    assert!(rx.try_recv().is_err());
}

#[test]
fn a_file_written_in_two_parts_is_read_once_whole() {
    use std::io::Write;
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    // An editor that writes the file in pieces: the first half alone has no
    // closing front matter fence and would be an error.
    let text =
        site.read_source("content/mechanisms/alpha.md").replace("They meet every year.", "Written in two parts.");
    let (head, tail) = text.split_at(20);
    let mut file = std::fs::File::create(site.root().join("content/mechanisms/alpha.md")).unwrap();
    file.write_all(head.as_bytes()).unwrap();
    file.flush().unwrap();
    // Longer than the wait for a closed file, shorter than for an open one.
    std::thread::sleep(Duration::from_millis(15));
    file.write_all(tail.as_bytes()).unwrap();
    drop(file);
    let first = rx.recv_timeout(Duration::from_secs(20)).expect("an event");
    assert_eq!(first.0, "reload", "{first:?}");
    let (_, _, body) = get(addr, "/mechanisms/alpha.html");
    assert!(body.contains("Written in two parts."));
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx.try_recv().is_err(), "one rebuild for one save");
}

#[test]
fn a_new_folder_of_entries_is_taken_in() {
    let site = Site::copy_of("basic");
    let exercises = site.root().join("content/exercises");
    let drill = site.read_source("content/exercises/drill.md");
    std::fs::remove_dir_all(&exercises).unwrap();
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(addr, "/exercises/drill.html").0, 404);
    // The folder and its file at once, as a checkout or a copy makes them.
    std::fs::create_dir(&exercises).unwrap();
    std::fs::write(exercises.join("drill.md"), drill).unwrap();
    wait_for(&rx, "reload");
    let (status, _, body) = get(addr, "/exercises/drill.html");
    assert_eq!(status, 200);
    assert!(body.contains("<h1"), "{body}");
}

#[test]
fn a_stylesheet_change_is_swapped_without_reloading() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events(addr);
    std::thread::sleep(Duration::from_millis(300));
    site.write("static/style.css", "body { background: #eee; }\n");
    wait_for(&rx, "css");
    let (_, _, body) = get(addr, "/style.css");
    assert_eq!(body, "body { background: #eee; }\n");
}

#[test]
fn a_title_edit_reloads_the_open_page_first_and_every_other_page_is_current_when_asked_for() {
    let site = Site::copy_of("basic");
    let addr = serve(&site);
    let rx = events_of(addr, "/exercises/drill.html");
    // Let the server take in the subscription before the save.
    std::thread::sleep(Duration::from_millis(300));
    site.edit("content/exercises/drill.md", "title: Drill Series", "title: Drill Series Renamed");
    let data = wait_for(&rx, "reload");
    // The open page and the entry's own page are in the reload; the pages
    // that list the entry (its kind's list, the chronology, alpha's
    // Connections) may follow, but are current whenever they are asked for.
    assert!(data.contains("exercises/drill.html"), "{data}");
    for page in ["/exercises/drill.html", "/exercises/", "/chronology/", "/mechanisms/alpha.html", "/tags/land.html"] {
        let (status, _, body) = get(addr, page);
        assert_eq!(status, 200, "{page}");
        assert!(body.contains("Drill Series Renamed"), "{page} is not current");
    }
}
