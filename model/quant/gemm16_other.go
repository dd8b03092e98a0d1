//go:build !amd64 || purego

package quant

import "github.com/weft-dev/weft/model/gguf"

// tileLevel names a tile kernel family, for tests that run each.
type tileLevel int

const tileGo tileLevel = 0 // portable: the only one here

// tileLevels lists the tile kernels that run here.
func tileLevels(gguf.Type) []tileLevel { return []tileLevel{tileGo} }

// tileShape is a level's rows per tile and most panels per kernel call.
func tileShape(tileLevel, gguf.Type) (mr, maxNP int) { return goTileRows, 4 }

// tile16 computes one tile (see matTiled16).
func tile16(w *Matrix, a *acts, _ tileLevel, row, p, np int, c []float32) {
	tileGo16(w, a, row, p, np, c)
}

// matTiles runs an F16/BF16 product on the tile kernels of level lv;
// false when the product is not one for tiles (tiled16).
func matTiles(w *Matrix, a *acts, r0, r1, n int, y []float32, lv tileLevel) bool {
	if !tiled16(w, n) || r0 >= r1 {
		return false
	}
	matTiled16(w, a, r0, r1, n, y, lv)
	return true
}

// tiledQ8: no Q8 tile kernels here (the portable products are their order).
func tiledQ8(*Matrix, int) bool { return false }
