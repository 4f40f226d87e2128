package shop

import "time"

// What a CSV export has a row for.
const (
	ExportOrders = "orders" // one row per order (the default)
	ExportLines  = "lines"  // one row per order line: sales per product
)

// Export defaults and limits.
const (
	ExportDefaultDays = 30  // with no first day: this many days before the last
	ExportMaxDays     = 366 // the longest range one file covers
)

// Export is a validated CSV export request: orders placed from the start
// of FromDay to the end of ToDay, in the shop's time zone.
type Export struct {
	Rows           string // ExportOrders or ExportLines
	FromDay, ToDay string // YYYY-MM-DD, for the file's name
	From, End      time.Time
}

// ParseExport reads ?rows, ?from and ?to. An empty last day is today, an
// empty first day ExportDefaultDays before the last; the range may be at
// most ExportMaxDays long, first day first. Anything else is an
// *InputError that says how to give them.
func ParseExport(rows, fromDay, toDay string, now time.Time, loc *time.Location) (Export, error) {
	e := Export{Rows: rows}
	switch rows {
	case "", ExportOrders:
		e.Rows = ExportOrders
	case ExportLines:
	default:
		return e, &InputError{Field: "rows", Message: "Choose one row per order or one row per product ordered."}
	}
	bad := &InputError{Field: "from", Message: "Give from and to as dates like 2026-12-01, at most a year apart, from first."}
	if toDay == "" {
		toDay = now.In(loc).Format("2006-01-02")
	}
	to, err := time.ParseInLocation("2006-01-02", toDay, loc)
	if err != nil {
		return e, bad
	}
	if fromDay == "" {
		fromDay = to.AddDate(0, 0, -ExportDefaultDays).Format("2006-01-02")
	}
	from, err := time.ParseInLocation("2006-01-02", fromDay, loc)
	if err != nil || to.Before(from) || to.Sub(from) > ExportMaxDays*24*time.Hour {
		return e, bad
	}
	e.FromDay, e.ToDay = fromDay, toDay
	e.From, e.End = from, time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	return e, nil
}
