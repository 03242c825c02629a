//! Which device clicked, from the User-Agent: iPhone/iPad/iPod → the App Store, Android →
//! Google Play (with an install referrer the app reads on first launch), anything else →
//! the landing page. iPadOS Safari that claims to be a Mac gets the landing page, whose
//! SMS link then routes the phone or tablet correctly.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Ios,
    Android,
    Other,
}

impl Platform {
    pub fn from_user_agent(user_agent: &str) -> Self {
        if ["iPhone", "iPad", "iPod"]
            .iter()
            .any(|d| user_agent.contains(d))
        {
            Platform::Ios
        } else if user_agent.contains("Android") {
            Platform::Android
        } else {
            Platform::Other
        }
    }
}

/// The Play Store URL with `referrer=<already encoded referrer>` appended.
pub fn play_store_url(base: &str, encoded_referrer: &str) -> String {
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}referrer={encoded_referrer}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_from_real_user_agents() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
        let ipad = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36";
        let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
        assert_eq!(Platform::from_user_agent(iphone), Platform::Ios);
        assert_eq!(Platform::from_user_agent(ipad), Platform::Ios);
        assert_eq!(Platform::from_user_agent(android), Platform::Android);
        assert_eq!(Platform::from_user_agent(desktop), Platform::Other);
        assert_eq!(Platform::from_user_agent(""), Platform::Other);
    }

    #[test]
    fn referrer_is_appended_to_the_store_url() {
        assert_eq!(
            play_store_url(
                "https://play.google.com/store/apps/details?id=x",
                "link_code%3D1"
            ),
            "https://play.google.com/store/apps/details?id=x&referrer=link_code%3D1"
        );
        assert_eq!(
            play_store_url("https://play.example/app", "a%3Db"),
            "https://play.example/app?referrer=a%3Db"
        );
    }
}
