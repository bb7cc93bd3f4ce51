package accuracy

import "math"

// tTest runs the one-sample two-sided Student t-test of H0: mean = 0 on xs.
// When every x is the same non-zero value the spread is zero and the mean is
// as significant as it can be: |t| is +Inf and P is 0.
func tTest(xs []float64) TTest {
	n := len(xs)
	if n < 2 {
		return TTest{}
	}
	m := mean(xs)
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	sd := math.Sqrt(ss / float64(n-1))
	res := TTest{Done: true, DF: n - 1}
	switch {
	case sd > 0:
		res.T = m / (sd / math.Sqrt(float64(n)))
		res.P = studentTwoSided(res.T, res.DF)
	case m == 0:
		res.P = 1
	default:
		res.T = math.Inf(sign(m))
	}
	return res
}

// studentTwoSided is P(|T| ≥ |t|) for Student's t with df degrees of
// freedom: I_x(df/2, 1/2) with x = df/(df + t²), the regularized incomplete
// beta function.
func studentTwoSided(t float64, df int) float64 {
	v := float64(df)
	return regIncBeta(v/2, 0.5, v/(v+t*t))
}

// regIncBeta is the regularized incomplete beta function I_x(a, b),
// evaluated by its continued fraction (modified Lentz), using the symmetry
// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaFraction(a, b, x) / a
	}
	return 1 - front*betaFraction(b, a, 1-x)/b
}

// betaFraction evaluates the continued fraction of the incomplete beta
// function.
func betaFraction(a, b, x float64) float64 {
	const tiny, eps = 1e-300, 1e-15
	guard := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c, d := 1.0, 1/guard(1-(a+b)*x/(a+1))
	h := d
	for m := 1.0; m <= 500; m++ {
		num := m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		h *= d * c
		num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		step := d * c
		h *= step
		if math.Abs(step-1) < eps {
			break
		}
	}
	return h
}
