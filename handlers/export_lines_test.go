package handlers_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shopfront/apptest"
	"shopfront/shop"
	"shopfront/staffauth"
)

func TestCSVExportCanHaveOneRowPerProductOrdered(t *testing.T) {
	t.Parallel()
	c := apptest.NewCluster(t, apptest.Options{Demo: true})
	slot := slotSoon(t, c, 10)
	loaf, butter := productID(t, c.Pool, "white-sourdough-loaf"), productID(t, c.Pool, "farmhouse-salted-butter")
	admOrder(t, c, slot, "Ada Lovelace", "", map[int64]int{loaf: 2, butter: 1})
	admOrder(t, c, slot, "=cmd|' /C calc'!A0", "", map[int64]int{loaf: 3})
	apptest.AddDeliveryOrders(t, c.Pool, 5) // orders without lines have no rows here
	loafPrice := admInt(t, c, "SELECT price_minor FROM products WHERE id = $1", loaf)

	staff, _ := admSignIn(t, c, "counter@example.com", staffauth.RoleStaff)
	if page := admText(staff.Get(t, "/admin/orders")); !strings.Contains(page, "one row per product ordered (sales per product)") {
		t.Fatal("the board does not offer the per-product export")
	}
	r := staff.Get(t, "/admin/orders.csv?rows=lines")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %q\n%s", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="order-lines-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not valid CSV: %v", err)
	}
	if len(records) != 1+3 {
		t.Fatalf("%d records, want a header and the 3 lines of the 2 orders:\n%s", len(records), r.Body)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"number", "placed_at", "status", "name", "product_id", "product", "quantity", "unit_price", "line_total", "currency"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("header %v lacks %q", records[0], h)
		}
	}
	// A pivot of quantity by product needs nothing but the columns.
	sold := map[string]int{}
	for _, rec := range records[1:] {
		q, err := strconv.Atoi(rec[col["quantity"]])
		if err != nil {
			t.Fatalf("quantity %q", rec[col["quantity"]])
		}
		sold[rec[col["product"]]] += q
		if rec[col["product"]] == "White Sourdough Loaf" {
			if rec[col["product_id"]] != strconv.FormatInt(loaf, 10) {
				t.Errorf("product_id %q, want %d", rec[col["product_id"]], loaf)
			}
			want := shop.Money{Minor: loafPrice * int64(q), Currency: "GBP"}.Decimal()
			if rec[col["line_total"]] != want || rec[col["unit_price"]] != (shop.Money{Minor: loafPrice, Currency: "GBP"}).Decimal() {
				t.Errorf("loaf line: %s × %s = %s, want %s", rec[col["quantity"]], rec[col["unit_price"]], rec[col["line_total"]], want)
			}
		}
		if n := rec[col["name"]]; strings.HasPrefix(n, "=") {
			t.Errorf("a customer's name %q could run as a formula", n)
		}
	}
	if sold["White Sourdough Loaf"] != 5 || sold["Farmhouse Salted Butter (250g)"] != 1 {
		t.Errorf("sold per product %v, want 5 loaves and 1 butter", sold)
	}

	// Today's file without the choice is still one row per order.
	r = staff.Get(t, "/admin/orders.csv")
	if records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll(); err != nil || len(records) != 1+2+5 || records[0][0] != "number" || !slices.Contains(records[0], "items") {
		t.Errorf("the per-order file: %d records, %v", len(records), err)
	}
	if r := staff.Get(t, "/admin/orders.csv?rows=everything"); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(admText(r), "Choose one row per order or one row per product ordered.") || r.Header.Get("Content-Disposition") != "" {
		t.Errorf("an unknown choice: %d", r.StatusCode)
	}
}
