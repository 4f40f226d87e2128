package cookiestate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
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

// UnmarshalJSON reads the compact form, {"l":"1:2:450,7:1:300"}. The
// string never needs escaping, so it is read without a JSON decoder.
func (c *Cart) UnmarshalJSON(data []byte) error {
	c.Lines = nil
	if bytes.Equal(data, []byte("{}")) {
		return nil
	}
	lines, ok := bytes.CutPrefix(data, []byte(`{"l":"`))
	if !ok {
		return errCartLine
	}
	if lines, ok = bytes.CutSuffix(lines, []byte(`"}`)); !ok || len(lines) == 0 {
		return errCartLine
	}
	for part := range bytes.SplitSeq(lines, []byte(",")) {
		var n [3]int64
		for i := range n {
			field := part
			if i < 2 {
				colon := bytes.IndexByte(part, ':')
				if colon < 0 {
					return errCartLine
				}
				field, part = part[:colon], part[colon+1:]
			}
			v, err := strconv.ParseInt(string(field), 10, 64)
			if err != nil {
				return errCartLine
			}
			n[i] = v
		}
		c.Lines = append(c.Lines, CartLine{ProductID: n[0], Quantity: int(n[1]), PriceSeen: n[2]})
	}
	return nil
}
