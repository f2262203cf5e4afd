//go:build ignore

// gen draws the demo logos the gateway serves under its assetUrl: small
// PNG badges with the brand's name in a 5x7 pixel font. Run with
// `go run gen.go` in this directory; the PNGs are committed.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
)

var font = map[rune][7]string{
	'A': {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
	'B': {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},
	'C': {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},
	'D': {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."},
	'E': {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
	'I': {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"},
	'L': {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
	'M': {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
	'P': {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
	'R': {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
	'S': {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
	'V': {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
	'X': {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},
	'Y': {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},
}

const w, h, scale = 80, 48, 2

func badge(name, text string, bg, fg color.RGBA, circles bool) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			// rounded corners: transparent outside a radius-6 corner
			if corner(x, y) {
				continue
			}
			img.Set(x, y, bg)
		}
	}
	if circles { // MasterCard: two overlapping discs above the text
		disc(img, 32, 17, 11, color.RGBA{0xEB, 0x00, 0x1B, 0xFF})
		disc(img, 48, 17, 11, color.RGBA{0xF7, 0x9E, 0x1B, 0xFF})
	}
	tw := len(text)*6*scale - scale
	x0, y0 := (w-tw)/2, (h-7*scale)/2
	if circles {
		y0 = h - 7*scale - 3
	}
	for i, r := range text {
		g := font[r]
		for gy, row := range g {
			for gx, c := range row {
				if c != '#' {
					continue
				}
				for dy := range scale {
					for dx := range scale {
						img.Set(x0+i*6*scale+gx*scale+dx, y0+gy*scale+dy, fg)
					}
				}
			}
		}
	}
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func corner(x, y int) bool {
	const r = 6
	cx, cy := -1, -1
	switch {
	case x < r && y < r:
		cx, cy = r, r
	case x >= w-r && y < r:
		cx, cy = w-r-1, r
	case x < r && y >= h-r:
		cx, cy = r, h-r-1
	case x >= w-r && y >= h-r:
		cx, cy = w-r-1, h-r-1
	default:
		return false
	}
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) > r*r
}

func disc(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.Set(x, y, c)
			}
		}
	}
}

func main() {
	white := color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	badge("pp_logo_1.png", "VISA", color.RGBA{0x1A, 0x1F, 0x71, 0xFF}, white, false)
	badge("pp_logo_2.png", "AMEX", color.RGBA{0x2E, 0x77, 0xBB, 0xFF}, white, false)
	badge("pp_logo_3.png", "MC", color.RGBA{0x23, 0x23, 0x23, 0xFF}, white, true)
	badge("pp_logo_840.png", "PAYPAL", color.RGBA{0x00, 0x30, 0x87, 0xFF}, white, false)
	badge("pp_logo_809.png", "IDEAL", color.RGBA{0xCC, 0x00, 0x66, 0xFF}, white, false)
	badge("pp_logo_3012.png", "BCMC", color.RGBA{0x00, 0x54, 0x98, 0xFF}, white, false)
	badge("pp_group_cards.png", "CARDS", color.RGBA{0x55, 0x5B, 0x66, 0xFF}, white, false)
}
