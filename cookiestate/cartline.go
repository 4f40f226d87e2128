package cookiestate

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Carts are the largest and most frequently written cookies, so they are
// encoded by hand as one string, "id:qty:price,id:qty:price": about half the
// bytes of JSON arrays, and no reflection on the hot path.

type cartJSON struct {
	Lines string `json:"l,omitempty"`
}

// MarshalJSON writes the compact form.
func (c Cart) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(c.Lines)*16)
	for i, l := range c.Lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, l.ProductID, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(l.Quantity), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, l.PriceSeen, 10)
	}
	return json.Marshal(cartJSON{Lines: string(b)})
}

var errCartLine = errors.New("malformed cart line")

// UnmarshalJSON reads the compact form.
func (c *Cart) UnmarshalJSON(data []byte) error {
	var raw cartJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	c.Lines = nil
	if raw.Lines == "" {
		return nil
	}
	for part := range strings.SplitSeq(raw.Lines, ",") {
		fields := strings.Split(part, ":")
		if len(fields) != 3 {
			return errCartLine
		}
		var n [3]int64
		for i, f := range fields {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return errCartLine
			}
			n[i] = v
		}
		c.Lines = append(c.Lines, CartLine{ProductID: n[0], Quantity: int(n[1]), PriceSeen: n[2]})
	}
	return nil
}
