//go:build !race

package excel

const raceEnabled = false
