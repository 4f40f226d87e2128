package shop

import (
	"net/url"
	"strings"
	"testing"
)

func TestMoneyFormatting(t *testing.T) {
	cases := map[Money]string{
		{450, "GBP"}:       "£4.50",
		{5, "GBP"}:         "£0.05",
		{123456789, "EUR"}: "€1,234,567.89",
		{-250, "USD"}:      "-$2.50",
		{1500, "JPY"}:      "¥1,500",
		{1999, "SEK"}:      "19.99 kr",
		{100, "XYZ"}:       "1.00 XYZ",
	}
	for m, want := range cases {
		if got := m.String(); got != want {
			t.Errorf("%+v = %q, want %q", m, got, want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	good := map[string]int64{"3.50": 350, "15": 1500, "0.5": 50, "0": 0,
		"£12.50": 1250, " £ 12.50 ": 1250, "£1,250.00": 125000, "1,234": 123400, "12.50 GBP": 1250, "GBP 3": 300, "12,345,678.90": 1234567890}
	for s, want := range good {
		if got, err := ParseAmount(s, "GBP"); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1", "3.505", "abc", "3.", ".5", "1e3", "1.-5", "3.+5", "-0.50", "0.-5", "+1", "1 .5", "1,50",
		"£", "£-1", "$3", "1,2345", ",123", "1,234,56", "££3"} {
		if _, err := ParseAmount(s, "GBP"); err == nil {
			t.Errorf("ParseAmount(%q) accepted", s)
		}
	}
	if got, _ := ParseAmount("1500", "JPY"); got != 1500 {
		t.Errorf("JPY has no minor units: got %d", got)
	}
}

func TestTSQueryOnlyLettersAndDigitsSurvive(t *testing.T) {
	cases := map[string]string{
		"sourd":                 "sourd:*",
		"  Sourdough  LOAF ":    "sourdough:* & loaf:*",
		"a&b|c:*!(d)":           "a:* & b:* & c:* & d:*",
		"' OR 1=1 --":           "or:* & 1:* & 1:*",
		"":                      "",
		"!!!":                   "",
		"crème brûlée":          "crème:* & brûlée:*",
		"a b c d e f g h i j k": "a:* & b:* & c:* & d:* & e:* & f:* & g:* & h:*",
	}
	for in, want := range cases {
		if got := TSQuery(in); got != want {
			t.Errorf("TSQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCatalogueQuery(t *testing.T) {
	q, err := ParseCatalogueQuery(url.Values{"q": {"bread"}, "category": {"bread"}, "page": {"2"}}, SortName)
	if err != nil || q.Sort != SortRelevance || q.Page != 2 || q.Category != "bread" {
		t.Fatalf("%+v %v", q, err)
	}
	if q, _ := ParseCatalogueQuery(url.Values{"sort": {"evil"}, "category": {"../x"}}, SortNewest); q.Sort != SortNewest || q.Category != "" {
		t.Fatalf("unknown sort or bad category not defaulted: %+v", q)
	}
	for _, page := range []string{"0", "-1", "x", "10001", "99999999999999999999"} {
		if _, err := ParseCatalogueQuery(url.Values{"page": {page}}, SortName); err == nil {
			t.Errorf("page %q accepted", page)
		}
	}
	if _, err := ParseCatalogueQuery(url.Values{"q": {strings.Repeat("é", MaxSearchLength+1)}}, SortName); err == nil {
		t.Error("over-long search accepted")
	}
	if got := (CatalogueQuery{Search: "a b", SortChoice: SortPriceAsc}).Values(3).Encode(); got != "page=3&q=a+b&sort=price_asc" {
		t.Errorf("Values = %q", got)
	}
}

func TestCartRules(t *testing.T) {
	lines, err := AddToCart(nil, 1, 2, 100, "Loaf")
	if err != nil || len(lines) != 1 || lines[0].Quantity != 2 {
		t.Fatalf("add: %v %v", lines, err)
	}
	lines, _ = AddToCart(lines, 1, 3, 120, "Loaf")
	if lines[0].Quantity != 5 || lines[0].PriceSeen != 120 {
		t.Fatalf("adding again should sum and remember the newest price: %+v", lines[0])
	}
	if _, err := AddToCart(lines, 1, 95, 120, "Loaf"); err == nil {
		t.Fatal("more than 99 of one product accepted")
	}
	var full []CartLine
	for i := range MaxCartLines {
		full, _ = AddToCart(full, int64(i+1), 1, 100, "x")
	}
	if out, err := AddToCart(full, 999, 1, 100, "x"); err == nil || len(out) != MaxCartLines {
		t.Fatal("a 51st line was accepted")
	}
	if _, err := SetQuantity(lines, 42, 1); err == nil {
		t.Fatal("changing a product not in the cart succeeded")
	}
	for _, s := range []string{"0", "100", "-1", "1.5", "x", ""} {
		if _, err := ParseQuantity(s); err == nil {
			t.Errorf("quantity %q accepted", s)
		}
	}
	dirty := []CartLine{{1, 1, 100}, {1, 2, 100}, {0, 1, 1}, {2, 0, 1}, {3, 100, 1}, {4, 1, -5}, {5, 99, 0}}
	if got := CleanCart(dirty); len(got) != 2 || got[0].ProductID != 1 || got[1].ProductID != 5 {
		t.Fatalf("CleanCart = %+v", got)
	}
}

func TestPricedCartFlags(t *testing.T) {
	products := map[int64]Product{
		1: {ID: 1, Name: "Loaf", Price: 450, Currency: "GBP", Stock: 10, Active: true},
		2: {ID: 2, Name: "Bun", Price: 100, Currency: "GBP", Stock: 0, Active: true},
		3: {ID: 3, Name: "Pie", Price: 300, Currency: "GBP", Stock: 2, Active: true},
		4: {ID: 4, Name: "Jam", Price: 300, Currency: "GBP", Stock: 9, Active: false},
	}
	c := PriceCart([]CartLine{{1, 2, 400}, {2, 1, 100}, {3, 3, 300}, {4, 1, 300}, {5, 1, 1}}, products, "GBP")
	l := c.Lines
	if !l[0].PriceChanged() || l[0].Blocked() || !l[1].SoldOut() || !l[2].OverStock() || l[3].Available || l[4].Available {
		t.Fatalf("flags wrong: %+v", l)
	}
	if c.Subtotal() != 2*450+100+3*300 || !c.Blocked() || c.Count() != 8 {
		t.Fatalf("subtotal %d blocked %v count %d", c.Subtotal(), c.Blocked(), c.Count())
	}
}

func TestDeliveryArea(t *testing.T) {
	r := DeliveryRules{Areas: []string{"BS1", "BS6", "GL"}}
	for pc, want := range map[string]bool{
		"BS1 4DJ": true, "BS6 5AB": true, "BS10 5AB": false, "BS16 1AA": false,
		"GL1 2AB": true, "GL50 1AA": true, "GU1 1AA": false, "SW1A 1AA": false,
	} {
		if got := r.Covers(NormalizePostcode(pc)); got != want {
			t.Errorf("Covers(%q) = %v, want %v", pc, got, want)
		}
	}
	if got := NormalizePostcode(" bs1  4dj"); got != "BS1 4DJ" {
		t.Errorf("NormalizePostcode = %q", got)
	}
}

func TestCheckoutFormValidation(t *testing.T) {
	good := url.Values{
		"idempotency_key": {NewIdempotencyKey()}, "line_product": {"1", "2"}, "line_quantity": {"1", "3"}, "line_price": {"450", "100"},
		"name": {"Ada"}, "email": {"ada@example.com"}, "phone": {"+44 117 496 0000"}, "fulfilment": {"pickup"}, "slot_id": {"7"},
	}
	f, errs := ParseCheckoutForm(good)
	if len(errs) != 0 || f.SlotID != 7 || len(f.Lines) != 2 {
		t.Fatalf("good form: %v %+v", errs, f)
	}
	again, _ := ParseCheckoutForm(good)
	if string(again.ContentHash()) != string(f.ContentHash()) {
		t.Fatal("the same form hashes differently")
	}
	other := url.Values{}
	for k, v := range good {
		other[k] = v
	}
	other.Set("name", "Bob")
	if g, _ := ParseCheckoutForm(other); string(g.ContentHash()) == string(f.ContentHash()) {
		t.Fatal("a different name hashes the same")
	}
	bad := url.Values{"line_product": {"1", "1"}, "line_quantity": {"1", "1"}, "line_price": {"1", "1"}, "email": {"nope"}, "fulfilment": {"delivery"}, "postcode": {"!!"}}
	_, errs = ParseCheckoutForm(bad)
	for _, field := range []string{"form", "lines", "name", "email", "phone", "address", "postcode"} {
		if errs[field] == "" {
			t.Errorf("no error for %s: %v", field, errs)
		}
	}
}

func TestOrderStateMachine(t *testing.T) {
	allowed := map[[3]string]bool{
		{StatusPlaced, StatusReady, Pickup}:        true,
		{StatusReady, StatusCollected, Pickup}:     true,
		{StatusReady, StatusDelivered, Delivery}:   true,
		{StatusPlaced, StatusCancelled, Pickup}:    true,
		{StatusReady, StatusCancelled, Delivery}:   true,
		{StatusReady, StatusDelivered, Pickup}:     false,
		{StatusReady, StatusCollected, Delivery}:   false,
		{StatusPlaced, StatusCollected, Pickup}:    false,
		{StatusCollected, StatusCancelled, Pickup}: false,
		{StatusCancelled, StatusReady, Pickup}:     false,
		{StatusReady, StatusReady, Pickup}:         false,
		{StatusDelivered, StatusPlaced, Delivery}:  false,
	}
	for k, want := range allowed {
		if got := CanTransition(k[0], k[1], k[2]); got != want {
			t.Errorf("%s → %s (%s) = %v, want %v", k[0], k[1], k[2], got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  Ann\x00 Smith ": "Ann Smith",
		"line\nbreak\ttab": "line\nbreak\ttab",
		"bell\x07":         "bell",
		"\xff\xfeok":       "ok",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeviceName(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Linux; Android 14; SM-X210) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":               "Chrome on Android",
		"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile Safari/604.1":      "Safari on iPad",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0":                                             "Firefox on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0": "Edge on a Mac",
		"curl/8.5.0": "A browser",
		"":           "A browser",
	} {
		if got := DeviceName(ua); got != want {
			t.Errorf("DeviceName(%q) = %q, want %q", ua, got, want)
		}
	}
}

// Spreadsheets set up for semicolon-separated files split an unquoted cell
// at each ";": every piece that would start a formula is neutralised.
func TestCSVCellsAreNeutralisedForSemicolonLocales(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1":              "'=1+1",
		"Ada;=HYPERLINK(1)": "Ada;'=HYPERLINK(1)",
		"a; @SUM(A1)":       "a;' @SUM(A1)",
		"note;-2;+3":        "note;'-2;'+3",
		"Ada Lovelace; Jr":  "Ada Lovelace; Jr",
		"plain":             "plain",
		"":                  "",
	} {
		if got := SafeCSVRow([]string{in})[0]; got != want {
			t.Errorf("%q became %q, want %q", in, got, want)
		}
	}
}
