//! The HTTP/1.1 server under `handbook serve`: one thread per connection,
//! requests parsed by `httparse`, connections kept alive between requests.
//!
//! A thread per connection, not a pool: a browser keeps idle connections
//! open, and an event stream holds its connection for as long as its page is
//! open. A pool that hands a new connection to a thread still busy with an
//! old one leaves the new one waiting; here nothing waits for anything but
//! its own client. A development server on one machine has a few dozen
//! connections at most.
//!
//! Only what a browser sends a development server is understood: `GET` and
//! `HEAD` without a body. Anything else is answered, and the connection
//! closed, since its body (if any) is not read.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// The longest request head taken in (request line and headers).
const MAX_HEAD: usize = 32 * 1024;

/// The most headers a request may have.
const MAX_HEADERS: usize = 64;

/// How long an idle kept-alive connection stays open.
const IDLE: Duration = Duration::from_secs(120);

/// One request: its method and its target as sent (path and query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Request {
    pub(super) method: String,
    pub(super) target: String,
}

/// A response whose length is known.
#[derive(Debug)]
pub(super) struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    pub(super) fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response { status, headers: Vec::new(), body: body.into() }
    }

    pub(super) fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

/// Writes a streamed response's body to the connection, for as long as it
/// has something to say.
pub(super) type StreamBody = Box<dyn FnOnce(&mut dyn Write) + Send>;

/// What a handler answers: a whole response, or a stream that writes to the
/// connection until it returns (the connection is closed afterwards).
pub(super) enum Reply {
    Whole(Response),
    Stream { content_type: &'static str, write: StreamBody },
}

/// Accepts connections on `listener` for as long as the process runs, each
/// on its own thread, answering every request with `handler`.
pub(super) fn serve<H>(listener: TcpListener, handler: H)
where
    H: Fn(&Request) -> Reply + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            // A failed accept (the client gave up, too many open files) is
            // that client's problem; the next is served.
            let Ok(stream) = stream else { continue };
            let handler = handler.clone();
            std::thread::spawn(move || {
                let _ = connection(stream, &*handler);
            });
        }
    });
}

/// Serves one connection's requests in turn until it closes.
fn connection(stream: TcpStream, handler: &dyn Fn(&Request) -> Reply) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let head = match read_head(&mut reader) {
            Ok(Some(head)) => head,
            Ok(None) => return Ok(()),
            Err(Malformed::TooLong) => {
                return write_response(&mut writer, Response::new(431, "request head too long"), false, false);
            }
            Err(Malformed::Io(e)) => return Err(e),
        };
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        let (Ok(httparse::Status::Complete(_)), Some(method), Some(target), Some(version)) =
            (parsed.parse(&head), parsed.method, parsed.path, parsed.version)
        else {
            return write_response(&mut writer, Response::new(400, "bad request"), false, false);
        };
        let header = |name: &str| {
            parsed.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| String::from_utf8_lossy(h.value))
        };
        let has_body = header("transfer-encoding").is_some()
            || header("content-length").is_some_and(|n| n.trim().parse::<u64>().map_or(true, |n| n > 0));
        let connection = header("connection").unwrap_or_default().to_ascii_lowercase();
        let keep_alive =
            !has_body && if version == 1 { !connection.contains("close") } else { connection.contains("keep-alive") };
        let request = Request { method: method.to_string(), target: target.to_string() };
        let is_head = request.method == "HEAD";
        if request.method != "GET" && !is_head {
            // Read a small body first: closing with unread bytes resets the
            // connection, and the client may lose the answer.
            let length = header("content-length").and_then(|n| n.trim().parse::<u64>().ok()).unwrap_or(0);
            if length <= MAX_HEAD as u64 {
                io::copy(&mut (&mut reader).take(length), &mut io::sink())?;
            }
            let response = Response::new(405, "method not allowed").header("Allow", "GET, HEAD");
            return write_response(&mut writer, response, false, false);
        }
        match handler(&request) {
            Reply::Whole(response) => {
                write_response(&mut writer, response, is_head, keep_alive)?;
                if !keep_alive {
                    return Ok(());
                }
            }
            Reply::Stream { content_type, write } => {
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
                )?;
                writer.flush()?;
                if !is_head {
                    write(&mut writer);
                }
                return Ok(());
            }
        }
    }
}

enum Malformed {
    TooLong,
    Io(io::Error),
}

