package ocrtest

import (
	"image"
	"image/color"
	"math"
)

// Rotate returns img turned clockwise by degrees about its centre, in
// grey, on a white canvas of the same size, with bilinear sampling.
func Rotate(img image.Image, degrees float64) *image.Gray {
	b := img.Bounds()
	src := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			src.Set(x, y, img.At(x, y))
		}
	}
	dst := image.NewGray(b)
	sin, cos := math.Sincos(degrees * math.Pi / 180)
	cx, cy := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			// The source point that lands on (x, y): the inverse rotation.
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cos*dx+sin*dy+cx-0.5, -sin*dx+cos*dy+cy-0.5
			dst.SetGray(x, y, color.Gray{Y: bilinear(src, sx, sy)})
		}
	}
	return dst
}

// bilinear returns the grey level of src at (x, y), white outside it.
func bilinear(src *image.Gray, x, y float64) uint8 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	at := func(x, y int) float64 {
		if !(image.Point{x, y}).In(src.Rect) {
			return 255
		}
		return float64(src.GrayAt(x, y).Y)
	}
	ix, iy := int(x0), int(y0)
	top := at(ix, iy)*(1-fx) + at(ix+1, iy)*fx
	bottom := at(ix, iy+1)*(1-fx) + at(ix+1, iy+1)*fx
	return uint8(math.Round(top*(1-fy) + bottom*fy))
}
