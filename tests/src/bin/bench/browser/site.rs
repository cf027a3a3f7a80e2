//! A static site for the SurveyJS page: tests/bench/ and tests/node_modules/ on
//! 127.0.0.1, and the generated form from memory.

use std::{
    io::{Read as _, Write as _},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

/// Serves the files of tests/bench/ and tests/node_modules/ on `127.0.0.1`, one thread
/// per connection, plus one generated file from memory; notes what `Accept-Encoding`
/// the browser sends. It stops with the bench.
pub(super) struct StaticSite {
    pub(super) port: u16,
    accept_encoding: Arc<Mutex<Option<String>>>,
}

impl StaticSite {
    pub(super) fn start(
        root: PathBuf,
        extra_path: &'static str,
        extra: String,
    ) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let accept_encoding = Arc::new(Mutex::new(None));
        let seen = accept_encoding.clone();
        let extra = Arc::new(extra);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, extra, seen) = (root.clone(), extra.clone(), seen.clone());
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &root, (extra_path, &extra), &seen);
                });
            }
        });
        Ok(Self {
            port,
            accept_encoding,
        })
    }

    pub(super) fn accept_encoding(&self) -> Option<String> {
        self.accept_encoding.lock().ok().and_then(|s| s.clone())
    }
}

fn serve_one(
    mut stream: std::net::TcpStream,
    root: &Path,
    (extra_path, extra): (&str, &str),
    seen: &Mutex<Option<String>>,
) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let request = String::from_utf8_lossy(&request);
    for line in request.lines() {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("accept-encoding") {
                if let Ok(mut seen) = seen.lock() {
                    *seen = Some(value.trim().to_owned());
                }
            }
        }
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/");
    let body = if path == extra_path {
        Some(extra.as_bytes().to_vec())
    } else if (path.starts_with("/bench/") || path.starts_with("/node_modules/"))
        && !path.contains("..")
    {
        std::fs::read(root.join(&path[1..])).ok()
    } else {
        None
    };
    let (status, body) = match body {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let content_type = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}