/// Reads one request head (up to and including its blank line); `None`
/// when the client closed the connection, or left it idle, between requests.
fn read_head(reader: &mut impl BufRead) -> Result<Option<Vec<u8>>, Malformed> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        match reader.read_until(b'\n', &mut head) {
            Ok(0) if head.is_empty() => return Ok(None),
            Ok(0) => return Err(Malformed::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(_) => {}
            Err(e) if head.is_empty() && matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Ok(None);
            }
            Err(e) => return Err(Malformed::Io(e)),
        }
        if head.len() > MAX_HEAD {
            return Err(Malformed::TooLong);
        }
        let line = &head[before..];
        // Blank lines before a request line are allowed (RFC 9112 §2.2).
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                head.clear();
                continue;
            }
            return Ok(Some(head));
        }
    }
}

fn write_response(out: &mut impl Write, response: Response, is_head: bool, keep_alive: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    ));
    out.write_all(head.as_bytes())?;
    if !is_head {
        out.write_all(&response.body)?;
    }
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    fn server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        serve(listener, |request| {
            if request.target == "/stream" {
                Reply::Stream {
                    content_type: "text/event-stream",
                    write: Box::new(|out| {
                        let _ = out.write_all(b"data: one\n\n");
                        let _ = out.flush();
                        std::thread::sleep(Duration::from_secs(30));
                    }),
                }
            } else {
                Reply::Whole(Response::new(200, request.target.clone()).header("Content-Type", "text/plain"))
            }
        });
        addr
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream
    }

    /// Reads one response with a Content-Length: (head, body).
    fn response(reader: &mut BufReader<TcpStream>) -> (String, String) {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "the connection closed after {head:?}");
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map(|n| n.parse().unwrap())
            .unwrap_or_default();
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (head, String::from_utf8(body).unwrap())
    }

    #[test]
    fn keeps_a_connection_alive_across_requests() {
        let addr = server();
        let mut stream = connect(addr);
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        for path in ["/a", "/b?x=1", "/c"] {
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let (head, body) = response(&mut reader);
            assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
            assert!(head.contains("Connection: keep-alive"), "{head}");
            assert_eq!(body, path);
        }
    }

    #[test]
    fn head_has_the_length_but_no_body_and_other_methods_are_refused() {
        let addr = server();
        let mut stream = connect(addr);
        write!(stream, "HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        let mut head = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            head.push_str(&line);
            line.clear();
        }
        assert!(head.contains("Content-Length: 4"), "{head}");
        // The next bytes are the second response, not a body.
        let (head, body) = response(&mut reader);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(body, "/d");

        let mut stream = connect(addr);
        write!(stream, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{raw}");
        assert!(raw.contains("Connection: close"), "{raw}");
    }

    #[test]
    fn malformed_and_oversized_heads_get_an_answer_and_a_close() {
        let addr = server();
        let mut stream = connect(addr);
        stream.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 400 "), "{raw}");

        let mut stream = connect(addr);
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        let _ = stream.write_all(long.as_bytes());
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        assert!(String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 431 "));
    }

    /// A browser keeps connections open and event streams hold theirs: a
    /// new connection is answered however many others are open and busy.
    #[test]
    fn new_connections_are_answered_while_many_others_stay_open() {
        let addr = server();
        let mut open = Vec::new();
        for i in 0..24 {
            let mut stream = connect(addr);
            let path = if i % 2 == 0 { "/stream" } else { "/idle" };
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            open.push(stream);
        }
        let answers: Vec<_> = (0..16)
            .map(|i| {
                std::thread::spawn(move || {
                    let mut stream = connect(addr);
                    write!(stream, "GET /n{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
                    let mut raw = String::new();
                    stream.read_to_string(&mut raw).unwrap();
                    raw
                })
            })
            .collect();
        for (i, answer) in answers.into_iter().enumerate() {
            let raw = answer.join().unwrap();
            assert!(raw.ends_with(&format!("/n{i}")), "{raw}");
        }
    }

    #[test]
    fn a_stream_is_written_as_it_goes() {
        let addr = server();
        let stream = connect(addr);
        let mut writer = stream.try_clone().unwrap();
        write!(writer, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reader = BufReader::new(stream);
        let mut seen = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 {
            seen.push_str(&line);
            if line == "data: one\n" {
                break;
            }
            line.clear();
        }
        assert!(seen.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"), "{seen}");
        assert!(seen.contains("Connection: close\r\n"), "{seen}");
    }
}
