package shop

// Display preferences a visitor can choose; anything else means the default.
var (
	Themes = []string{"system", "light", "dark"}
	Views  = []string{"grid", "list"}
)

// Preferences are a visitor's validated display choices.
type Preferences struct {
	Theme string // one of Themes
	View  string // one of Views
	Sort  Sort   // default catalogue order (never relevance)
	// Alerts: sound and a tab count for new orders on the staff board.
	Alerts bool
}

// NormalizePreferences maps anything not on the allow-lists to the default.
func NormalizePreferences(theme, view, sort string) Preferences {
	p := Preferences{Theme: "system", View: "grid", Sort: SortName}
	if oneOf(theme, Themes) {
		p.Theme = theme
	}
	if oneOf(view, Views) {
		p.View = view
	}
	if s := ParseSort(sort, SortName); s != SortRelevance {
		p.Sort = s
	}
	return p
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
