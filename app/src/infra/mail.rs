//! Outgoing email through one interface. Development and tests write one `.eml` file per message
//! into a folder (tests read invitations from there); production will send through SMTP.

use std::path::PathBuf;

use chrono::Utc;

#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub enum Mailer {
    /// One RFC 5322 `.eml` file per message in this folder.
    Files { folder: PathBuf, from: String },
}

impl Mailer {
    pub async fn send(&self, email: &Email) -> std::io::Result<()> {
        match self {
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
}
