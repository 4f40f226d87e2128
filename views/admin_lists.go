package views

import (
	"time"

	"shopfront/db"
	"shopfront/shop"
)

// Routes of the staff's lists.
const (
	RouteAdminPickList    = "admin.picklist"
	RouteAdminBakeList    = "admin.bakelist"
	RouteAdminRestock     = "admin.restock"
	RouteAdminRestockSave = "admin.restock.save"
)

// PickList is what to pack for a slot or a day.
type PickList struct {
	Title  string
	Day    DayNav // zero for a slot's list
	Totals []PickTotal
	Orders []PickOrder
}

// PickTotal is how many of one product to pack in all.
type PickTotal struct {
	Name     string
	Quantity int64
}

// PickOrder is one order to pack, with what the person packing it must
// not miss: the phone number, the note, where it goes, whether it is paid.
type PickOrder struct {
	ID         int64
	Number     int64
	Customer   string
	Phone      string
	Note       string
	Fulfilment string
	Address    string
	Postcode   string
	Where      string // the pickup point or delivery zone
	SlotStart  time.Time
	SlotEnd    time.Time
	Delivery   time.Time // the delivery day, a date
	Paid       bool
	Total      int64
	Currency   string
	Lines      []PickTotal
}

// PickListOf builds the pick list from its rows: totals by product (named
// as on the first order that has it) and the orders, one block each.
func PickListOf(rows []db.PickListRow) PickList {
	var p PickList
	totals := map[int64]int64{}
	names := map[int64]string{}
	var products []int64
	for _, r := range rows {
		if _, seen := totals[r.ProductID]; !seen {
			products = append(products, r.ProductID)
			names[r.ProductID] = r.ProductName
		}
		totals[r.ProductID] += int64(r.Quantity)
		if n := len(p.Orders); n == 0 || p.Orders[n-1].Number != r.Number {
			p.Orders = append(p.Orders, PickOrder{
				ID: r.OrderID, Number: r.Number, Customer: r.CustomerName, Phone: r.CustomerPhone, Note: r.Note,
				Fulfilment: r.Fulfilment, Address: r.DeliveryAddress.String, Postcode: r.DeliveryPostcode.String,
				Where: r.PointName, SlotStart: r.SlotStartsAt.Time, SlotEnd: r.SlotEndsAt.Time, Delivery: r.DeliveryDate.Time,
				Paid: r.PaidAt.Valid, Total: r.TotalMinor, Currency: r.Currency,
			})
			if r.Fulfilment == shop.Delivery {
				p.Orders[len(p.Orders)-1].Where = r.ZoneName
			}
		}
		last := &p.Orders[len(p.Orders)-1]
		last.Lines = append(last.Lines, PickTotal{Name: r.ProductName, Quantity: int64(r.Quantity)})
	}
	for _, id := range products {
		p.Totals = append(p.Totals, PickTotal{Name: names[id], Quantity: totals[id]})
	}
	return p
}

// DayNav is the day a list is for, with the days either side.
type DayNav struct {
	Day        time.Time // a date
	Prev, Next string    // YYYY-MM-DD
}

// NavFor is the navigation around a date.
func NavFor(day time.Time) DayNav {
	return DayNav{Day: day, Prev: day.AddDate(0, 0, -1).Format("2006-01-02"), Next: day.AddDate(0, 0, 1).Format("2006-01-02")}
}

// Param is the day as a query parameter.
func (d DayNav) Param() string { return d.Day.Format("2006-01-02") }

// BakeList is what to make for a day.
type BakeList struct {
	Day   DayNav
	Lines []db.BakeListRow
}

// Restock is the morning restock: every product's stock, or for one made
// to order today's limit, in one form.
type Restock struct {
	Day      time.Time // today, a date
	Rows     []RestockRow
	Reason   string
	Problems map[int64]string // by product
}

// RestockRow is one product's line.
type RestockRow struct {
	ID          int64
	Name        string
	Active      bool
	MadeToOrder bool
	Stock       int32 // stock on hand, or today's limit when made to order
	Ordered     int32 // ordered for today, when made to order
	MadeToday   bool  // made on today's weekday
	Typed       string
}

// Value is what the row's field shows: as typed, or as saved.
func (r RestockRow) Value() string {
	if r.Typed != "" {
		return r.Typed
	}
	return i32(r.Stock)
}

// dayName names a YYYY-MM-DD day short: "Thu 3 Dec".
func dayName(day string) string {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return d.Format("Mon 2 Jan")
}
