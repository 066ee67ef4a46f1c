//! Outgoing email through one interface. Development and tests write one `.eml` file per message
//! into a folder (tests read invitations from there); production sends through SMTP.

use std::path::PathBuf;

use chrono::Utc;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    /// One RFC 5322 `.eml` file per message in this folder.
    Files { folder: PathBuf, from: String },
    /// A pooled connection to an SMTP relay (TLS as the URL says).
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

/// By hand, so the SMTP password inside the transport never reaches a log line.
impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Files { folder, from } => f
                .debug_struct("Files")
                .field("folder", folder)
                .field("from", from)
                .finish(),
            Mailer::Smtp { from, .. } => f.debug_struct("Smtp").field("from", from).finish(),
        }
    }
}

impl Mailer {
    /// SMTP from a URL such as `smtps://user:password@smtp.example.org` (TLS from the start, port
    /// 465), `smtp://smtp.example.org:587?tls=required` (STARTTLS) or `smtp://localhost:25` (plain,
    /// for a relay on the same host). Checked at start-up so a typo stops the server, not the
    /// first invitation. Call it inside the Tokio runtime: the connection pool lives there.
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| format!("EPEP_SMTP_URL is not a usable SMTP address: {error}"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|error| {
            format!(
                "EPEP_MAIL_FROM must be an address such as \"ePEP <pep@council.gov.uk>\": {error}"
            )
        })?;
        Ok(Mailer::Smtp { transport, from })
    }

    pub async fn send(&self, email: &Email) -> std::io::Result<()> {
        match self {
            Mailer::Smtp { transport, from } => {
                let to = email.to.parse::<Mailbox>().map_err(|error| {
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, error)
                })?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(header_safe(&email.subject))
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.body.clone())
                    .map_err(|error| {
                        std::io::Error::new(std::io::ErrorKind::InvalidInput, error)
                    })?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(std::io::Error::other)
            }
            Mailer::Files { folder, from } => {
                tokio::fs::create_dir_all(folder).await?;
                let id = uuid::Uuid::now_v7().simple().to_string();
                let message = format!(
                    "From: {from}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{id}@epep>\r\n\
                     MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
                     Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                    header_safe(&email.to),
                    header_safe(&email.subject),
                    Utc::now().to_rfc2822(),
                    email.body.replace('\n', "\r\n"),
                );
                tokio::fs::write(folder.join(format!("{id}.eml")), message).await
            }
        }
    }
}

/// Header values cannot carry line breaks (no header injection through a name or address).
fn header_safe(value: &str) -> String {
    value.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_message_is_one_eml_file_and_headers_cannot_be_injected() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::Files {
            folder: dir.path().join("mail"),
            from: "ePEP <no-reply@epep.example>".into(),
        };
        let email = Email {
            to: "sarah@school.example\r\nBcc: evil@example.com".into(),
            subject: "You are invited".into(),
            body: "Line one\nLine two".into(),
        };
        mailer.send(&email).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(
            text.contains("To: sarah@school.exampleBcc: evil@example.com\r\n"),
            "{text}"
        );
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(text.ends_with("Line one\r\nLine two\r\n"));
    }

    /// A real SMTP conversation with lettre as the client, against a minimal relay on loopback
    /// that records what it is given (no SMTP server package is needed on the machine).
    #[tokio::test]
    async fn smtp_delivers_one_message_to_the_relay() {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let relay = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            let mut transcript = Vec::new();
            let mut in_data = false;
            write.write_all(b"220 test relay\r\n").await.unwrap();
            while let Some(line) = lines.next_line().await.unwrap() {
                transcript.push(line.clone());
                let reply: &[u8] = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    b"250 queued\r\n"
                } else if line.starts_with("EHLO") {
                    b"250 test relay\r\n"
                } else if line == "DATA" {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if line == "QUIT" {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"250 ok\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
            transcript
        });

        let mailer = Mailer::smtp(
            &format!("smtp://127.0.0.1:{port}"),
            "ePEP <no-reply@epep.example>",
        )
        .unwrap();
        mailer
            .send(&Email {
                to: "sarah@school.example".into(),
                subject: "You are invited".into(),
                body: "Line one\nLine two".into(),
            })
            .await
            .unwrap();
        drop(mailer); // closes the pooled connection, so the relay sees QUIT
        let transcript = relay.await.unwrap().join("\n");
        assert!(
            transcript.contains("MAIL FROM:<no-reply@epep.example>"),
            "{transcript}"
        );
        assert!(
            transcript.contains("RCPT TO:<sarah@school.example>"),
            "{transcript}"
        );
        assert!(
            transcript.contains("Subject: You are invited"),
            "{transcript}"
        );
        assert!(transcript.contains("Line one"), "{transcript}");
    }

    #[tokio::test]
    async fn a_bad_smtp_setting_says_what_to_change() {
        let error = Mailer::smtp("ftp://mail.example", "ePEP <a@b.example>").unwrap_err();
        assert!(error.contains("EPEP_SMTP_URL"), "{error}");
        let error = Mailer::smtp("smtp://localhost", "not an address").unwrap_err();
        assert!(error.contains("EPEP_MAIL_FROM"), "{error}");
    }

    #[tokio::test]
    async fn smtp_refuses_an_address_it_cannot_parse_before_connecting() {
        // Port 9 on loopback has nothing listening: an attempt to connect would fail differently.
        let mailer = Mailer::smtp("smtp://127.0.0.1:9", "ePEP <a@b.example>").unwrap();
        let error = mailer
            .send(&Email {
                to: "not an address".into(),
                subject: "x".into(),
                body: "y".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
