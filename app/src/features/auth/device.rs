//! "Chrome on Android" from a browser's User-Agent, so people recognise their own devices in the
//! list of where they are signed in. A rough guide, never used for a security decision.

pub fn describe_device(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.filter(|a| !a.trim().is_empty()) else {
        return "An unknown device".to_string();
    };
    let has = |needle: &str| agent.contains(needle);
    let browser = if has("Edg/") || has("EdgiOS") || has("EdgA") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("SamsungBrowser") {
        "Samsung Internet"
    } else if has("Firefox/") || has("FxiOS") {
        "Firefox"
    } else if has("Chrome/") || has("CriOS") || has("Chromium/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        // Not a browser: a script or a tool, named by its first word ("curl/8.5.0").
        let name: String = agent
            .split_whitespace()
            .next()
            .unwrap_or(agent)
            .chars()
            .take(40)
            .collect();
        return format!("Another program ({name})");
    };
    let system = if has("iPhone") {
        "an iPhone"
    } else if has("iPad") {
        "an iPad"
    } else if has("Android") {
        "Android"
    } else if has("Windows") {
        "Windows"
    } else if has("CrOS") {
        "a Chromebook"
    } else if has("Macintosh") || has("Mac OS X") {
        "a Mac"
    } else if has("Linux") {
        "Linux"
    } else {
        return browser.to_string();
    };
    format!("{browser} on {system}")
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on an iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:132.0) Gecko/20100101 Firefox/132.0",
                "Firefox on a Mac",
            ),
            ("curl/8.5.0", "Another program (curl/8.5.0)"),
        ];
        for (agent, expected) in cases {
            assert_eq!(describe_device(Some(agent)), expected, "{agent}");
        }
        assert_eq!(describe_device(None), "An unknown device");
        assert_eq!(describe_device(Some("  ")), "An unknown device");
    }
}
