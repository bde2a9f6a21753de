package pdf

import (
	"slices"
	"strings"
)

// standardWidths returns the widths of the printable ASCII codes (from 32)
// of the standard font called base (Helvetica, Times, Courier and their
// usual substitutes Arial and Times New Roman; bold by its own table,
// italics like upright) and the width to use for other codes. PDF files
// may omit the widths of these fonts. It returns nil for other fonts.
func standardWidths(base string) ([]float64, float64) {
	if i := strings.IndexByte(base, '+'); i >= 0 {
		base = base[i+1:] // a subset tag
	}
	name := strings.ToLower(base)
	bold := strings.Contains(name, "bold")
	var table *[95]float64
	switch {
	case strings.HasPrefix(name, "courier"):
		return slices.Repeat([]float64{600}, 95), 600
	case strings.HasPrefix(name, "helvetica") || strings.HasPrefix(name, "arial"):
		table = &helveticaWidths
		if bold {
			table = &helveticaBoldWidths
		}
	case strings.HasPrefix(name, "times"):
		table = &timesWidths
		if bold {
			table = &timesBoldWidths
		}
	default:
		return nil, 0
	}
	return table[:], table['n'-' ']
}

// Widths of the printable ASCII characters ' '..'~' of the standard fonts,
// from their Adobe font metrics.
var (
	helveticaWidths = [95]float64{
		278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
		333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
	}
	helveticaBoldWidths = [95]float64{
		278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
		975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
		333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
		611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
	}
	timesWidths = [95]float64{
		250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
	}
	timesBoldWidths = [95]float64{
		250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
		930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
		611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
		333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
		556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
	}
)
