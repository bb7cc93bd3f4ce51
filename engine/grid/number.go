package grid

import "github.com/shopspring/decimal"

// ParseDecimal parses number text exactly. The form nearly every stored
// amount takes, a plain decimal of up to 18 digits ("-1234.56"), is read
// without decimal's general parser, which it matches coefficient and
// exponent alike; other forms ("1.5E-3", longer numbers) go to it.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if d, ok := shortDecimal(s); ok {
		return d, nil
	}
	return decimal.NewFromString(s)
}

func shortDecimal(s string) (decimal.Decimal, bool) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	var c int64
	var exp int32
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			if digits == 18 {
				return decimal.Decimal{}, false
			}
			c = c*10 + int64(ch-'0')
			digits++
			if dot {
				exp--
			}
		case ch == '.' && !dot:
			dot = true
		default:
			return decimal.Decimal{}, false
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, false
	}
	if neg {
		c = -c
	}
	return decimal.New(c, exp), true
}
