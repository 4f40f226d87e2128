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

// MarshalJSON writes the compact form. A cart that was just emptied
// keeps what it held after a "|", so that emptying can be undone.
func (c Cart) MarshalJSON() ([]byte, error) {
	b := appendLines(make([]byte, 0, (len(c.Lines)+len(c.Emptied))*16), c.Lines)
	if len(c.Emptied) > 0 {
		b = appendLines(append(b, '|'), c.Emptied)
	}
	return json.Marshal(cartJSON{Lines: string(b)})
}

func appendLines(b []byte, lines []CartLine) []byte {
	for i, l := range lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, l.ProductID, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(l.Quantity), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, l.PriceSeen, 10)
	}
	return b
}

var errCartLine = errors.New("malformed cart line")

// UnmarshalJSON reads the compact form, {"l":"1:2:450,7:1:300"}. The
// string never needs escaping, so it is read without a JSON decoder.
func (c *Cart) UnmarshalJSON(data []byte) error {
	c.Lines, c.Emptied = nil, nil
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
	lines, emptied, undo := bytes.Cut(lines, []byte("|"))
	var err error
	if undo {
		if c.Emptied, err = parseLines(emptied); err != nil {
			return err
		}
		if len(lines) == 0 {
			return nil
		}
	}
	c.Lines, err = parseLines(lines)
	return err
}

func parseLines(lines []byte) ([]CartLine, error) {
	var out []CartLine
	for part := range bytes.SplitSeq(lines, []byte(",")) {
		var n [3]int64
		for i := range n {
			field := part
			if i < 2 {
				colon := bytes.IndexByte(part, ':')
				if colon < 0 {
					return nil, errCartLine
				}
				field, part = part[:colon], part[colon+1:]
			}
			v, err := strconv.ParseInt(string(field), 10, 64)
			if err != nil {
				return nil, errCartLine
			}
			n[i] = v
		}
		out = append(out, CartLine{ProductID: n[0], Quantity: int(n[1]), PriceSeen: n[2]})
	}
	return out, nil
}
