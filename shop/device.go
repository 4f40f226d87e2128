package shop

import "strings"

// DeviceName says in words which browser on which system a User-Agent is,
// for the list of signed-in devices: "Chrome on Android".
func DeviceName(userAgent string) string {
	ua := strings.ToLower(userAgent)
	browser := "A browser"
	for _, b := range []struct{ token, name string }{
		{"edg/", "Edge"}, {"opr/", "Opera"}, {"firefox/", "Firefox"}, {"crios/", "Chrome"},
		{"chrome/", "Chrome"}, {"chromium/", "Chromium"}, {"safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"iphone", "iPhone"}, {"ipad", "iPad"}, {"android", "Android"}, {"windows", "Windows"},
		{"mac os x", "a Mac"}, {"cros", "ChromeOS"}, {"linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}
